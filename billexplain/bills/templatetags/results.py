"""The two long parts of the results: the table of the bill's lines and the section on each code.

A bill has dozens of lines and codes, each with several values. Django's template engine
spends a few microseconds on every value it looks up and escapes: these two parts were
four fifths of the time it took to render the results, more than reading the bill.
Here each row and each section is a few string formats: every value from the bill or
the database goes through `escape` (html.escape, as Django's escape does), and only
our own markup goes in unescaped. tests/test_results_markup.py holds the markup.
"""

from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from billexplain.coding.templatetags.explanations import explanation_html

register = template.Library()

ROW = (
    "<tr{attention}>"
    "<td>{day}</td>"
    '<td><a href="#code-{code}">{code}</a>{modifiers}{check}</td>'
    "<td>{description}{notes}</td>"
    '<td class="num">{units}</td>'
    '<td class="num">{charge}</td>'
    "</tr>"
)


@register.simple_tag
def bill_rows(rows):
    """The table's body rows for report.rows (report.Row)."""
    return mark_safe("\n".join(_row(row) for row in rows))  # noqa: S308 every value is escaped in _row


def _row(row):
    code = escape(row.code.code)
    return ROW.format(
        attention=' class="needs-attention"' if row.attention else "",
        day=escape(row.day or "—"),
        code=code,
        modifiers="".join(f'<span class="modifier">-{escape(m.code)}</span>' for m in row.modifiers),
        check=_check_reading(row) if row.check_reading else "",
        description=escape(str(row.description)),
        notes="".join(f'<br><span class="dept">{escape(note)}</span>' for note in row.notes),
        units=escape(row.units),
        charge=f"${escape(localize(row.item.charge))}" if row.item.charge else "—",
    )


def _check_reading(row):
    """A code OCR was not sure of: ask the patient to compare it with the picture."""
    code = row.code.code
    sentence = escape(_("We read this as %(code)s. Please check.") % {"code": code})
    check = f'<br><span class="check">{sentence}</span>'
    if not row.snippet:
        return check
    alt = escape(_("The part of your picture we read as %(code)s") % {"code": code})
    return f'{check}<br><img class="snippet" src="{escape(row.snippet)}" alt="{alt}">'


@register.simple_tag
def code_sections(sections):
    """A folded section for each code (report.CodeSection), the first one open."""
    language = get_language()
    html = (_section(section, language, first=index == 0) for index, section in enumerate(sections))
    return mark_safe("\n".join(html))  # noqa: S308 every value is escaped in _section


def _section(section, language, first):
    code = section.code
    name = _(code.classification.name)
    parts = [
        f'<details class="code" id="code-{escape(code.code)}"{" open" if first else ""}>',
        f'<summary><span class="code-id">{escape(code.code)}</span> {escape(name)}</summary>',
        explanation_html(code, language),
        f'<p class="code-set">{escape(code.code_set_sentence)}</p>',
    ]
    if code.status_sentence:
        parts.append(f'<p class="status status-{escape(slugify(code.status))}">{escape(code.status_sentence)}</p>')
    if section.price:
        parts.append(
            f'<p class="price"><span class="label">{escape(section.medicare_pays)}</span> '
            f'{escape(section.medicare_amounts)} <span class="price-note">{escape(section.price.note)}</span></p>'
        )
    if section.places:
        parts.append(f'<p class="where">{escape(section.places)}</p>')
    if section.modifiers:
        items = "".join(_modifier(note, language) for note in section.modifiers)
        parts.append(f'<ul class="modifiers">{items}</ul>')
    parts.append("</details>")
    return "\n".join(parts)


def _modifier(note, language):
    """A modifier and its meaning; a CMS text in English on a Spanish page says so, with lang for screen readers."""
    lang = f' lang="{escape(note.language)}"' if note.language and note.language != language else ""
    official = ""
    if note.official:
        official = ' <span class="official-note">(' + escape(_("official CMS description, in English")) + ")</span>"
    meaning = f"<span{lang}>{escape(note.meaning)}</span>"
    return f'<li><span class="code-id">{escape(note.code)}</span> {meaning}{official}</li>'
