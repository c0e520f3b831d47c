"""A bill is health information: we read it, answer, and forget it.

After a bill is explained through the page and the API: no new row in any table (only the
rate limit's counts, which hold a hash and a number), no file written anywhere, no log
record with any line of the bill. When a request fails, neither the log nor the error
e-mail nor the debug page carries the bill.
"""

import io
import logging
import os
import sys
import tempfile

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import path, reverse
from django.utils.log import AdminEmailHandler

from billexplain import urls as app_urls
from billexplain.bills.models import RequestCount
from billexplain.privacy import WITHHELD
from tests.pdfs import pdf_with_rows

pytestmark = pytest.mark.usefixtures("content")

# Every line is unlikely to appear on the page or in a log by chance.
BILL_LINES = [
    "Harbor Lakes Clinic for Dana Q. Whitfield-7Q3",
    "Account # 55123-PRIV   Member ID XQZ448812",
    "03/14/2025 99213-25 Office visit Whitfield-7Q3 $150.00",
    "03/14/2025 J1100 Dexamethasone injection Whitfield-7Q3 2 $12.50",
    "Dx: E11.65",
]
BILL = "\n".join(BILL_LINES) + "\n"
PDF_ROWS = [
    ("03/14/2025", "99213", "Office visit Whitfield-7Q3", "$150.00"),
    ("03/14/2025", "J1100", "Dexamethasone Whitfield-7Q3", "$12.50"),
]
PDF_NAME = "Dana_Whitfield-7Q3_ER_bill.pdf"
SECRETS = ["Whitfield-7Q3", "55123-PRIV", "XQZ448812", "Dana Q."]


def test_the_page_says_plainly_what_happens_to_the_bill(client):
    page = client.get(reverse("home")).content.decode()
    assert "We read your bill and then forget it. Nothing you paste or upload is saved." in page


# --- what explaining a bill leaves behind ----------------------------------------------


class Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def texts(self):
        for record in self.records:
            yield record.getMessage()
            yield repr(record.args)
            if record.exc_info:
                yield logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                yield record.exc_text


@pytest.fixture
def every_log_record():
    """Every record any logger emits, with the root turned to DEBUG (as an operator chasing a problem might).

    The levels settings.LOGGING pins (the PDF libraries, Django's query log) stay as configured:
    keeping those quiet whatever the root's level is part of what is tested here.
    """
    handler = Records()
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    old_level = root.level
    root.setLevel(logging.DEBUG)
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    root.setLevel(old_level)
    for logger in loggers:
        logger.removeHandler(handler)


WRITING = ("w", "a", "x", "+")
_written = []
_watching = []


def _audit(event, args):
    if not _watching or event != "open":
        return
    name, mode, flags = args
    writes = any(c in mode for c in WRITING) if isinstance(mode, str) else bool(flags & (os.O_WRONLY | os.O_RDWR))
    if writes and not str(name).endswith((".pyc", ".pyc.tmp")) and "__pycache__" not in str(name):
        _written.append(str(name))


sys.addaudithook(_audit)  # hooks stay for the life of the process: it only records while _watching


@pytest.fixture
def files_written(tmp_path, monkeypatch, settings):
    """The files this process opens for writing, with its temp folder and MEDIA_ROOT fresh and empty."""
    temp, media = tmp_path / "tmp", tmp_path / "media"
    temp.mkdir()
    media.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    settings.MEDIA_ROOT = str(media)
    _written.clear()
    _watching.append(True)
    yield {"written": _written, "temp": temp, "media": media}
    _watching.clear()


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def explain_everywhere(client):
    """The same bill through every way in: pasted and uploaded, page, htmx and API."""
    pdf = pdf_with_rows(PDF_ROWS)
    big_pdf = pdf + b"\n%" + b"padding " * (3 * 1024 * 1024 // 8)  # over Django's in-memory upload size
    answers = [
        client.post("/", {"text": BILL}),
        client.post("/", {"text": BILL}, HTTP_HX_REQUEST="true"),
        client.post("/", {"file": SimpleUploadedFile(PDF_NAME, pdf)}),
        client.post("/", {"file": SimpleUploadedFile(PDF_NAME, big_pdf)}, HTTP_HX_REQUEST="true"),
        client.post("/", {"file": SimpleUploadedFile("bill.txt", BILL.encode())}),
        client.post("/api/explain", {"text": BILL}),
        client.post("/api/explain", {"text": BILL}, content_type="application/json"),
        client.post("/api/explain", {"file": SimpleUploadedFile(PDF_NAME, pdf)}),
        client.post("/api/explain", {"file": SimpleUploadedFile(PDF_NAME, big_pdf)}),
    ]
    for response in answers:
        assert response.status_code == 200
        assert b"99213" in response.content


def test_explaining_a_bill_every_way_leaves_no_row_no_file_and_no_log_line(
    client, every_log_record, files_written, settings
):
    settings.RATELIMIT_EXPLAIN = (1000, 60)
    explain_everywhere(client)  # the first time imports and builds what later requests reuse
    before = row_counts()
    every_log_record.records.clear()
    files_written["written"].clear()

    explain_everywhere(client)

    after = row_counts()
    assert {label: after[label] - before[label] for label in after if after[label] != before[label]} in (
        {},
        {RequestCount._meta.label: 1},  # a new window of the rate limit began
    )
    assert files_written["written"] == []
    assert list(files_written["temp"].iterdir()) == []
    assert list(files_written["media"].iterdir()) == []
    logged = "\n".join(every_log_record.texts())
    assert not [line for line in BILL_LINES if line in logged]
    assert not [secret for secret in SECRETS if secret in logged]


def test_the_rate_limit_counts_hold_a_hash_and_a_number_only(client):
    client.post("/", {"text": BILL})
    client.post("/api/explain", {"file": SimpleUploadedFile(PDF_NAME, pdf_with_rows(PDF_ROWS))})
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {RequestCount._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()
    stored = repr(rows)
    assert rows and "127.0.0.1" not in stored
    assert not [secret for secret in SECRETS + ["99213", "Whitfield"] if secret in stored]


def test_the_pdf_libraries_and_the_query_log_stay_quiet_even_at_debug(every_log_record):
    for name in ("pdfminer.psparser", "pdfminer.pdfinterp", "pdfplumber", "PIL.PngImagePlugin", "django.db.backends"):
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name


# --- when a request fails ----------------------------------------------------------------


def explode(request):
    """A view that fails after reading the bill, with the bill in its locals and its message."""
    text = request.POST.get("text", "")
    upload = request.FILES.get("file")
    first_line = text.splitlines()[0] if text else upload.name
    try:
        raise KeyError(first_line)
    except KeyError as error:
        raise ValueError(f"could not explain {first_line!r} from {text!r}") from error


urlpatterns = [path("explode", explode), *app_urls.urlpatterns]


@pytest.fixture
def failing_client(every_log_record):
    return Client(raise_request_exception=False)


def the_failure(records):
    (record,) = [r for r in records.records if r.name == "django.request" and r.levelno >= logging.ERROR]
    return record


def as_the_console_logs_it(record):
    """The record as the app's configured console handler writes it (with its filters)."""
    (handler,) = [h for h in logging.getLogger("django.request").handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        handler.handle(record)
    finally:
        handler.setStream(old)
    return stream.getvalue()


def assert_no_bill(text):
    assert not [line for line in BILL_LINES if line in text]
    assert not [secret for secret in SECRETS if secret in text]
    assert PDF_NAME not in text


@pytest.mark.urls("tests.test_privacy")
@pytest.mark.parametrize("sent", ["text", "file"])
def test_a_failed_request_is_logged_with_where_it_failed_but_not_the_bill(failing_client, every_log_record, sent):
    data = {"text": BILL} if sent == "text" else {"file": SimpleUploadedFile(PDF_NAME, BILL.encode())}
    response = failing_client.post("/explode", data)
    assert response.status_code == 500
    assert_no_bill(response.content.decode())

    logged = as_the_console_logs_it(the_failure(every_log_record))
    assert "Internal Server Error: /explode" in logged
    assert "in explode" in logged and "builtins.ValueError" in logged and "builtins.KeyError" in logged
    assert WITHHELD in logged
    assert_no_bill(logged)


@pytest.mark.urls("tests.test_privacy")
@pytest.mark.parametrize("sent", ["text", "file"])
def test_the_error_email_to_the_admins_never_holds_the_bill(failing_client, every_log_record, settings, sent):
    settings.ADMINS = [("Ops", "ops@example.org")]
    data = {"text": BILL} if sent == "text" else {"file": SimpleUploadedFile(PDF_NAME, BILL.encode())}
    failing_client.post("/explode", data)
    AdminEmailHandler(include_html=True).emit(the_failure(every_log_record))

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert_no_bill(text)
    assert "explode" in message.body  # still says where it failed
    assert "No POST data" in message.body
    assert WITHHELD in message.body


@pytest.mark.urls("tests.test_privacy")
def test_even_the_debug_page_never_shows_the_bill(failing_client, settings):
    settings.DEBUG = True
    response = failing_client.post("/explode", {"text": BILL, "file": SimpleUploadedFile(PDF_NAME, b"%PDF-1.4")})
    page = response.content.decode()
    assert response.status_code == 500 and "Traceback" in page  # it is the debug page
    assert_no_bill(page)
