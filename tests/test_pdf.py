import io
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from billexplain.bills.extraction import Word, extract
from billexplain.bills.pdf import X_TOLERANCE_RATIO, UnreadablePdf, _page_words, read_pdf
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


BILLS = Path(__file__).parent / "data" / "bills"


def _words_both_ways(data):
    """Each page's words from our layout reader and from pdfplumber's extract_words, side by side
    (both part words at gaps wider than a quarter of the font size)."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            ours = _page_words(page)
            words = page.extract_words(x_tolerance_ratio=X_TOLERANCE_RATIO)
            theirs = [Word(w["text"], w["x0"], w["x1"], w["top"]) for w in words]
            page.close()
            yield ours, theirs


@pytest.mark.parametrize("path", sorted(BILLS.glob("*.pdf")), ids=lambda path: path.name)
def test_words_read_from_the_layout_are_exactly_the_words_pdfplumber_finds(path):
    for ours, theirs in _words_both_ways(path.read_bytes()):
        assert ours == theirs


def test_a_page_with_turned_text_is_read_as_pdfplumber_reads_it():
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, "03/14/2025 99213 Office visit $150.00")
    sheet.saveState()
    sheet.translate(40, 400)
    sheet.rotate(90)
    sheet.drawString(0, 0, "Account 4471203 page 1")
    sheet.restoreState()
    sheet.save()
    [(ours, theirs)] = _words_both_ways(buffer.getvalue())
    assert ours == theirs and "99213" in [word.text for word in ours]


def test_columns_a_little_apart_in_small_print_are_separate_words():
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.setFont("Helvetica", 6)
    x = 72
    for cell in ("04/02/25", "0335", "96413", "CHEMO IV INFUSION 1 HR", "1,210.00"):
        sheet.drawString(x, 720, cell)
        x += sheet.stringWidth(cell, "Helvetica", 6) + 2  # two points apart: narrower than pdfplumber's 3
    sheet.save()
    pdf = read_pdf(buffer.getvalue(), max_pages=5)
    assert [item.code for item in extract(pdf.lines).items] == ["96413"]


def searchable_scan(text_rows):
    """A scanned page with the scanner's own OCR as hidden text over the picture."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=(612, 792))
    sheet.drawImage(ImageReader(Image.new("L", (850, 1100), 250)), 0, 0, width=612, height=792)
    hidden = sheet.beginText()
    hidden.setTextRenderMode(3)  # invisible, as scanners write their OCR
    for index, row in enumerate(text_rows):
        hidden.setTextOrigin(72, 700 - 16 * index)
        hidden.textLine(row)
    sheet.drawText(hidden)
    sheet.save()
    return buffer.getvalue()


def test_a_searchable_scans_hidden_text_gets_the_scanners_misreads_of_codes_fixed():
    # Enough words that the page is read as the scanner left it, not read again with our own OCR
    words = ["Lakeside Clinic, itemized statement of the services given to Dana Whitfield in March"] * 4
    rows = [*words, "03/14/2025 992l3 Office visit $150.00", "03/14/2025 3641S Blood draw $25.00", "Invoice B0Z 14"]
    pdf = read_pdf(searchable_scan(rows), max_pages=5)
    assert pdf.scanned_pages == ()
    assert [item.code for item in extract(pdf.lines).items] == ["99213", "36415"]
    assert pdf.lines[-1].text == "Invoice B0Z 14"


def test_a_text_pdf_keeps_its_words_as_they_are():
    pdf = read_pdf(pdf_with_rows([("03/14/2025", "992l3", "Office visit", "$150.00")]), max_pages=5)
    assert "992l3" in pdf.lines[-1].text and not extract(pdf.lines).items
