"""Say a sentence from a module without Django (see `billexplain.wording`) in the active language."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

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
        return date_format(value, pgettext("date in a sentence (Django date filter letters)", "F j, Y"))
    return value
