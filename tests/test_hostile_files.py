"""Files a stranger might send: each one gets a normal page with a clear message, quickly.

Every file is made here, by the test code; nothing is downloaded. Each is posted through
the real page (the test client), and the app must answer 200 with a message a patient
can act on, no stack trace, within TIME_LIMIT seconds; then a normal bill still explains.

Some files are survived only because the app parses in a child process with limits on
CPU, memory and time (bills/isolation.py); their comments say what they cost when parsed
in the worker itself.
"""

import io
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.pdfs import pdf_with_rows

TIME_LIMIT = 10.0
BILL_ROWS = [("03/14/2025", "99213", "Office visit", "$150.00"), ("03/14/2025", "J1100", "Dexamethasone inj", "$12.50")]
BILL_LINE = b"03/14/2025 99213 Office visit $150.00"
TRACE_MARKERS = ("Traceback", "Internal Server Error", "Server Error (500)", 'File "/', "Exception Value")
NOT_A_BILL_FILE = "not a pdf"  # what explain_file says about a file of another kind (any wording after it)
DAMAGED = ("could not read", "damaged", "could not open")


# --- a tiny PDF writer ---------------------------------------------------------------------


def stream(data, extra=b"", filters=()):
    """A stream object body; `filters` are applied in order, so the reader undoes them in reverse."""
    names = []
    for name in filters:
        if name == "FlateDecode":
            data = zlib.compress(data, 9)
        names.insert(0, b"/" + name.encode())
    filter_entry = b""
    if len(names) == 1:
        filter_entry = b" /Filter " + names[0]
    elif names:
        filter_entry = b" /Filter [" + b" ".join(names) + b"]"
    return b"<< /Length %d%s %s >>\nstream\n" % (len(data), filter_entry, extra) + data + b"\nendstream"


def pdf(objects, root=1, trailer=None, header=b"%PDF-1.7"):
    """A PDF whose objects are numbered 1..n in order, with a correct classic xref table."""
    out = bytearray(header + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n" + (trailer or b"<< /Size %d /Root %d 0 R >>" % (len(objects) + 1, root))
    out += b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def text_ops(lines):
    ops = [b"BT /F1 10 Tf 14 TL 50 740 Td"]
    for line in lines:
        escaped = line.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append(b"(" + escaped + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"


def one_page(content, page=PAGE, extra_objects=()):
    """Catalog 1, Pages 2, Page 3, Font 4, Contents 5, then any extra objects from 6 on."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page,
            FONT,
            content,
            *extra_objects,
        ]
    )


def good_pdf():
    return one_page(stream(text_ops([BILL_LINE, b"03/14/2025 J1100 Dexamethasone inj $12.50"])))


def bad_xref():
    """Every entry of the cross-reference table points at the wrong byte."""
    head, tail = good_pdf().split(b"\nxref\n", 1)
    return head + b"\nxref\n" + re.sub(rb"\d{10} 00000 n", b"0000000003 00000 n", tail)


def with_object_streams(objects, root=1, per_stream=5000):
    """A PDF 1.5 file whose objects all live in compressed object streams, with an xref stream.

    This is how a file of a few hundred kilobytes can hold hundreds of thousands of objects.
    """
    count = len(objects)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries = {}  # object number -> (type, field2, field3)
    next_number = count + 1
    for start in range(0, count, per_stream):
        chunk = list(range(start + 1, min(start + per_stream, count) + 1))
        header, body = [], bytearray()
        for index, number in enumerate(chunk):
            header.append(b"%d %d" % (number, len(body)))
            body += objects[number - 1] + b"\n"
            entries[number] = (2, next_number, index)
        first = b" ".join(header) + b"\n"
        data = first + bytes(body)
        entries[next_number] = (1, len(out), 0)
        extra = b"/Type /ObjStm /N %d /First %d" % (len(chunk), len(first))
        out += b"%d 0 obj\n" % next_number + stream(data, extra, ("FlateDecode",)) + b"\nendobj\n"
        next_number += 1
    xref_number = next_number
    entries[xref_number] = (1, len(out), 0)
    size = xref_number + 1
    rows = bytearray(b"\x00\x00\x00\x00\x00\xff\xff")  # object 0: free
    for number in range(1, size):
        kind, second, third = entries[number]
        rows += struct.pack(">BIH", kind, second, third)
    extra = b"/Type /XRef /Size %d /W [1 4 2] /Root %d 0 R" % (size, root)
    xref_at = len(out)
    out += b"%d 0 obj\n" % xref_number + stream(bytes(rows), extra, ("FlateDecode",)) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def many_pages(count):
    """A file with `count` real, distinct (empty) page objects, compressed into object streams."""
    kids = b" ".join(b"%d 0 R" % number for number in range(3, count + 3))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d /MediaBox [0 0 612 792] >>" % count,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R >>"] * count
    return with_object_streams(objects)


def flate_bomb(size, byte=b" ", chunk=16 * 1024 * 1024):
    """`size` bytes of one character, deflated twice: a few kilobytes that inflate to `size`."""
    once = zlib.compressobj(1)  # level 1: four times faster to make, and still about 1,000 to 1
    inner = bytearray()
    block = byte * chunk
    for _ in range(size // chunk):
        inner += once.compress(block)
    inner += once.compress(byte * (size % chunk)) + once.flush()
    return zlib.compress(bytes(inner), 9)


def bomb_stream(payload, extra=b""):
    return b"<< /Length %d /Filter [/FlateDecode /FlateDecode] %s >>\nstream\n" % (len(payload), extra) + (
        payload + b"\nendstream"
    )


def image_page(width, height, data_stream):
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>"
    )
    return one_page(stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q"), page=page, extra_objects=[data_stream])


def image_bomb(width, height, size):
    extra = b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8" % (
        width,
        height,
    )
    return image_page(width, height, bomb_stream(flate_bomb(size, b"\xff"), extra))


def form_with_fields(count):
    """A form (as on a claim form) with `count` filled fields, all in compressed object streams."""
    fields = b" ".join(b"%d 0 R" % n for n in range(4, count + 4))
    return with_object_streams(
        [
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] >> >>" % fields,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
        + [b"<< /FT /Tx /T (f%d) /V (99213) /Rect [0 %d 40 %d] >>" % (n, n * 12, n * 12 + 10) for n in range(count)]
    )


def encrypted(user_password):
    from reportlab.lib import pdfencrypt
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    encrypt = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner-secret", strength=128)
    sheet = canvas.Canvas(buffer, pagesize=letter, encrypt=encrypt)
    sheet.setFont("Helvetica", 10)
    sheet.drawString(50, 740, "Date CPT/HCPCS Description Charge")
    sheet.drawString(50, 724, BILL_LINE.decode())
    sheet.drawString(50, 708, "03/14/2025 J1100 Dexamethasone inj $12.50")
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def png(width, height, rows=None, color_type=0):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    data = zlib.compress(rows if rows is not None else b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def gif():
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def looping_tiff():
    """A TIFF whose list of pages points back to its own first page."""
    entries = [(256, 3, 1, 16), (257, 3, 1, 16), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1)]
    entries += [(273, 4, 1, 8 + 2 + 12 * 8 + 4), (277, 3, 1, 1), (279, 4, 1, 256)]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHI", tag, kind, count) + (
            struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        )
    ifd += struct.pack("<I", 8)  # the next page is this page again
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\xff" * 256


def zipped(name, data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def nested(opening, closing, depth):
    return opening * depth + closing * depth


# --- the corpus ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    id: str
    name: str
    build: object  # () -> bytes, called only when the case runs
    expect: tuple = ()  # lower-case phrases, one of which the message must hold; () = any clear message
    explains: bool = False  # a file the app must read: its codes are on the page
    marks: tuple = field(default=())


CORPUS = [
    Hostile("empty", "bill.pdf", lambda: b"", ("empty", "please paste")),
    Hostile("one-byte", "bill.pdf", lambda: b"%", (NOT_A_BILL_FILE,)),
    Hostile("header-only", "bill.pdf", lambda: b"%PDF-1.7\n", DAMAGED),
    Hostile("truncated", "bill.pdf", lambda: pdf_with_rows(BILL_ROWS)[:700], DAMAGED),
    Hostile("truncated-after-first-object", "bill.pdf", lambda: good_pdf()[:80], DAMAGED),
    Hostile("bad-xref-offsets", "bill.pdf", bad_xref, DAMAGED + ("no cpt or hcpcs",)),
    # pdfminer finds the objects again by scanning the file: this one is read.
    Hostile(
        "startxref-points-nowhere",
        "bill.pdf",
        lambda: good_pdf().rsplit(b"startxref", 1)[0] + b"startxref\n99999999\n%%EOF\n",
        explains=True,
    ),
    Hostile("no-xref-no-trailer", "bill.pdf", lambda: good_pdf().split(b"xref", 1)[0]),
    Hostile(
        "trailer-root-missing",
        "bill.pdf",
        lambda: pdf([b"<< /Type /Catalog /Pages 2 0 R >>"], trailer=b"<< /Size 2 /Root 77 0 R >>"),
        DAMAGED + ("no cpt or hcpcs",),
    ),
    Hostile(
        "trailer-root-not-a-dictionary",
        "bill.pdf",
        lambda: pdf([b"(just a string)"]),
        DAMAGED + ("no cpt or hcpcs",),
    ),
    Hostile(
        "page-tree-loop",
        "bill.pdf",
        lambda: pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>"]),
    ),
    Hostile(
        "object-that-points-to-itself",
        "bill.pdf",
        lambda: one_page(b"5 0 R"),
        # in the worker itself: pdfminer loops for ever; killed after 150 s
    ),
    Hostile(
        "deep-array-nesting",
        "bill.pdf",
        lambda: one_page(stream(text_ops([BILL_LINE])), extra_objects=[nested(b"[", b"]", 200_000)]),
        explains=True,  # the nested object is never needed to read the page
    ),
    Hostile(
        "deep-dictionary-nesting-in-the-page",
        "bill.pdf",
        lambda: one_page(
            stream(text_ops([BILL_LINE])),
            page=PAGE[:-2] + b" /Deep " + nested(b"<< /A ", b">>", 50_000) + b" >>",
        ),
    ),
    Hostile(
        "deep-page-tree",
        "bill.pdf",
        lambda: pdf(
            [b"<< /Type /Catalog /Pages 2 0 R >>"]
            + [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (n + 1) for n in range(2, 20_002)]
            + [b"<< /Type /Page /MediaBox [0 0 612 792] >>"]
        ),
    ),
    Hostile(
        "bad-flate-data",
        "bill.pdf",
        lambda: one_page(
            stream(b"x\x9cnot really deflate", filters=()).replace(b"<< /Length", b"<< /Filter /FlateDecode /Length")
        ),
    ),
    Hostile(
        "stream-length-lies", "bill.pdf", lambda: good_pdf().replace(b"/Length ", b"/Length 99999999", 1), explains=True
    ),
    Hostile(
        "huge-content-stream",
        "bill.pdf",
        lambda: one_page(stream(b"0 0 m 1 1 l S\n" * 1_100_000)),
        # in the worker itself: 87-99 s and 3.5 GB for a 15 MB file
    ),
    Hostile(
        "page-with-100-thousand-characters",
        "bill.pdf",
        lambda: one_page(stream(b"BT /F1 1 Tf 0 0 Td (" + b"9" * 100_000 + b") Tj ET", filters=("FlateDecode",))),
    ),
    Hostile(
        "page-with-2-million-characters",
        "bill.pdf",
        lambda: one_page(stream(b"BT /F1 1 Tf 0 0 Td (" + b"9" * 2_000_000 + b") Tj ET", filters=("FlateDecode",))),
        # in the worker itself: 63-66 s and 4.4 GB for a 2.6 KB file
    ),
    Hostile("51-pages", "bill.pdf", lambda: pdf_with_rows(BILL_ROWS, pages=51), ("pages",)),
    Hostile("5000-pages", "bill.pdf", lambda: many_pages(5_000), ("pages",)),
    Hostile(
        "200000-pages",
        "bill.pdf",
        lambda: many_pages(200_000),
        ("pages",),
        # in the worker itself: 20 s and 0.7 GB for a 1.9 MB file, only to count the pages
    ),
    Hostile(
        "page-count-claims-a-million",
        "bill.pdf",
        lambda: good_pdf().replace(b"/Count 1", b"/Count 1000000"),
        explains=True,
    ),
    Hostile(
        "stream-bomb-2-gb",
        "bill.pdf",
        lambda: one_page(bomb_stream(flate_bomb(2 * 1024**3))),
        # in the worker itself: 22-27 s and 5.2 GB for a 26 KB file
    ),
    Hostile("image-bomb-30000-px-square", "bill.pdf", lambda: image_bomb(30_000, 30_000, 900_000_000)),
    Hostile("image-bomb-100000-px-square", "bill.pdf", lambda: image_bomb(100_000, 100_000, 1024**3)),
    Hostile("form-with-20-thousand-fields", "bill.pdf", lambda: form_with_fields(20_000)),
    Hostile("form-with-100-thousand-fields", "bill.pdf", lambda: form_with_fields(100_000)),
    Hostile("encrypted-empty-user-password", "bill.pdf", lambda: encrypted(""), explains=True),
    Hostile("encrypted-with-a-password", "bill.pdf", lambda: encrypted("patient-secret"), ("password",)),
    Hostile("zip-named-pdf", "bill.pdf", lambda: zipped("bill.txt", b"x" * 5000), (NOT_A_BILL_FILE,)),
    Hostile("zip-holding-a-pdf", "bill.pdf", lambda: zipped("bill.pdf", good_pdf()), ()),
    Hostile(
        "docx-named-pdf",
        "bill.pdf",
        lambda: zipped("word/document.xml", b"<w:document/>"),
        (NOT_A_BILL_FILE,),
    ),
    Hostile(
        "html-named-pdf",
        "bill.pdf",
        lambda: b"<!doctype html><html><body><script>alert('x')</script>99213</body></html>",
        (NOT_A_BILL_FILE,),
    ),
    Hostile(
        "exe-named-pdf",
        "bill.pdf",
        lambda: b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 4000,
        (NOT_A_BILL_FILE,),
    ),
    Hostile("elf-named-pdf", "bill.pdf", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 4000, (NOT_A_BILL_FILE,)),
    Hostile("json-named-pdf", "bill.pdf", lambda: b'{"code": "99213", "charge": 150}', (NOT_A_BILL_FILE,)),
    Hostile("random-bytes", "bill.pdf", lambda: bytes((i * 7919) % 251 for i in range(1_000_000)), (NOT_A_BILL_FILE,)),
    Hostile("png-claiming-100000-px-square", "bill.png", lambda: png(100_000, 100_000), ("too large",)),
    Hostile("png-with-broken-data", "bill.png", lambda: png(2000, 2000, rows=b"\x00" * 10), DAMAGED),
    Hostile("gif", "bill.gif", gif, (NOT_A_BILL_FILE,)),
    Hostile("jpeg-header-only", "bill.jpg", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", DAMAGED),
    Hostile("heic-header-only", "bill.heic", lambda: b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, ()),
    Hostile("tiff-whose-pages-loop", "bill.tif", looping_tiff, ()),
    Hostile(
        "svg-named-png",
        "bill.png",
        lambda: b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        (NOT_A_BILL_FILE,),
    ),
    Hostile("text-with-invalid-utf8", "bill.txt", lambda: b"\xff\xfe\xfa " + BILL_LINE + b" \xc3\x28", explains=True),
    Hostile("text-with-nul-bytes", "bill.txt", lambda: BILL_LINE + b"\x00" * 1000 + b"\n", explains=True),
    Hostile(
        "text-with-one-very-long-line-of-codes",
        "bill.txt",
        lambda: b"03/14/2025 " + b"99213 " * 5000 + b"$150.00\n",
        explains=True,
    ),
    Hostile("text-over-the-character-limit", "bill.txt", lambda: (BILL_LINE + b"\n") * 60_000, ("too long",)),
    Hostile("30-mb-file", "bill.pdf", lambda: b"%PDF-1.7\n" + b"0" * (30 * 1024 * 1024), ("too large",)),
    Hostile("path-traversal-name", "../../../../etc/cron.d/bill.pdf", good_pdf, explains=True),
    Hostile("windows-path-traversal-name", "..\\..\\..\\Windows\\bill.pdf", good_pdf, explains=True),
    Hostile("name-with-markup", "<script>alert(1)</script>.pdf", good_pdf, explains=True),
    Hostile("very-long-name", "b" * 5000 + ".pdf", good_pdf, explains=True),
]


def test_the_corpus_has_at_least_thirty_hostile_files():
    assert len(CORPUS) >= 30
    assert len({case.id for case in CORPUS}) == len(CORPUS)


@pytest.mark.django_db
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CORPUS])
def test_a_hostile_file_gets_a_clear_message_quickly_and_the_next_bill_is_fine(client, case):
    data = case.build()
    started = time.perf_counter()
    response = client.post(reverse("home"), {"file": SimpleUploadedFile(case.name, data)})
    seconds = time.perf_counter() - started
    page = response.content.decode()

    assert response.status_code == 200
    assert not any(marker in page for marker in TRACE_MARKERS)
    assert "<script>alert" not in page
    if case.explains:
        assert 'id="code-99213"' in page
    else:
        message = _message(page)
        assert message, "no message in the results"
        if case.expect:
            assert any(phrase in message.lower() for phrase in case.expect), message
    assert seconds < TIME_LIMIT, f"{seconds:.1f} s"

    after = client.post(reverse("home"), {"file": SimpleUploadedFile("bill.pdf", pdf_with_rows(BILL_ROWS))})
    assert after.status_code == 200 and 'id="code-99213"' in after.content.decode()


def _message(page):
    """The text of the error or warning the results region shows, tags removed."""
    start = page.find('id="results"')
    region = page[start : page.find("</section>", start)]
    found = re.findall(r'class="message[^"]*"[^>]*>(.*?)</(?:div|p)>', region, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text) for text in found).strip()
