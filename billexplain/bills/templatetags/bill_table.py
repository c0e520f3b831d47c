"""The lines of the bill's table, one <tr> each.

A bill has dozens of lines, each with eight values. Django's template engine spends a few
microseconds on every value it looks up and escapes, which made this table over a third
of the time it took to render the results. Here each row is one string format: every
value from the bill or the database goes through `escape` (html.escape, as Django's
escape does), and only our own markup goes in unescaped.
"""

from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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
    check = f'<br><span class="check">{escape(_("We read this as %(code)s. Please check.") % {"code": code})}</span>'
    if not row.snippet:
        return check
    alt = escape(_("The part of your picture we read as %(code)s") % {"code": code})
    return f'{check}<br><img class="snippet" src="{escape(row.snippet)}" alt="{alt}">'
