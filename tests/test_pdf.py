import pytest

from billexplain.bills.extraction import extract
from billexplain.bills.pdf import UnreadablePdf, read_pdf
from tests.pdfs import pdf_with_form_fields, pdf_with_rows

ROWS = [
    ("03/14/2025", "99213", "Office visit", "$150.00"),
    ("03/14/2025", "J1100", "Dexamethasone injection", "$12.50"),
]


def test_it_reads_the_codes_in_a_pdf_table():
    pdf = read_pdf(pdf_with_rows(ROWS), max_pages=5)
    assert [item.code for item in extract(pdf.lines).items] == ["99213", "J1100"]
    assert (pdf.pages, pdf.pages_with_text) == (1, 1)


def test_it_numbers_the_pages_codes_are_found_on():
    pdf = read_pdf(pdf_with_rows(ROWS, pages=2), max_pages=5)
    assert [item.page for item in extract(pdf.lines).items] == [1, 1, 2, 2]


def test_it_reads_codes_held_only_in_form_fields():
    data = pdf_with_form_fields([("03 14 25", "99213", "25", "150 00"), ("03 14 25", "36415", "", "25 00")])
    items = extract(read_pdf(data, max_pages=5).lines).items
    assert [(item.code, item.modifiers) for item in items] == [("99213", ("25",)), ("36415", ())]


def test_it_refuses_a_pdf_with_too_many_pages():
    with pytest.raises(UnreadablePdf, match="3 pages"):
        read_pdf(pdf_with_rows(ROWS, pages=3), max_pages=2)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n garbage", b"%PDF-", pdf_with_rows(ROWS)[:400]])
def test_it_turns_a_broken_pdf_into_a_plain_message(data):
    with pytest.raises(UnreadablePdf, match="could not read"):
        read_pdf(data, max_pages=5)
