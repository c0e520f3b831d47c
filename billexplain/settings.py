"""One settings file for every environment, driven by environment variables.

Defaults suit a developer's machine (SQLite, DEBUG on). Production sets
SECRET_KEY, DEBUG=false, ALLOWED_HOSTS and DATABASE_URL. A value we cannot
understand stops the app at start-up instead of being silently ignored.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from billexplain.environment import env_bool, env_int, env_list, env_rate

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - only ever used with DEBUG on
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # The key signs sessions and CSRF tokens: a short or placeholder one is no key at all.
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS when DEBUG is off.")
# Only needed when a proxy changes the Host header, e.g. "https://bills.example.org".
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "billexplain.coding",
    "billexplain.bills",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Picks English or Spanish from the language cookie, then Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out admin login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out client before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "billexplain.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "billexplain.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        # A kept connection is checked before reuse, so a database restart costs no failed request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each explain request counts itself (the rate limit): with write-ahead logging a count costs no
    # fsync and never blocks the workers reading, and IMMEDIATE takes the write lock up front, so two
    # workers counting at once wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# An index of ICD-10-CM descriptions, built from the simple-icd-10-cm package on first use.
ICD_INDEX_PATH = Path(os.environ.get("ICD_INDEX_PATH") or BASE_DIR / "var" / "icd10cm-index.tsv")

# Bills are read in memory and forgotten: never spill an upload to a temporary file.
FILE_UPLOAD_HANDLERS = ["billexplain.bills.uploads.BillUploadHandler"]
# The largest bill file we accept (Django's own limit does not cover files).
BILL_UPLOAD_MAX_BYTES = env_int("BILL_UPLOAD_MAX_MB", 20) * 1024 * 1024
BILL_MAX_PAGES = env_int("BILL_MAX_PAGES", 50)
BILL_TEXT_MAX_CHARS = env_int("BILL_TEXT_MAX_CHARS", 1_000_000)
# A PDF is parsed in a forked child with these limits (bills/isolation.py): CPU seconds, and
# megabytes of memory above what the worker already uses.
BILL_PARSE_SECONDS = env_int("BILL_PARSE_SECONDS", 8)
BILL_PARSE_MEMORY_MB = env_int("BILL_PARSE_MEMORY_MB", 1536)
# Photos and scans (bills/ocr.py): the most pixels a picture or a rendered page may have (a small
# file can claim a huge picture), and the seconds Tesseract may spend on one page and on one file.
BILL_MAX_IMAGE_PIXELS = env_int("BILL_MAX_IMAGE_PIXELS", 40_000_000)
BILL_OCR_PAGE_SECONDS = env_int("BILL_OCR_PAGE_SECONDS", 20)
BILL_OCR_TOTAL_SECONDS = env_int("BILL_OCR_TOTAL_SECONDS", 90)
# Tesseract language packs, joined with "+"; each one added makes reading slower.
BILL_OCR_LANGUAGES = os.environ.get("BILL_OCR_LANGUAGES") or "eng"
# Pasted text arrives as form data: let it through up to the text limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = BILL_TEXT_MAX_CHARS * 4 + 64 * 1024

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600, minimum=0) if not DEBUG else 0
# Deliberate choices for the domain's owner (README, "Running in production").
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind it, X-Forwarded-Proto says whether the patient used HTTPS and X-Forwarded-For who they are
# (the rate limit and the admin lockout count per address); the proxy must set both itself.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_HTTPS_PROXY else None

# Content-Security-Policy (django-csp 4): our own scripts, styles and images only, nothing inline,
# so text from a bill can never run even if it slipped past escaping. htmx is set up for this in
# base.html (no injected indicator styles, no eval). data: images are the OCR snippets we draw.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# The admin: staff only (Django's own check), at an address of the operator's choosing, and locked
# for a while after repeated failed logins from one client address (django-axes, in the database).
ADMIN_URL = os.environ.get("ADMIN_URL") or "admin/"
if not re.fullmatch(r"([A-Za-z0-9._~-]+/)+", ADMIN_URL) or ".." in ADMIN_URL:
    raise ImproperlyConfigured(
        f"ADMIN_URL must be a path like 'staff-7f3a/': letters, digits, '.', '_', '~' or '-', "
        f"no leading slash, ending with '/', not {ADMIN_URL!r}."
    )
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "billexplain.bills.limits.client_address"

# Bills explained per client address (the page's POST and POST /api/explain together), counted
# in the database all workers share: "30/m", "200/h", "5/10s".
RATELIMIT_EXPLAIN = env_rate("RATELIMIT_EXPLAIN", "30/m")

# Error reports (Django's error e-mails, the debug page) and logged failures never carry the
# request body, uploaded file names, local variables or exception messages: any may quote a bill.
DEFAULT_EXCEPTION_REPORTER_FILTER = "billexplain.privacy.PrivateExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "billexplain.privacy.PrivateExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"withhold_messages": {"()": "billexplain.privacy.WithholdExceptionMessages"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["withhold_messages"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Failed requests would otherwise be logged with the request attached; a bill must never reach a log.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The PDF and image libraries log what they parse (pdfminer's debug lines hold every string on
        # the page) and Django's query log holds the codes: quiet, whatever level the root is set to.
        "django.db.backends": {"level": "INFO"},
        **{
            name: {"level": "CRITICAL"}
            for name in ("pdfminer", "pdfplumber", "pypdfium2", "PIL", "pytesseract", "pillow_heif")
        },
    },
}
