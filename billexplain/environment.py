"""Settings read from the environment, checked: a value we cannot understand stops the start.

Used by settings.py and by gunicorn.conf.py (which reads its own values before Django starts).
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default, minimum=1):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value!r}.")
    return number


def env_rate(name, default):
    """(requests, seconds) from "30/m", "100/h" or "5/10s" (per s, m, h or d)."""
    value = (os.environ.get(name) or default).strip()
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])", value)
    if not match or int(match[1]) < 1 or match[2] == "0":
        raise ImproperlyConfigured(f"{name} must be a number of requests per s, m, h or d, like 30/m, not {value!r}.")
    return int(match[1]), int(match[2] or 1) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[3]]


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
