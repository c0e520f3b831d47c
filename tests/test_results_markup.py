"""The table of the bill's lines and the section on each code (bills/templatetags/results.py)."""

from dataclasses import replace

import pytest
from django.utils.translation import override

from billexplain.bills.explain import OcrCheck, explain_text
from billexplain.bills.report import build
from billexplain.bills.templatetags.results import bill_rows, code_sections
from billexplain.coding.models import CodeNote

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


def sections_html(bill, language="en"):
    with override(language):
        return str(code_sections(build(explain_text(bill, language=language)).sections))


def test_each_code_gets_a_folded_section_and_the_first_one_is_open():
    html = sections_html("03/14/2025 99213-25 Office visit $150.00\n03/14/2025 99214 Office visit $190.00")
    assert html.count('<details class="code"') == 2
    assert '<details class="code" id="code-99213" open>' in html and '<details class="code" id="code-99214">' in html
    assert '<summary><span class="code-id">99213</span> Office and clinic visits</summary>' in html
    assert '<p class="code-set">This is a CPT code (Category I).' in html
    assert '<p class="where">On your bill: page 1, line 1</p>' in html
    assert '<ul class="modifiers"><li><span class="code-id">25</span> <span>' in html


@pytest.mark.usefixtures("office_visit_price")
def test_a_section_gives_medicares_price_and_a_code_no_longer_in_use_says_so():
    html = sections_html("03/14/2025 99213 Office visit $150.00\n02/01/2022 99201 New patient visit $90.00")
    assert '<p class="price"><span class="label">What Medicare pays (2025, national):</span> $88.95' in html
    assert '<p class="status status-ended">The AMA ended this code on 2020-12-31.</p>' in html


@pytest.mark.usefixtures("j1100")
@pytest.mark.parametrize(
    ("language", "official"),
    [
        ("en", '<span class="label">Official CMS description</span>, from the file HCPC2025_OCT_ANWEB: '),
        ("es", '<span class="label">Descripción oficial de CMS</span> (en inglés), del archivo HCPC2025_OCT_ANWEB: '),
    ],
)
def test_a_level_two_code_shows_the_official_cms_text_marked_as_english(language, official):
    html = sections_html("03/14/2025 J1100 Dexamethasone 1 $9.00", language=language)
    description = '<span lang="en">Injection, dexamethasone sodium phosphate, 1 mg</span>'
    assert f'<p class="official">{official}{description}</p>' in html


def test_our_words_not_yet_in_spanish_are_marked_english_on_a_spanish_page():
    CodeNote.objects.filter(code="99213").update(plain_language="Our English note.", plain_language_es="")
    html = sections_html("03/14/2025 99213 Office visit $150.00", language="es")
    assert '<p class="plain" lang="en">Our English note.</p>\n<p class="official-note">' in html


def test_words_staff_wrote_are_shown_as_text_never_as_markup():
    CodeNote.objects.filter(code="99213").update(plain_language='A <b>visit</b> & "more"')
    html = sections_html("03/14/2025 99213 Office visit $150.00")
    assert '<p class="plain">A &lt;b&gt;visit&lt;/b&gt; &amp; &quot;more&quot;</p>' in html
