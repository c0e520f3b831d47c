"""Security: the browser policy, the admin's door and lock, the rate limit, and text that never runs."""

import json
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.urls import reverse
from django.utils.html import escape

from billexplain.bills import limits
from billexplain.bills.models import RequestCount
from billexplain.environment import env_rate
from tests.test_production import manage, production_env

pytestmark = pytest.mark.usefixtures("content")

ROOT = Path(__file__).resolve().parent.parent
BILL = "03/14/2025 99213-25 Office visit $150.00\n03/14/2025 J1100 Dexamethasone injection 2 $12.50\n"
API = "/api/explain"


# --- Content-Security-Policy and the other headers ---------------------------------------


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/codes/99213/", "/codes/?q=x-ray", "/admin/login/", "/api/schema"])
def test_every_answer_has_a_strict_content_security_policy(client, path):
    directives = policy(client.get(path))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_an_explained_bill_and_a_problem_have_the_policy_too(client):
    assert "default-src 'self'" in client.post("/", {"text": BILL})["Content-Security-Policy"]
    assert "default-src 'self'" in client.post("/", {"text": ""}, HTTP_HX_REQUEST="true")["Content-Security-Policy"]


def test_the_other_protective_headers_are_set(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_a_page_that_may_hold_a_bill_is_never_cached(client):
    cache_control = client.post("/", {"text": BILL})["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


class InlineFinder(HTMLParser):
    """Collects what a strict policy would block: inline scripts, style elements and attributes, handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]
        if any((value or "").strip().lower().startswith("javascript:") for value in names.values()):
            self.found.append(f"javascript: URL on <{tag}>")


def inline_parts(html):
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.mark.parametrize(
    ("method", "path", "data", "headers"),
    [
        ("get", "/", None, {}),
        ("post", "/", {"text": BILL}, {}),
        ("post", "/", {"text": BILL}, {"HTTP_HX_REQUEST": "true"}),
        ("post", "/", {"text": ""}, {}),
        ("get", "/codes/99213/", None, {}),
        ("get", "/codes/J1100/", None, {}),
        ("get", "/codes/?q=x-ray", None, {}),
        ("get", "/codes/?q=9921", None, {"HTTP_HX_REQUEST": "true"}),
    ],
    ids=["home", "results", "htmx-results", "problem", "cpt-code", "level-two-code", "search", "htmx-search"],
)
def test_our_pages_have_no_inline_script_or_style(client, method, path, data, headers):
    response = getattr(client, method)(path, data, **headers)
    assert response.status_code == 200
    assert inline_parts(response.content.decode()) == []


def test_the_rate_limit_page_has_no_inline_script_or_style(client, settings):
    settings.RATELIMIT_EXPLAIN = (1, 60)
    client.post("/", {"text": BILL})
    response = client.post("/", {"text": BILL})
    assert response.status_code == 429
    assert inline_parts(response.content.decode()) == []


def test_no_template_writes_inline_script_style_or_handlers():
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        source = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            offenders += [f"{template.relative_to(ROOT)}: {m.group()}" for m in re.finditer(pattern, source)]
    assert offenders == []


def test_htmx_is_configured_for_the_policy():
    base = (ROOT / "templates" / "base.html").read_text()
    config = json.loads(re.search(r"""<meta name="htmx-config" content='([^']+)'>""", base).group(1))
    assert config["includeIndicatorStyles"] is False  # else htmx injects a <style> the policy blocks
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0


def test_production_settings_are_secure_and_check_deploy_stays_clean_with_our_options():
    # The plain `check --deploy` run lives in tests/test_production.py; this adds our variables.
    env = production_env(ADMIN_URL="staff-7f3a/", RATELIMIT_EXPLAIN="100/h")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY', 'X_FRAME_OPTIONS', 'ADMIN_URL', "
        "'RATELIMIT_EXPLAIN', 'AXES_FAILURE_LIMIT']}))"
    )
    values = json.loads(manage(env, "shell", "--no-imports", "-c", script).stdout)
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "ADMIN_URL": "staff-7f3a/",
        "RATELIMIT_EXPLAIN": [100, 3600],
        "AXES_FAILURE_LIMIT": 5,
    }


# --- the admin --------------------------------------------------------------------------


def test_the_admin_is_at_admin_by_default():
    assert reverse("admin:index") == "/admin/"


def test_the_admin_moves_to_the_address_in_admin_url():
    script = (
        "from django.urls import reverse, resolve, Resolver404\n"
        "print(reverse('admin:index'))\n"
        "try:\n    resolve('/admin/')\n    print('admin/ still answers')\n"
        "except Resolver404:\n    print('admin/ is gone')\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=production_env(DEBUG="true", ADMIN_URL="staff-7f3a/door/"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["/staff-7f3a/door/", "admin/", "is", "gone"], result.stderr


@pytest.mark.parametrize("value", ["/admin/", "admin", "staff//", "../admin/", "st aff/", "<slug:x>/"])
def test_a_bad_admin_url_stops_the_app_at_start_up(value):
    result = manage(production_env(DEBUG="true", ADMIN_URL=value), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured: ADMIN_URL must be a path like 'staff-7f3a/'" in result.stderr


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user("clerk", password="a-long-clerk-password-1")


@pytest.fixture
def staff_editor(db):
    return get_user_model().objects.create_user("editor", password="a-long-editor-password-1", is_staff=True)


def log_in(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})


def test_the_admin_is_for_staff_only(client, clerk, staff_editor):
    assert client.get(reverse("admin:index")).status_code == 302  # to the login page
    response = log_in(client, "clerk", "a-long-clerk-password-1")
    assert response.status_code == 200 and "staff account" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    assert log_in(client, "editor", "a-long-editor-password-1").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_five_failed_logins_lock_the_admin_even_for_the_right_password(client, staff_editor):
    for _ in range(4):
        assert log_in(client, "editor", "wrong").status_code == 200
    assert log_in(client, "editor", "wrong").status_code == 429
    locked = log_in(client, "editor", "a-long-editor-password-1")
    assert locked.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302  # still not signed in


def test_the_lock_is_per_client_address_and_opens_after_the_cool_off(client, staff_editor, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(5):
        log_in(client, "editor", "wrong")
    other = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "a-long-editor-password-1", "next": "/admin/"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 302  # another address is not locked out
    client.logout()
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(hours=1))
    assert timedelta(hours=1) > settings.AXES_COOLOFF_TIME
    assert log_in(client, "editor", "a-long-editor-password-1").status_code == 302


# --- the rate limit --------------------------------------------------------------------


@pytest.fixture
def two_a_minute(settings):
    settings.RATELIMIT_EXPLAIN = (2, 60)
    return settings


def test_the_page_answers_429_with_a_kind_message_and_keeps_the_text(client, two_a_minute):
    assert client.post("/", {"text": BILL}).status_code == 200
    assert client.post("/", {"text": BILL}).status_code == 200
    response = client.post("/", {"text": "my own words 99213"})
    page = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Please wait a minute" in page and "We did not read or keep this bill." in page
    assert "my own words 99213" in page  # back in the text box, ready to send again
    assert 'id="code-99213"' not in page
    assert '<form class="bill-form"' in page


def test_htmx_gets_the_message_in_the_results_region_with_status_200(client, two_a_minute):
    for _ in range(2):
        client.post("/", {"text": BILL}, HTTP_HX_REQUEST="true")
    response = client.post("/", {"text": BILL}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200  # htmx 2 swaps no 4xx body
    assert response["Retry-After"]
    assert page.lstrip().startswith('<section id="results"')
    assert "Please wait a minute" in page and "<html" not in page


def test_the_api_answers_429_json(client, two_a_minute):
    for _ in range(2):
        assert client.post(API, {"text": BILL}).status_code == 200
    response = client.post(API, {"text": BILL})
    assert response.status_code == 429
    assert response.json() == {
        "error": {"status": 429, "message": "Too many requests. Please wait a minute and try again."}
    }
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_page_and_the_api_share_one_count(client, two_a_minute):
    client.post("/", {"text": BILL})
    client.post(API, {"text": BILL})
    assert client.post("/", {"text": BILL}).status_code == 429
    assert client.post(API, {"text": BILL}).status_code == 429


def test_reading_pages_is_never_counted(client, two_a_minute):
    for _ in range(10):
        assert client.get("/").status_code == 200
        assert client.get("/codes/?q=9921").status_code == 200
        assert client.get("/api/schema").status_code == 200
    assert client.post("/", {"text": BILL}).status_code == 200
    assert client.post("/", {"text": BILL}).status_code == 200


def test_each_client_address_has_its_own_count(client, two_a_minute):
    for _ in range(3):
        client.post("/", {"text": BILL})
    assert client.post("/", {"text": BILL}).status_code == 429
    assert client.post("/", {"text": BILL}, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_a_new_window_opens_after_the_period(client, two_a_minute, monkeypatch):
    for _ in range(3):
        client.post("/", {"text": BILL})
    assert client.post("/", {"text": BILL}).status_code == 429
    later = time.time() + 61
    monkeypatch.setattr(limits.time, "time", lambda: later)
    assert client.post("/", {"text": BILL}).status_code == 200


def test_forwarded_for_is_believed_only_behind_our_proxy(client, two_a_minute):
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        response = client.post("/", {"text": BILL}, HTTP_X_FORWARDED_FOR=address)
    assert response.status_code == 429  # without BEHIND_HTTPS_PROXY the header changes nothing


def test_behind_the_proxy_the_first_forwarded_address_is_the_client(client, two_a_minute):
    two_a_minute.BEHIND_HTTPS_PROXY = True
    for _ in range(2):
        client.post("/", {"text": BILL}, HTTP_X_FORWARDED_FOR="203.0.113.1, 10.0.0.2")
    assert client.post("/", {"text": BILL}, HTTP_X_FORWARDED_FOR="203.0.113.1, 10.0.0.2").status_code == 429
    assert client.post("/", {"text": BILL}, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2").status_code == 200
    # A header that is not an address falls back to the proxy's own address.
    assert client.post("/", {"text": BILL}, HTTP_X_FORWARDED_FOR="nonsense").status_code == 200


def test_one_ipv6_network_counts_as_one_client(client, two_a_minute):
    for suffix in ("1", "2"):
        client.post("/", {"text": BILL}, REMOTE_ADDR=f"2001:db8:1:2::{suffix}")
    assert client.post("/", {"text": BILL}, REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert client.post("/", {"text": BILL}, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_the_counts_hold_no_address_and_old_windows_are_forgotten(client, two_a_minute, monkeypatch):
    client.post("/", {"text": BILL})
    (row,) = RequestCount.objects.all()
    assert re.fullmatch(r"[0-9a-f]{64}", row.key) and row.count == 1
    later = time.time() + 120
    monkeypatch.setattr(limits.time, "time", lambda: later)
    client.post("/", {"text": BILL})
    assert RequestCount.objects.count() == 1 and RequestCount.objects.get().key != row.key


def test_a_count_that_fails_lets_the_patient_through(client, two_a_minute, monkeypatch, caplog):
    def broken(*args):
        raise DatabaseError("no such table")

    monkeypatch.setattr(limits, "_bump", broken)
    for _ in range(4):
        assert client.post("/", {"text": BILL}).status_code == 200
    assert "The rate limit could not be counted" in caplog.text


@pytest.mark.parametrize(
    ("value", "rate"),
    [("30/m", (30, 60)), ("1/s", (1, 1)), ("200/h", (200, 3600)), ("5/10s", (5, 10)), ("1000/d", (1000, 86400))],
)
def test_rates_are_read_from_the_environment(monkeypatch, value, rate):
    monkeypatch.setenv("RATELIMIT_EXPLAIN", value)
    assert env_rate("RATELIMIT_EXPLAIN", "30/m") == rate


@pytest.mark.parametrize("value", ["30", "thirty/m", "0/m", "30/w", "30/0m", "-1/m", "30 per minute"])
def test_a_rate_we_cannot_read_stops_the_app(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("RATELIMIT_EXPLAIN", value)
    with pytest.raises(ImproperlyConfigured, match="RATELIMIT_EXPLAIN must be a number of requests"):
        env_rate("RATELIMIT_EXPLAIN", "30/m")


# --- pasted markup and template syntax -------------------------------------------------


HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "<b>bold</b>",
    "{{ request.META }}",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% load static %}{% static 'x' %}",
    "{# hidden #}",
    "${7*7} #{7*7} <%= 7*7 %>",
]


@pytest.mark.parametrize("snippet", HOSTILE_TEXT)
def test_pasted_markup_and_template_syntax_are_shown_as_text_never_run(client, snippet):
    text = f"03/14/2025 99213 Office visit {snippet} $150.00\n{snippet}\n"
    page = client.post("/", {"text": text}).content.decode()
    assert 'id="code-99213"' in page
    assert escape(snippet) in page  # back in the text box exactly as typed, as text
    if "<" in snippet:
        assert snippet not in page
    assert_nothing_ran(page)


@pytest.mark.parametrize("snippet", HOSTILE_TEXT)
def test_pasted_markup_and_template_syntax_never_run_in_the_htmx_results(client, snippet):
    text = f"03/14/2025 99213 Office visit {snippet} $150.00\n{snippet}\n"
    page = client.post("/", {"text": text}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="code-99213"' in page
    if "<" in snippet:
        assert snippet not in page
    assert_nothing_ran(page)


def assert_nothing_ran(page):
    assert "dev-only-not-secret" not in page  # {{ settings.SECRET_KEY }}
    assert "HTTP_HOST" not in page and "wsgi.input" not in page  # {{ request.META }}
    assert "sql_queries" not in page and "{'" not in page  # {% debug %}
    assert "/static/x" not in page  # {% static 'x' %}


def test_pasted_markup_in_a_text_file_is_shown_as_text(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"03/14/2025 99213 <script>alert(1)</script> {{ request.META }} $150.00\n"
    page = client.post("/", {"file": SimpleUploadedFile("bill.txt", data)}).content.decode()
    assert 'id="code-99213"' in page
    assert "<script>alert(1)</script>" not in page
    assert "HTTP_HOST" not in page


# --- in a real browser -----------------------------------------------------------------


@pytest.mark.browser
def test_htmx_works_under_the_policy_and_the_browser_reports_no_violation(page, live_server):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
        "e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.set_default_timeout(5000)
    page.goto(live_server.url + "/")
    page.get_by_label("Paste the text of your bill").fill(BILL + "<script>window.__ran = 1</script>{{ x }}")
    page.get_by_role("button", name="Explain my bill").click()
    page.locator("#code-J1100").wait_for()
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # swapped in by htmx
    page.get_by_label("Look up a code or a word").fill("9921")
    page.locator("#search-results a[href='/codes/99213/']").wait_for()
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("window.__violations") == []
    page.goto(live_server.url + reverse("admin:login"))
    assert page.evaluate("window.__violations") == []
    assert not [text for text in problems if "Content Security Policy" in text]
