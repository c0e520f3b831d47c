"""The production stack as it really starts: settings with DEBUG off, gunicorn, PostgreSQL.

These tests start real processes (manage.py, gunicorn), so they are few and share what
they start. Select or skip them all with `pytest tests/test_production.py` or
`--ignore tests/test_production.py`.

The PostgreSQL tests make a throwaway database and drop it afterwards. Without a
PostgreSQL server at DATABASE_URL (or at 127.0.0.1:5432 as user postgres) they are
skipped, unless REQUIRE_POSTGRES is set.
"""

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import dj_database_url
import pytest

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
HOST = "bills.example.org"
BILL = """Lakeside Clinic, 12 Harbor Road, Springfield, IL 62704
Account # 55123   Statement date 03/20/2025
Diagnosis: E11.65
03/14/2025 99213-25 Office visit $150.00
03/14/2025 J1100 Dexamethasone injection 2 $12.50
"""


def production_env(**overrides):
    """What an operator sets in production (README, "Running in production")."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GUNICORN_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="billexplain.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        BEHIND_HTTPS_PROXY="true",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "Set SECRET_KEY when DEBUG is off."),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY must be a random value of at least 50 characters"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 50}, "SECRET_KEY must be a random value"),
        ({"ALLOWED_HOSTS": None}, "Set ALLOWED_HOSTS when DEBUG is off."),
        ({"ALLOWED_HOSTS": " , "}, "Set ALLOWED_HOSTS when DEBUG is off."),
    ],
    ids=["no-key", "short-key", "placeholder-key", "no-hosts", "empty-hosts"],
)
def test_settings_refuse_to_start_with_debug_off_without_a_real_secret_key_and_allowed_hosts(overrides, message):
    result = manage(production_env(**overrides), "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_a_sqlite_database_logs_ahead_so_workers_counting_requests_neither_wait_on_disk_nor_fail(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    ask = "from django.db import connection as c; k = c.cursor();"
    ask += " k.execute('PRAGMA journal_mode'); print(*k.fetchone())"
    answer = manage(env, "shell", "-c", ask)
    assert answer.stdout.strip().splitlines()[-1] == "wal", answer.stderr


def test_gunicorn_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=production_env(SECRET_KEY=None, GUNICORN_BIND=f"127.0.0.1:{free_port()}", WEB_CONCURRENCY="1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY when DEBUG is off." in result.stderr


# --- two gunicorn instances, one PostgreSQL database ---------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_server():
    """Connection settings of the PostgreSQL server to use, or a reason to skip."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return dj_database_url.parse(url)


def skip_or_fail(reason):
    if os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail(f"{reason} (REQUIRE_POSTGRES is set, so this may not be skipped.)")
    pytest.skip(f"{reason}: start PostgreSQL (see README) or set DATABASE_URL to run it.")


def admin_connection(server):
    import psycopg

    return psycopg.connect(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"] or "postgres",
        password=server["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=3,
        autocommit=True,
    )


def database_url(server, name):
    user = quote(server["USER"] or "postgres")
    password = f":{quote(server['PASSWORD'])}" if server["PASSWORD"] else ""
    return f"postgres://{user}{password}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}/{name}"


class Instance:
    """One gunicorn serving the app on its own port, as one server behind a load balancer."""

    def __init__(self, env, workdir, name):
        self.env = env
        self.port = free_port()
        self.access_log = workdir / f"{name}-access.log"
        self.output = open(workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": "2",
                "GUNICORN_ACCESS_LOG": str(self.access_log),
            },
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() can end every worker too
        )
        self.log = workdir / f"{name}.log"

    def wait_until_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request("GET", "/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start: " + self.log.read_text(errors="replace")[-2000:])

    def request(self, method, path, body=None, headers=None, behind_proxy=True):
        """A request as the load balancer forwards it: TLS ended there, the public host name kept."""
        sent = {"Host": HOST}
        if behind_proxy:
            sent["X-Forwarded-Proto"] = "https"
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def csrf_token(self):
        status, headers, _ = self.request("GET", "/")
        assert status == 200
        match = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
        assert match, headers
        return match.group(1)

    def post_bill(self, token, text=BILL):
        return self.request(
            "POST",
            "/",
            body=urlencode({"text": text}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
                "X-CSRFToken": token,
                "Origin": f"https://{HOST}",
            },
        )

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(20)
        # A worker stuck in a request outlives a killed master: end the whole group we started.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.output.close()


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory):
    """Two gunicorn instances sharing one throwaway PostgreSQL database and one SECRET_KEY."""
    try:
        import psycopg
    except ImportError:
        skip_or_fail("psycopg is not installed")
    server = postgres_server()
    name = f"billexplain_two_instances_{os.getpid()}"
    try:
        admin = admin_connection(server)
    except psycopg.OperationalError as error:
        skip_or_fail(f"PostgreSQL is not reachable ({str(error).strip().splitlines()[0]})")
    workdir = tmp_path_factory.mktemp("two-instances")
    instances = []
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            env = production_env(DATABASE_URL=database_url(server, name), STATIC_ROOT=str(workdir / "static"))
            for args in (("migrate", "--verbosity", "0"), ("loaddata", "--verbosity", "0", *FIXTURES)):
                result = manage(env, *args)
                assert result.returncode == 0, result.stderr
            result = manage(env, "collectstatic", "--noinput", "--verbosity", "0")
            assert result.returncode == 0, result.stderr
            instances = [Instance(env, workdir, "first"), Instance(env, workdir, "second")]
            for instance in instances:
                instance.wait_until_ready()
            yield instances
        finally:
            for instance in instances:
                instance.stop()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_gunicorn_instances_on_one_postgresql_database_both_explain_a_bill(two_instances):
    for instance in two_instances:
        token = instance.csrf_token()
        status, _, page = instance.post_bill(token)
        assert status == 200
        assert 'id="code-99213"' in page and 'id="code-J1100"' in page
        assert 'id="code-62704"' not in page
        # The ICD-10 list loads in a thread at start-up: a worker forked while it was
        # loading used to hang here, on the first bill with a diagnosis code.
        assert "E11.65" in page


def test_a_note_staff_change_anywhere_is_shown_by_every_worker_of_every_instance_at_once(two_instances):
    """Workers keep the notes they have read (coding/reference.py), but never past a change."""
    tokens = [instance.csrf_token() for instance in two_instances]
    for instance, token in zip(two_instances, tokens, strict=True):
        for _ in range(4):  # over its workers, so each keeps the old note
            assert instance.post_bill(token)[0] == 200
    change = (
        "from billexplain.coding.models import CodeNote; note = CodeNote.objects.get(code='99213'); "
        "note.plain_language = 'Staff changed this note a moment ago.'; note.save()"
    )
    result = manage(two_instances[0].env, "shell", "-c", change)
    assert result.returncode == 0, result.stderr
    for instance, token in zip(two_instances, tokens, strict=True):
        for _ in range(4):
            assert "Staff changed this note a moment ago." in instance.post_bill(token)[2]


def test_a_patient_sent_to_the_other_instance_midway_is_still_served(two_instances):
    """Nothing about a patient lives on one server: a token from one is good on the other."""
    first, second = two_instances
    status, _, page = second.post_bill(first.csrf_token())
    assert status == 200
    assert 'id="code-99213"' in page


def test_plain_http_is_sent_to_https_with_hsts(two_instances):
    status, headers, _ = two_instances[0].request("GET", "/", behind_proxy=False)
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/"
    status, headers, _ = two_instances[0].request("GET", "/")
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_static_files_have_hashed_names_and_are_cached_for_a_year_or_more(two_instances):
    _, _, page = two_instances[0].request("GET", "/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page links no hashed stylesheet"
    status, headers, _ = two_instances[0].request("GET", stylesheet.group(1))
    assert status == 200
    max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 3600 and "immutable" in headers["Cache-Control"]


def test_the_access_log_holds_no_query_string_and_no_bill_text(two_instances):
    instance = two_instances[1]
    instance.request("GET", "/?account=55123&patient=Whitfield")
    instance.post_bill(instance.csrf_token(), text=BILL.replace("Office visit", "Office visit for Whitfield"))
    deadline = time.monotonic() + 5  # the worker writes its log line just after the response
    while '"POST / ' not in (log := instance.access_log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert '"POST / HTTP/1.1" 200' in log
    assert "55123" not in log and "Whitfield" not in log and "99213" not in log
