"""How many bills one client address may ask us to explain in a while.

The counts live in the database every worker shares, one row per client and window,
bumped by a single INSERT ... ON CONFLICT ... RETURNING statement: atomic across
workers and servers, and one query per request. (Django's DatabaseCache would need
five to eleven queries per request and its `incr` is a read then a write, so workers
racing each other would lose counts.) A row holds a keyed hash of the address, never
the address itself, and never anything from the bill.
"""

import functools
import ipaddress
import logging
import math
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


def client_address(request):
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For address behind our HTTPS proxy.

    None when there is none (a request made in code, as Django's test client's force_login makes).

    The proxy must set X-Forwarded-For itself (replacing what a client sent), as it does
    X-Forwarded-Proto; otherwise a client could write any address there.
    """
    if settings.BEHIND_HTTPS_PROXY:
        first = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if _is_address(first):
            return first
    return request.META.get("REMOTE_ADDR") or None


def rate_limited(answer, scope="explain"):
    """Let a client POST to the view RATELIMIT_EXPLAIN times a window; past that, `answer(request, retry_after=N)`.

    GET, HEAD and the rest are never counted. The page and the API share one count.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                retry_after = over_limit(request, scope)
                if retry_after is not None:
                    return answer(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def over_limit(request, scope="explain"):
    """Count this request; the seconds until the window ends if the client is over the limit, else None."""
    limit, period = settings.RATELIMIT_EXPLAIN
    now = time.time()
    window = int(now // period)
    client = f"{_bucket(client_address(request) or 'unknown')}:{window}"
    key = salted_hmac(f"billexplain.ratelimit.{scope}", client, algorithm="sha256").hexdigest()
    ends = (window + 1) * period
    try:
        count = _bump(key, _moment(ends), _moment(now))
    except DatabaseError:
        # Better to serve a patient unlimited than not at all; say so (no address, no bill).
        logger.warning("The rate limit could not be counted; this request was let through.", exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil(ends - now))


def _bump(key, expires, now):
    from billexplain.bills.models import RequestCount

    quote = connection.ops.quote_name
    table, key_column, count, expires_column = (
        quote(name) for name in (RequestCount._meta.db_table, "key", "count", "expires")
    )
    with connection.cursor() as cursor:
        # Only our own table and column names are formatted in; the values are parameters.
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count}, {expires_column}) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT ({key_column}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}",
            [key, expires],
        )
        number = cursor.fetchone()[0]
        if number == 1:
            # A new window for this client: a good moment to forget the windows that are over.
            cursor.execute(f"DELETE FROM {table} WHERE {expires_column} < %s", [now])  # noqa: S608
    return number


def _moment(timestamp):
    """A time as the ORM would store it in a DateTimeField on this database."""
    return connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(timestamp, tz=UTC))


def _bucket(address):
    """An IPv6 client usually holds a whole /64: count the network, not each of its addresses."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _is_address(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
