"""The rows of the bill's table (bills/templatetags/bill_table.py), as the patient's page shows them."""

from dataclasses import replace

import pytest
from django.utils.translation import override

from billexplain.bills.explain import OcrCheck, explain_text
from billexplain.bills.report import build
from billexplain.bills.templatetags.bill_table import bill_rows

pytestmark = pytest.mark.usefixtures("content")


def rows_html(bill, language="en"):
    with override(language):
        return str(bill_rows(build(explain_text(bill, language=language)).rows))


@pytest.mark.parametrize(
    ("bill", "row"),
    [
        (
            "03/14/2025 99213 Office visit 1 $150.00",
            '<tr><td>Mar 14, 2025</td><td><a href="#code-99213">99213</a></td>'
            '<td>Office visit</td><td class="num">1</td><td class="num">$150.00</td></tr>',
        ),
        (
            "99213-25 Office visit",
            '<tr><td>—</td><td><a href="#code-99213">99213</a><span class="modifier">-25</span></td>'
            '<td>Office visit</td><td class="num">—</td><td class="num">—</td></tr>',
        ),
        (
            "03/14/2025 0450 99283 ER visit $900.00",
            '<td>ER visit<br><span class="dept">Hospital department: Emergency room (0450)</span></td>',
        ),
        (
            "02/01/2022 99201 New patient visit $90.00",
            '<tr class="needs-attention"><td>Feb 1, 2022</td>',
        ),
    ],
)
def test_each_line_of_the_bill_is_a_row_of_date_code_words_units_and_charge(bill, row):
    assert row in rows_html(bill)


def test_a_spanish_page_writes_the_date_the_spanish_way():
    assert "<tr><td>14 mar 2025</td>" in rows_html("03/14/2025 99213 Office visit 1 $150.00", language="es")


@pytest.mark.parametrize(
    ("words", "shown"),
    [
        ('<script>alert("x")</script>', "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        ("Tom & Jerry's <b>visit</b>", "Tom &amp; Jerry&#x27;s &lt;b&gt;visit&lt;/b&gt;"),
        ("{{ 7|add:1 }}", "{{ 7|add:1 }}"),
    ],
)
def test_the_words_from_the_bill_are_shown_as_text_never_as_markup(words, shown):
    explanation = explain_text("03/14/2025 0450 99213 Office visit $150.00")
    item = replace(explanation.items[0], description=words, ndc=words)
    html = str(bill_rows(build(replace(explanation, items=(item,))).rows))
    assert f"<td>{shown}<br>" in html and f"Drug package number (NDC): {shown}</span>" in html


def test_a_code_read_with_doubt_asks_the_patient_to_compare_it_with_the_picture():
    explanation = explain_text("03/14/2025 99213 Office visit $150.00")
    item = replace(explanation.items[0], confidence=0.6)
    check = OcrCheck("99213", item.page, item.line, "9921З", 55.0, b"\x89PNG")
    html = str(bill_rows(build(replace(explanation, items=(item,), ocr_checks=(check,))).rows))
    assert '<tr class="needs-attention">' in html
    assert '<br><span class="check">We read this as 99213. Please check.</span>' in html
    picture = 'src="data:image/png;base64,iVBORw==" alt="The part of your picture we read as 99213"'
    assert f'<br><img class="snippet" {picture}>' in html
