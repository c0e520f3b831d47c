"""Gunicorn settings for serving billexplain in production (`make serve`, and behind a load balancer).

Gunicorn reads this file on its own when started from the project root. Every value
can be changed from the environment; a value we cannot understand stops the start.
"""

import gc
import multiprocessing
import os

from django.core.exceptions import ImproperlyConfigured

from billexplain.environment import env_int


def _env_int(name, default, minimum=1):
    try:
        return env_int(name, default, minimum)
    except ImproperlyConfigured as error:
        raise SystemExit(str(error)) from None


def _default_workers():
    # Gunicorn's rule of thumb (2 x cores + 1), capped: each worker may hold a
    # whole PDF being parsed, so more workers than this mostly buys memory use.
    return min(2 * multiprocessing.cpu_count() + 1, 12)


wsgi_app = "billexplain.wsgi:application"
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]

# Sync workers, one request per process: pdfplumber's pypdfium2 is not thread-safe,
# and reading a bill is CPU work that threads would not speed up anyway.
worker_class = "sync"
workers = _env_int("WEB_CONCURRENCY", _default_workers())
threads = 1

# A request that reads a long PDF may take seconds; one that takes longer than this
# is stuck, and its worker is replaced.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a load balancer connections are reused; keep them open a little longer than none.
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)

# Replace each worker after a while: parsing PDFs fragments memory that Python does not give back.
# The wide jitter keeps the workers from all restarting at the same moment.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = max_requests // 2

# Load the app once before forking: settings that refuse to start fail here, once,
# and the workers share the imported code and data.
preload_app = True


def when_ready(server):
    """Runs in the master after the app is loaded, before the first worker is forked."""
    # Load the diagnosis index here, once, so every worker shares it instead of each
    # reading it on its first bill with a diagnosis code.
    from billexplain.coding import diagnoses

    diagnoses.describe("I10")
    # Keep what the master loaded out of the workers' garbage collections, so they
    # share those memory pages instead of each copying them.
    gc.freeze()


# The heartbeat file on a RAM disk: a slow or full disk must not make workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a directory, not a file name

# Proxies whose X-Forwarded-* headers we believe (the load balancer's addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The control socket lives at one path per user: two instances on one machine would
# fight over it, and we do not use it.
control_socket_disable = True

# Access log: method, path, status, size and time. Never the query string, the
# referrer or a body: a bill is health information and must not reach a log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
