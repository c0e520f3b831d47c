"""Say a sentence from a module without Django (see `billexplain.wording`) in the active language."""

import functools
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, pgettext

from billexplain.wording import Sentence


def say(text):
    """The text in the active language: a `Sentence` with its values, a marked sentence by its words."""
    if not text:
        return text
    if isinstance(text, Sentence) and text.values:
        return gettext(text.template) % {name: _local(value) for name, value in text.values.items()}
    return gettext(text)


def _local(value):
    if isinstance(value, date):
        return _date_in_words(value, get_language())
    return value


@functools.lru_cache(maxsize=1024)
def _date_in_words(day, language):
    """ "March 14, 2025" in the active language (`language`, which keys the cache). A bill's findings
    name the same few days again and again, and Django's date_format is slow next to a lookup."""
    return date_format(day, pgettext("date in a sentence (Django date filter letters)", "F j, Y"))
