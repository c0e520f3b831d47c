"""Sentences for patients, written by the modules that do not import Django. Pure Python.

Such a module writes each sentence in English and marks it with `gettext_noop`, so
that `manage.py makemessages` finds it. A sentence with values in it travels as a
`Sentence`: a plain English string that also keeps its template and values, so that
where the page or the JSON is made, `billexplain.i18n.say` can say it again in the
reader's language. A sentence without values is translated by its own text.
"""

from datetime import date


def gettext_noop(message):
    """Mark an English sentence for translation; it is translated later, where it is shown."""
    return message


class Sentence(str):
    """English text made from a template and values, that remembers both."""

    def __new__(cls, template, **values):
        english = template % {name: _english(value) for name, value in values.items()} if values else template
        text = super().__new__(cls, english)
        text.template = template
        text.values = values
        return text


def _english(value):
    if isinstance(value, date):
        return f"{value:%B} {value.day}, {value.year}"
    return value
