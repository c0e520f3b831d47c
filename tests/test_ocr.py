"""Photos and scans (bills/ocr.py), with bills drawn here by Pillow and reportlab: never a real bill.

The tests that run Tesseract skip when it is missing, unless REQUIRE_OCR is set (as CI sets it):
then they fail, so a machine without Tesseract cannot pass them by skipping.
"""

import csv
import io
import json
import os
import struct
import tempfile
import time
import zlib
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from billexplain.bills import ocr
from billexplain.bills.explain import BillError, as_json, explain_file
from billexplain.bills.extraction import Line, extract
from billexplain.bills.forms import BillForm
from tests.pdfs import pdf_with_rows
from tests.renders import encoded, image_pdf, noise, photographed, rescanned

MISSING = (
    "Tesseract is not installed: run `apt-get install -y tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa` "
    "to run the OCR tests."
)
# Liberation Sans has Arial's shapes, as most printed bills do (Debian fonts-liberation); DejaVu next.
FONT_FILES = [
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
]
ROWS = [
    ("03/14/2025", "99213", "Office visit", "$150.00"),
    ("03/14/2025", "J1100", "Dexamethasone inj", "$12.50"),
    ("03/14/2025", "36415", "Blood draw", "$25.00"),
]
CODES = {"99213", "J1100", "36415"}
OWN_BILLS = Path(__file__).parent / "data" / "bills"


@pytest.fixture
def tesseract():
    if not ocr.available():
        if os.environ.get("REQUIRE_OCR"):
            pytest.fail(MISSING + " (REQUIRE_OCR is set, so the OCR tests may not be skipped.)")
        pytest.skip(MISSING)


@pytest.fixture
def no_tesseract(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)


def font(size):
    for path in FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def bill_image(rows=ROWS, size=26):
    """A short itemized bill as a scanner would see it: black print on white, in columns."""
    image = Image.new("L", (1150, 330 + 40 * len(rows)), 255)
    draw = ImageDraw.Draw(image)
    draw.text((60, 40), "Lakeside Clinic, 12 Harbor Road, Springfield, IL 62704", font=font(size), fill=0)
    draw.text((60, 80), "Account # 55123   Statement date 03/20/2025", font=font(size), fill=0)
    columns = (60, 260, 420, 900)
    for x, label in zip(columns, ("Date", "CPT/HCPCS", "Description", "Charge"), strict=True):
        draw.text((x, 170), label, font=font(size), fill=0)
    for index, row in enumerate(rows):
        for x, value in zip(columns, row, strict=True):
            draw.text((x, 220 + 40 * index), value, font=font(size), fill=0)
    return image


def scanned_pdf(image):
    """A PDF whose only page is a picture, as a scanner makes it: no text layer at all."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=letter)
    width = letter[0] - 72
    height = width * image.height / image.width
    sheet.drawImage(ImageReader(image), 36, letter[1] - 36 - height, width=width, height=height)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def truth_codes(name):
    with (OWN_BILLS / "truth.csv").open(newline="", encoding="utf-8") as rows:
        return {row["code"] for row in csv.DictReader(rows) if row["file"] == name}


def png_claiming(width, height):
    """A tiny PNG whose header claims a huge picture: a decompression bomb as far as any reader can tell."""
    data = bytearray(encoded(Image.new("L", (1, 1), 255)))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:33] = header + struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def found_codes(result):
    return {item["code"] for item in result["line_items"]}


# --- Pure: no Tesseract needed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (encoded(Image.new("RGB", (4, 4)), "JPEG"), "jpeg"),
        (encoded(Image.new("L", (4, 4))), "png"),
        (encoded(Image.new("L", (4, 4)), "TIFF"), "tiff"),
        (encoded(Image.new("RGB", (4, 4)), "WEBP"), "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heic"),
        (b"GIF89a....", None),
        (b"%PDF-1.7\n", None),
        (b"03/14/2025 99213 Office visit", None),
        (b"", None),
    ],
)
def test_it_tells_picture_kinds_apart_by_their_bytes_not_their_names(data, kind):
    assert ocr.image_type(data) == kind


@pytest.mark.parametrize(
    ("token", "fixed"),
    [
        ("DO120", "D0120"),  # a dental code with the letter O for a zero
        ("9921З", "99213"),  # a Cyrillic Ze for a 3
        ("99Z13,25", "99213,25"),  # the glued modifier stays as it is
        ("(AQ425:NH)", "(A0425:NH)"),  # brackets and an ambulance modifier around it
        ("GQ378", "G0378"),
        ("8O0S3", "80053"),
        ("07O486", "070486"),  # zero-padded, as hospital systems print codes
        ("3O74F", "3074F"),  # a CPT Category II code
        ("GO463HOSPITAL", "G0463HOSPITAL"),  # glued to its description where the columns touch
        ("3641SVENIPUNCTURE", "36415VENIPUNCTURE"),
        ("SO181XA", "SO181XA"),  # a diagnosis code's 7th character is no description
        ("GO463Hospital", "GO463Hospital"),  # only capitals: a run of small letters is more likely a word
        ("2OI9TAX", "2OI9TAX"),  # too few real digits, glued or not
        ("j1100", "J1100"),  # a capital read as a small letter
        ("e0163", "E0163"),
        ("£0114", "E0114"),  # an E read as a pound sign
        ("bB800", "bB800"),  # a small letter and a swap too: a smudge, not a code
        ("o1234", "o1234"),  # but never a small letter that is also a digit look-alike
        ("99213", "99213"),  # already a code
        ("Z0000", "Z0000"),  # a diagnosis code without its dot keeps its letter
        ("l0140", "l0140"),  # the first character never changes: L or 1 cannot be told apart
        ("SOLID", "SOLID"),  # words stay words
        ("BOSS1", "BOSS1"),
        ("12OO.00", "12OO.00"),  # amounts are not codes
        ("1O5O", "1O5O"),  # too short to be a code
        ("OOI23", "OOI23"),  # too few real digits to be sure
    ],
)
def test_it_changes_look_alike_letters_only_where_that_makes_a_code(token, fixed):
    assert ocr.fix_code_lookalikes(token) == fixed


def test_the_upload_form_accepts_photos_and_scans():
    accept = BillForm().fields["file"].widget.attrs["accept"]
    for kind in ("application/pdf", "image/jpeg", "image/png", "image/tiff", "image/webp", "image/heic", ".heic"):
        assert kind in accept


@pytest.mark.parametrize("size", [(7000, 7000), (100_000, 100_000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(size):
    bomb = png_claiming(*size)
    assert len(bomb) < 100
    started = time.monotonic()
    with pytest.raises(ocr.OcrError, match="too large to read"):
        ocr._open(bomb, "png", ocr.OcrLimits(max_pixels=40_000_000))
    assert time.monotonic() - started < 1


def test_a_decompression_bomb_gets_a_plain_message_from_explain(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: True)
    with pytest.raises(BillError, match="too large to read"):
        explain_file("bill.png", png_claiming(100_000, 100_000))


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n broken", b"\xff\xd8\xff\xe0 not really a jpeg"])
def test_a_broken_picture_gets_a_plain_message(monkeypatch, data):
    monkeypatch.setattr(ocr, "available", lambda: True)
    with pytest.raises(BillError, match="could not open this picture"):
        explain_file("bill.png", data)


@pytest.mark.usefixtures("no_tesseract")
def test_without_tesseract_a_photo_gets_a_message_saying_what_is_missing():
    with pytest.raises(BillError, match="needs the Tesseract OCR program"):
        explain_file("bill.jpg", encoded(bill_image(), "JPEG"))


@pytest.mark.usefixtures("no_tesseract", "content")
def test_without_tesseract_a_pdf_keeps_its_text_pages_and_says_why_the_scans_were_not_read():
    text_page = pdf_with_rows([("03/14/2025", "99213", "Office visit", "$150.00")])
    explained = explain_file("bill.pdf", text_page)
    assert [item.code for item in explained.items] == ["99213"]
    scanned = explain_file("scan.pdf", scanned_pdf(bill_image()))
    assert not scanned.items
    assert any("needs the Tesseract OCR program" in warning for warning in scanned.warnings)


@pytest.mark.usefixtures("content")
def test_codes_ocr_was_unsure_of_are_marked_for_the_patient_to_check(monkeypatch):
    def word(text, x0, confidence=96.0, original=None):
        return ocr.OcrWord(text, x0, x0 + 40, 100, bottom=110, confidence=confidence, original=original, snippet=b"png")

    words = (
        word("03/14/2025", 10),
        word("99213", 80, original="9921З"),
        word("Office", 130),
        word("visit", 180),
        word("$150.00", 260),
    )
    sure = (word("03/14/2025", 10), word("J1100", 80, confidence=93), word("$12.50", 260))
    unsure = (word("03/14/2025", 10), word("36415", 80, confidence=41), word("$25.00", 260))
    lines = [Line(1, n, " ".join(w.text for w in ws), ws) for n, ws in enumerate((words, sure, unsure), start=1)]
    monkeypatch.setattr(ocr, "ocr_image", lambda data, limits: ocr.OcrText(lines, 1, read_pages=(1,)))

    explained = explain_file("bill.png", encoded(Image.new("L", (20, 20), 255)))
    confidence = {item.code: item.confidence for item in explained.items}
    assert confidence["J1100"] >= 0.9
    assert confidence["99213"] < 0.8 and confidence["36415"] < 0.5
    assert [(check.code, check.read_as, check.snippet) for check in explained.ocr_checks] == [
        ("99213", "9921З", b"png"),
        ("36415", "36415", b"png"),
    ]
    assert any("not sure we read 2 codes" in warning for warning in explained.warnings)
    reasons = {item["code"]: item["reason"] for item in as_json(explained)["line_items"]}
    assert "please check it against your bill" in reasons["36415"]


@pytest.mark.parametrize(
    ("code", "some_of_its_lookalikes"),
    [("33301", {"J3301", "38301", "83301"}), ("C2211", {"G2211"}), ("P4010", {"94010"}), ("14253", {"A4253"})],
)
def test_the_codes_one_look_alike_character_away_are_codes_of_that_shape(code, some_of_its_lookalikes):
    lookalikes = ocr.lookalike_codes(code)
    assert some_of_its_lookalikes <= lookalikes and code not in lookalikes
    assert all(ocr.fix_code_lookalikes(other) == other for other in lookalikes)


@pytest.mark.usefixtures("content")
def test_a_code_read_from_a_picture_that_we_know_nothing_of_becomes_the_one_known_code_it_looks_like(monkeypatch):
    def row(number, code, confidence):
        words = (
            ocr.OcrWord("02/24/25", 10, 60, 100, bottom=110),
            ocr.OcrWord(code, 80, 120, 100, bottom=110, confidence=confidence, snippet=b"png"),
            ocr.OcrWord("Triamcinolone", 130, 220, 100, bottom=110),
            ocr.OcrWord("$48.00", 260, 300, 100, bottom=110),
        )
        return Line(1, number, " ".join(w.text for w in words), words)

    # 33301 (heart surgery, which we have no note on) beside a drug is J3301 misread, even read with
    # confidence; 36415 we know.
    lines = [row(1, "33301", 52.0), row(2, "33301", 93.0), row(3, "36415", 52.0)]
    monkeypatch.setattr(ocr, "ocr_image", lambda data, limits: ocr.OcrText(lines, 1, read_pages=(1,)))

    explained = explain_file("bill.png", encoded(Image.new("L", (20, 20), 255)))
    assert [(item.line, item.code) for item in explained.items] == [(1, "J3301"), (2, "J3301"), (3, "36415")]
    assert [(check.line, check.code, check.read_as) for check in explained.ocr_checks] == [
        (1, "J3301", "33301"),
        (2, "J3301", "33301"),
        (3, "36415", "36415"),
    ]


# --- Tesseract ------------------------------------------------------------------------------


@pytest.mark.usefixtures("tesseract")
def test_it_finds_the_codes_on_a_clean_picture_and_not_the_zip_or_account_number():
    result = ocr.ocr_image(encoded(bill_image()))
    texts = [line.text for line in result.lines]
    assert any("99213" in text and "$150.00" in text for text in texts)
    words = [word for line in result.lines for word in line.words]
    assert all(isinstance(word, ocr.OcrWord) and 0 <= word.x0 < word.x1 <= 612 for word in words)
    assert all(word.confidence > 0 for word in words)


def dark_mode(image):
    """As a phone in dark mode shows the bill: grey print on a near-black background."""
    return image.point(lambda level: 28 + round((255 - level) * 0.6))


def test_light_print_on_dark_is_told_apart_from_a_bill_on_a_dark_table():
    on_a_table = Image.new("L", (2000, 1400), 35)
    on_a_table.paste(bill_image(), (400, 300))
    assert ocr._light_on_dark(dark_mode(bill_image()))
    assert not ocr._light_on_dark(bill_image()) and not ocr._light_on_dark(on_a_table)


@pytest.mark.usefixtures("tesseract")
def test_a_screenshot_in_dark_mode_gets_its_codes_read():
    screenshot = dark_mode(bill_image(size=22).resize((1170, 420)))
    texts = " ".join(line.text for line in ocr.ocr_image(encoded(screenshot)).lines)
    assert set(texts.split()) >= CODES


@pytest.mark.usefixtures("tesseract", "content")
def test_a_tilted_blurred_grainy_shadowed_photo_is_explained():
    photo = encoded(photographed(bill_image()), "JPEG", quality=80)
    explained = explain_file("IMG_0042.jpg", photo)
    result = as_json(explained, "IMG_0042.jpg")
    assert found_codes(result) == CODES
    assert result["source"] == {"kind": "image", "pages": 1, "ocr_pages": [1]}
    # Straightened: each row of the bill comes back as one line, with its date and charge.
    items = {item["code"]: item for item in result["line_items"]}
    assert (items["99213"]["date"], items["99213"]["charge"]) == ("2025-03-14", "150.00")


@pytest.mark.usefixtures("tesseract", "content")
def test_a_photo_is_turned_the_way_the_camera_says():
    sideways = bill_image().rotate(90, expand=True)  # as the sensor stored it
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn me a quarter clockwise to show me"
    explained = explain_file("portrait.jpg", encoded(sideways.convert("RGB"), "JPEG", exif=exif))
    assert {item.code for item in explained.items} == CODES


@pytest.mark.usefixtures("tesseract", "content")
def test_a_page_scanned_upside_down_is_turned_the_right_way_up():
    upside_down = encoded(bill_image().rotate(180), "PNG")
    assert {item.code for item in explain_file("scan.png", upside_down).items} == CODES


@pytest.mark.usefixtures("tesseract")
def test_a_photo_taken_sideways_is_turned_before_it_is_read_so_it_is_read_once(monkeypatch):
    readings = []
    recognise = ocr._recognise
    monkeypatch.setattr(ocr, "_recognise", lambda *args: readings.append(1) or recognise(*args))
    sideways = encoded(bill_image().rotate(90, expand=True), "PNG")  # no EXIF turn to say so
    texts = " ".join(line.text for line in ocr.ocr_image(sideways).lines)
    assert set(texts.split()) >= CODES and len(readings) == 1


@pytest.mark.parametrize(
    ("words", "confident", "readable"),
    [
        (300, 120, True),  # a page of print
        (40, 4, False),  # a blur: a heap of guesses
        (2829, 296, True),  # a page on a speckled counter: many guesses, and much print read well
        (2, 2, False),  # nothing much
    ],
)
def test_a_page_is_readable_with_some_words_read_well_among_few_guesses_or_many_read_well(words, confident, readable):
    assert ocr._readable(ocr._Page([], words, confident)) is readable


@pytest.mark.usefixtures("tesseract", "content")
def test_a_scanned_pdf_page_is_read_with_ocr_and_says_so():
    scan = scanned_pdf(photographed(bill_image(), angle=-1.5, blur=0.8, shadow=0.2))
    result = as_json(explain_file("scan.pdf", scan))
    assert found_codes(result) == CODES
    assert result["source"] == {"kind": "pdf", "pages": 1, "ocr_pages": [1]}
    assert {"source", "codes", "line_items", "diagnosis_codes", "warnings"} <= set(result)


@pytest.mark.parametrize(("dpi", "measured"), [(96, 96), (150, 150), (300, 300)])
def test_it_measures_the_resolution_of_a_scanned_page(dpi, measured):
    document = pypdfium2.PdfDocument(rescanned(OWN_BILLS / "lab_statement.pdf", dpi))
    try:
        assert ocr._scan_dpi(document[0]) == pytest.approx(measured, abs=1)
    finally:
        document.close()


@pytest.mark.usefixtures("tesseract", "content")
def test_a_coarse_96_dpi_scan_of_a_bill_gets_its_codes_read():
    # Enlarged by pdfium to 300 dpi, this page read 3 of its 9 codes; enlarged from its own pixels, all.
    explained = explain_file("scan.pdf", rescanned(OWN_BILLS / "lab_statement.pdf", 96))
    # (Without the CMS file loaded, as in tests, a diagnosis code without its dot may come too.)
    assert truth_codes("lab_statement.pdf") <= {item.code for item in explained.items}


@pytest.mark.usefixtures("tesseract")
def test_a_scanned_page_is_drawn_from_exactly_its_own_pixels(monkeypatch):
    # pdfium rounds a page's size up: drawn at its scale, this 150 dpi scan came out a row taller,
    # every row blended with the next.
    picture = noise((1275, 1650))
    seen = []
    monkeypatch.setattr(ocr, "_read_page", lambda image, *args: seen.append(image) or ocr._Page([], 0, 0))
    ocr.ocr_pdf_pages(image_pdf([picture]), [1])
    [drawn] = seen
    assert drawn.size == (2550, 3300)
    assert ImageChops.difference(drawn, picture.resize(drawn.size, Image.Resampling.LANCZOS)).getbbox() is None


def page_read(confident, words=200, lines=30):
    return ocr._Page([Line(1, n, "") for n in range(lines)], words, confident)


@pytest.mark.parametrize(
    ("as_text", "as_table", "rows_of_print", "readings", "kept"),
    [
        (page_read(180), page_read(190), 30, 1, "text"),  # read well: once
        (page_read(80), page_read(150), 30, 2, "table"),  # a ruled table read as garble
        (page_read(80), page_read(60), 30, 2, "text"),  # hard either way: the better reading
        (page_read(80), page_read(95), 30, 2, "text"),  # a grainy photo: about as many guesses either way
        (page_read(70, words=76, lines=8), page_read(220), 84, 2, "table"),  # a table skipped
    ],
)
def test_a_page_read_badly_as_a_block_of_text_is_read_again_as_a_table_and_the_better_reading_kept(
    monkeypatch, as_text, as_table, rows_of_print, readings, kept
):
    layouts = []

    def recognise(image, number, unit, deadline, languages, layout=ocr.TEXT_LAYOUT):
        layouts.append(layout)
        return as_text if layout == ocr.TEXT_LAYOUT else as_table

    monkeypatch.setattr(ocr, "_recognise", recognise)
    monkeypatch.setattr(ocr, "_print_runs", lambda image, angle: ([20] * rows_of_print, 1.0))
    page = ocr._read_page(bill_image(), 1, 0.24, 20, "eng")
    assert len(layouts) == readings
    assert page is (as_text if kept == "text" else as_table)


def test_the_columns_of_a_table_read_block_by_block_are_put_back_into_rows():
    def line(*words):  # (text, left, top): each word 40 wide, 20 high
        return [(text, 90.0, (left, top, left + 40, top + 20)) for text, left, top in words]

    blocks = [
        line(("Date", 0, 0)),
        line(("03/14/25", 0, 50)),
        line(("03/15/25", 0, 100)),
        line(("Code", 100, 2)),
        line(("99213", 100, 52)),
        line(("36415", 100, 101)),
        line(("$150.00", 200, 48), ("paid", 250, 49)),
        line(("Total", 0, 150), ("$175.00", 200, 151)),
        line(("note", 30, 160)),  # crosses "Total": a line of its own
    ]
    rows = ocr._rows_across_blocks(blocks)
    texts = [" ".join(text for text, _, _ in sorted(row, key=lambda word: word[2][0])) for row in rows]
    assert texts == ["Date Code", "03/14/25 99213 $150.00 paid", "03/15/25 36415", "Total $175.00", "note"]


@pytest.mark.usefixtures("tesseract")
def test_a_picture_of_noise_is_refused_quickly_as_unreadable():
    started = time.monotonic()
    with pytest.raises(ocr.OcrError, match="could not read the text in this picture"):
        ocr.ocr_image(encoded(noise((1200, 900))))
    with pytest.raises(ocr.OcrError, match="could not read the text in this picture"):
        ocr.ocr_image(encoded(bill_image().filter(ImageFilter.GaussianBlur(12))))
    assert time.monotonic() - started < 5


@pytest.mark.usefixtures("tesseract", "content")
def test_a_photo_upload_is_explained_on_the_page(client):
    upload = SimpleUploadedFile("photo.jpg", encoded(photographed(bill_image()), "JPEG"), content_type="image/jpeg")
    page = client.post(reverse("home"), {"file": upload}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="code-99213"' in page and 'id="code-J1100"' in page


@pytest.mark.usefixtures("tesseract", "content")
def test_explain_json_reads_a_photo(tmp_path, capsys):
    photo = tmp_path / "bill.webp"
    photo.write_bytes(encoded(bill_image(), "WEBP", quality=90))
    call_command("explain", "--json", str(photo))
    [result] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert found_codes(result) == CODES and result["source"]["kind"] == "image"


@pytest.mark.usefixtures("tesseract", "content")
def test_an_iphone_heic_photo_is_read():
    if ocr.pillow_heif is None:
        pytest.skip("pillow-heif is not installed, so HEIC photos are refused with a message instead.")
    photo = encoded(bill_image().convert("RGB"), "HEIF", quality=90)
    assert ocr.image_type(photo) == "heic"
    assert {item.code for item in explain_file("IMG_0001.HEIC", photo).items} == CODES


@pytest.mark.usefixtures("tesseract")
def test_reading_a_picture_writes_no_file_anywhere(tmp_path, monkeypatch):
    # Tesseract reads the picture from a pipe and answers through one: nothing lands in a temp folder.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None  # let tempfile see the new TMPDIR
    try:
        before = set(os.listdir(tempfile.gettempdir()))
        assert ocr.ocr_image(encoded(bill_image())).lines
        assert set(os.listdir(tempfile.gettempdir())) == before
        assert list(tmp_path.iterdir()) == []
    finally:
        tempfile.tempdir = None


@pytest.mark.parametrize(
    ("text", "code", "when"),
    [
        # CMS-1500 box 24 read from paper: the row's number from the margin, then MM DD YY in boxes.
        ("6 03 14 25 03 14 25 11 94760 bo fe B 22 00 1 NPI", "94760", date(2025, 3, 14)),
        ("1 02 10 17 02 10 17 21 1C 99201 01 02 03 04 1 NPI", "99201", date(2017, 2, 10)),
        ("03 14 25 11 J7620 JZ", "J7620", date(2025, 3, 14)),
    ],
)
def test_a_claim_form_row_read_from_paper_keeps_its_date_after_the_row_number(text, code, when):
    [item] = extract([Line(1, 1, text)]).items
    assert (item.code, item.date) == (code, when)


@pytest.mark.usefixtures("tesseract")
def test_an_unsure_word_in_a_column_of_codes_gets_a_second_look_and_nothing_else_does():
    image = Image.new("L", (900, 520), 255)
    draw = ImageDraw.Draw(image)
    printed = [("99213", 40), ("99444", 140), ("36415", 240), ("L0140", 340)]
    boxes = []
    for text, top in [*printed, ("Total", 440)]:
        left = 600 if text == "Total" else 300
        draw.text((left, top), text, font=font(30), fill=0)
        boxes.append(tuple(round(v) for v in draw.textbbox((left, top), text, font=font(30))))
    # As Tesseract read them the first time: a code as a word, a code without its letter, both unsure.
    first = [("99213", 96.0), ("cose", 31.0), ("36415", 95.0), ("0140", 40.0), ("Tota1", 40.0)]
    rows = [[(text, confidence, box)] for (text, confidence), box in zip(first, boxes, strict=True)]
    ocr._second_look(image, rows, time.monotonic() + 20)
    assert [row[0][0] for row in rows] == ["99213", "99444", "36415", "L0140", "Tota1"]
    assert rows[1][0][1] < ocr.LOW_CONFIDENCE  # so the patient is asked to check it against the paper


@pytest.mark.usefixtures("tesseract")
def test_unsure_words_under_a_cpt_heading_get_a_second_look_even_with_no_code_read_yet():
    image = Image.new("L", (900, 300), 255)
    draw = ImageDraw.Draw(image)
    printed = [("CPT", (300, 40)), ("99444", (300, 110)), ("G0463", (300, 180)), ("visit", (600, 110))]
    boxes = []
    for text, place in printed:
        draw.text(place, text, font=font(30), fill=0)
        boxes.append(tuple(round(v) for v in draw.textbbox(place, text, font=font(30))))
    first = [("CPT", 95.0), ("cose", 31.0), ("G04b3", 40.0), ("vislt", 40.0)]
    rows = [[(text, confidence, box)] for (text, confidence), box in zip(first, boxes, strict=True)]
    ocr._second_look(image, rows, time.monotonic() + 20)
    assert [row[0][0] for row in rows] == ["CPT", "99444", "G0463", "vislt"]


def column_of_codes(printed):
    """A column of codes drawn one under another, with each one's box on the picture."""
    image = Image.new("L", (900, 120 + 100 * len(printed)), 255)
    draw = ImageDraw.Draw(image)
    boxes = []
    for number, text in enumerate(printed):
        place = (300, 40 + 100 * number)
        draw.text(place, text, font=font(30), fill=0)
        boxes.append(tuple(round(v) for v in draw.textbbox(place, text, font=font(30))))
    return image, boxes


@pytest.mark.usefixtures("tesseract")
def test_a_column_of_codes_read_again_on_its_own_stands_in_for_the_garbled_words_of_its_rows():
    image, boxes = column_of_codes(["99201", "11400", "99444", "11451", "11478"])
    # As Tesseract read a coarse claim form the first time: one code unsure, two read, one row
    # garbled into a word wider than the code, one code missed and its row's other words kept.
    wide = (boxes[2][0] - 60, boxes[2][1], boxes[2][2] + 60, boxes[2][3])
    rows = [
        [("99201", 50.0, boxes[0])],
        [("11400", 95.0, boxes[1])],
        [("Delelvlnlel", 0.0, wide)],
        [("11451", 80.0, boxes[3])],
        [("02", 90.0, (20, boxes[4][1], 60, boxes[4][3]))],
    ]
    found = ocr._read_code_columns(image, rows, time.monotonic() + 20)
    by_text = {text: (confidence, box) for row in rows for text, confidence, box in row}
    assert {"99201", "99444", "11478", "11400", "11451", "02"} <= by_text.keys()
    assert "Delelvlnlel" not in by_text
    assert by_text["99444"][0] < ocr.LOW_CONFIDENCE  # the patient is asked to check it
    # Codes read with confidence the first time are left to the rest of their rows.
    assert found - {None} == {by_text[code][1] for code in ("99201", "99444", "11478")}
    assert [text for text, _, _ in rows[4]] == ["02", "11478"]  # the code joins its row, in order


@pytest.mark.usefixtures("tesseract")
def test_a_code_read_with_confidence_on_a_garbled_row_is_marked_as_read_in_its_column():
    image, boxes = column_of_codes(["99203", "87880", "94640"])

    def beside(box, shift):  # a word of the row, left of the code column
        return (box[0] - shift, box[1], box[0] - shift + 40, box[3])

    rows = [
        [("01/09:", 35.0, beside(boxes[0], 200)), ("25!", 20.0, beside(boxes[0], 120)), ("99203", 90.0, boxes[0])],
        [("01/09/25", 90.0, beside(boxes[1], 200)), ("Strep", 90.0, beside(boxes[1], 120)), ("87880", 90.0, boxes[1])],
        [("Jap", 11.0, beside(boxes[2], 200)), ("94640", 90.0, boxes[2]), (":", 15.0, beside(boxes[2], -60))],
    ]
    found = ocr._read_code_columns(image, rows, time.monotonic() + 20)
    assert boxes[0] in found and boxes[2] in found  # nothing else on those rows says what they are
    assert boxes[1] not in found  # its row says so itself


@pytest.mark.usefixtures("tesseract")
def test_a_column_read_again_never_overrules_a_first_reading_of_another_code_nor_marks_lone_codes():
    image, boxes = column_of_codes(["99213", "99214", "36415", "D2740"])
    first = [("99213", 95.0), ("99215", 90.0), ("36415", 95.0), ("D2740", 50.0)]
    rows = [[(text, confidence, box)] for (text, confidence), box in zip(first, boxes, strict=True)]
    found = ocr._read_code_columns(image, rows, time.monotonic() + 20)
    assert [row[0][0] for row in rows] == ["99213", "99215", "36415", "D2740"]
    assert found <= {None, boxes[3]}

    lone, [box] = column_of_codes(["99213"])
    assert ocr._read_code_columns(lone, [[("99213", 95.0, box)]], time.monotonic() + 20) == set()


def test_a_column_of_codes_read_with_confidence_throughout_is_not_read_again(monkeypatch):
    image, boxes = column_of_codes(["99213", "99214", "36415"])
    rows = [[(text, 95.0, box)] for text, box in zip(["99213", "99214", "36415"], boxes, strict=True)]
    readings = []
    monkeypatch.setattr(ocr, "_tesseract", lambda *args: readings.append(1) or "")
    assert ocr._read_code_columns(image, rows, time.monotonic() + 20) == set()
    assert readings == []


def test_a_photo_of_a_bill_from_afar_is_enlarged_until_its_print_is_the_size_tesseract_reads_best():
    bill = bill_image()
    small = bill.resize((round(bill.width * 0.4), round(bill.height * 0.4)), Image.Resampling.LANCZOS)
    photo = Image.new("L", (1600, 1000), 255)
    photo.paste(small, (400, 300))
    before = ocr._print_height(photo, 0.0)
    enlarged = ocr._enlarge(photo)
    assert before < 0.7 * ocr.PRINT_HEIGHT
    assert ocr._print_height(enlarged, 0.0) == pytest.approx(ocr.PRINT_HEIGHT, rel=0.25)


@pytest.mark.parametrize(
    ("read", "fixed"),
    [
        (["o2", "10", "17", "02", "1O", "17"], ["02", "10", "17", "02", "10", "17"]),  # a claim form's date boxes
        (["O2", "sat", "98%"], ["O2", "sat", "98%"]),  # oxygen, not a number
        (["Room", "2o", "east"], ["Room", "2o", "east"]),  # no boxed numbers beside it
        (["so", "10", "17"], ["so", "10", "17"]),  # a word of letters stays a word
    ],
)
def test_boxed_numbers_read_with_a_letter_o_become_digits_only_among_other_numbers(read, fixed):
    row = [(text, 90.0, (10 * i, 0, 10 * i + 8, 10)) for i, text in enumerate(read)]
    assert [text for text, _, _ in ocr._box_digits(row)] == fixed


@pytest.mark.parametrize(
    ("read", "confidence", "joined"),
    [
        (["(7", "1260-26)"], 80.0, ["(71260-26)"]),  # a Medicare summary's code read with a space in it
        (["patient", "(9921", "4-25)"], 80.0, ["patient", "(99214-25)"]),
        (["(9921", "4-25,59)."], 80.0, ["(99214-25,59)."]),
        (["(871", "19-GF)"], 30.0, ["(871", "19-GF)"]),  # unsure: on a blurred photo, misread digits
        (["(7", "1260)"], 80.0, ["(7", "1260)"]),  # no modifier: two numbers in brackets may be anything
        (["7", "1260-26"], 80.0, ["7", "1260-26"]),  # no brackets
        (["(555", "123-4567)"], 80.0, ["(555", "123-4567)"]),  # a phone number
        (["(12", "1260-26)"], 80.0, ["(12", "1260-26)"]),  # six digits together
    ],
)
def test_a_code_in_brackets_read_with_a_space_inside_is_joined_only_when_sure_and_its_modifier_follows(
    read, confidence, joined
):
    row = [(text, confidence, (10 * i, 0, 10 * i + 8, 10)) for i, text in enumerate(read)]
    fixed = ocr._joined_codes(row)
    assert [text for text, _, _ in fixed] == joined
    if len(fixed) < len(row):
        assert min(confidence for _, confidence, _ in fixed) < ocr.LOW_CONFIDENCE  # for the patient to check


@pytest.mark.parametrize(
    ("read", "gap", "joined"),
    [
        (["03/1", "4/25", "Office"], 3, ["03/14/25", "Office"]),  # a date read with a space in it
        (["03/14/2", "025"], 3, ["03/14/2025"]),
        (["03/1", "4/25"], 12, ["03/1", "4/25"]),  # far apart: two things
        (["03/14/25", "1"], 3, ["03/14/25", "1"]),  # a whole date and a number after it
        (["1/2", "3/4"], 3, ["1/2", "3/4"]),  # fractions, no date
    ],
)
def test_a_date_read_with_a_space_inside_is_joined_when_its_parts_nearly_touch(read, gap, joined):
    row, left = [], 0
    for text in read:
        row.append((text, 90.0, (left, 0, left + 8 * len(text), 16)))
        left += 8 * len(text) + gap
    assert [text for text, _, _ in ocr._joined_dates(row)] == joined


@pytest.mark.parametrize(
    ("column", "fixed"),
    [
        (["D0150", "D0330", "02740", "D7140"], ["D0150", "D0330", "D2740", "D7140"]),  # a dental ledger's codes
        (["D0150", "D0330", "D7140", "09944"], ["D0150", "D0330", "D7140", "D9944"]),  # one row below the last
        (["D0150", "99213", "00170", "D7140"], ["D0150", "99213", "00170", "D7140"]),  # medical codes there too
        (["D0150", "02740", "99213"], ["D0150", "02740", "99213"]),  # only one dental code
        (["D0150", "D0330", "", "", "", "", "", "02115"], ["D0150", "D0330", "", "", "", "", "", "02115"]),  # far below
    ],
)
def test_a_zero_for_the_d_of_a_dental_code_is_read_as_d_only_in_a_column_of_dental_codes(column, fixed):
    rows = [
        [(text, 90.0 if text[:1] != "0" else 50.0, (300, 40 * i, 380, 40 * i + 20))] for i, text in enumerate(column)
    ]
    ocr._dental_zeros([row for row in rows if row[0][0]])
    assert [row[0][0] for row in rows] == fixed
    assert all(row[0][1] < ocr.LOW_CONFIDENCE for row, before in zip(rows, column, strict=True) if row[0][0] != before)


def test_a_zip_code_above_a_column_of_dental_codes_stays_a_zip_code():
    rows = [
        [("Portsmouth", 95.0, (100, 0, 280, 20)), ("NH", 95.0, (290, 0, 320, 20)), ("03801", 90.0, (330, 0, 410, 20))],
        [("Date", 95.0, (100, 40, 160, 60)), ("Code", 95.0, (330, 40, 400, 60))],
        [("D0150", 90.0, (330, 80, 410, 100))],
        [("D0330", 90.0, (330, 120, 410, 140))],
    ]
    ocr._dental_zeros(rows)
    assert rows[0][2][0] == "03801"
