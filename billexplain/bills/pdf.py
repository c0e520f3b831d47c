"""Read a PDF bill into lines of positioned words. The only module that imports pdfplumber.

Each page is closed as soon as it is read: pdfplumber keeps every character of
an open page in memory, and a long itemized bill would otherwise hold them all.
"""

import io
import re
from dataclasses import dataclass, field, replace

import pdfplumber
from pdfminer.layout import LTChar, LTContainer, LTFigure, LTImage
from pdfminer.pdftypes import resolve1

from billexplain.bills.extraction import Line, Word
from billexplain.bills.ocr import fix_code_lookalikes
from billexplain.wording import Sentence, gettext_noop


class UnreadablePdf(Exception):
    """The file could not be read as a PDF; the message is for the patient (a wording.Sentence)."""


@dataclass(frozen=True)
class PdfText:
    lines: list[Line]
    pages: int
    pages_with_text: int
    # Pages that are pictures of paper: no text layer, only stray marks, or a scan with a stamp on it.
    scanned_pages: tuple[int, ...] = ()
    # Lines from filled form fields: never drawn on the page, so OCR of the page does not replace them.
    form_lines: tuple[Line, ...] = field(default=(), repr=False)


def read_pdf(data, max_pages):
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            if count > max_pages:
                raise UnreadablePdf(
                    Sentence(
                        gettext_noop("This PDF has %(count)s pages. We read bills of up to %(limit)s pages."),
                        count=count,
                        limit=max_pages,
                    )
                )
            lines, with_text, scanned, form_lines = [], 0, [], []
            form_words = _form_field_words(pdf)
            for number, page in enumerate(pdf.pages, start=1):
                page_lines = _page_lines(page, number)
                with_text += bool(page_lines)
                if _looks_scanned(page, page_lines):
                    scanned.append(number)
                    form_lines.extend(_group_into_lines(form_words.get(number, []), number, tolerance=4.0))
                elif number in form_words:
                    # Filled fields sit in the page's own rows and columns, under its printed headers.
                    page_lines = _page_lines(page, number, extra=form_words[number])
                else:
                    page_lines = _with_scanners_misreads_fixed(page, page_lines)
                lines.extend(page_lines)
                page.close()
            lines.extend(form_lines)
            return PdfText(lines, count, with_text, tuple(scanned), tuple(form_lines))
    except UnreadablePdf:
        raise
    except Exception as error:  # pdfminer raises many kinds, including plain TypeError
        if _locked(error):
            raise UnreadablePdf(
                gettext_noop("This PDF is locked with a password. Please upload an unlocked copy.")
            ) from None
        raise UnreadablePdf(gettext_noop("We could not read this file as a PDF. It may be damaged.")) from None


def _locked(error):
    """pdfplumber wraps pdfminer's PDFPasswordIncorrect, whose own message is empty: look along the chain."""
    seen = 0
    while error is not None and seen < 10:
        text = f"{type(error).__name__} {error}".lower()
        if "password" in text or "encrypt" in text:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _page_lines(page, number, extra=()):
    drawn = [word for word in _page_words(page) if word.text.strip()]
    return _group_into_lines(drawn + list(extra), number)


def _page_words(page):
    """The words pdfplumber's `extract_words()` finds on the page, read from pdfminer's layout directly.

    pdfplumber first turns every character into a dictionary of some twenty values; we need five.
    Reading the characters straight from the layout halves the cost of a page. Rotated text is
    rare on a bill: such a page is left to pdfplumber.
    """
    chars = list(_layout_chars(page.layout))
    if not all(char.upright for char in chars):
        words = page.extract_words(x_tolerance_ratio=X_TOLERANCE_RATIO, keep_blank_chars=False, use_text_flow=False)
        return [Word(w["text"], w["x0"], w["x1"], w["top"]) for w in words]
    # pdfplumber's coordinates: from the top of the page, shifted by the MediaBox's corner.
    height, (left, top) = page.height, page.mediabox[:2]
    placed = [(char.get_text(), char.x0 + left, char.x1 + left, (height - char.y1) + top, char.size) for char in chars]
    return [_word(letters) for line in _text_lines(placed) for letters in _words_of_line(line)]


def _layout_chars(objects):
    for item in objects:
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):  # a figure or form holding more characters
            yield from _layout_chars(item)


Y_TOLERANCE = 3  # points, as pdfplumber's default
# A gap wider than a quarter of the font size parts two words (pdfplumber's x_tolerance_ratio). Its
# default, 3 points, is that at 12 points; in 6-point print a space is only 1.7 points wide.
X_TOLERANCE_RATIO = 0.25
LIGATURES = {
    "\ufb00": "ff",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb06": "st",
    "\ufb05": "st",
}


def _text_lines(chars):
    """(text, x0, x1, top, size) characters grouped as pdfplumber groups them: tops chained within Y_TOLERANCE."""
    line_of_top, line, last = {}, -1, None
    for top in sorted({char[3] for char in chars}):
        if last is None or top > last + Y_TOLERANCE:
            line += 1
        line_of_top[top], last = line, top
    lines = {}
    for char in chars:  # in the page's own order, which the sort below keeps for equal positions
        lines.setdefault(line_of_top[char[3]], []).append(char)
    return [sorted(lines[number], key=lambda char: char[1]) for number in sorted(lines)]


def _words_of_line(line):
    """A line's characters, left to right, cut into words at spaces and at gaps wider than a quarter of
    the font size."""
    word = []
    for char in line:
        text, x0, _, top, _ = char
        if text.isspace():
            if word:
                yield word
            word = []
        elif word and (
            x0 < word[-1][1]
            or x0 > word[-1][2] + X_TOLERANCE_RATIO * word[-1][4]
            or abs(top - word[-1][3]) > Y_TOLERANCE
        ):
            yield word
            word = [char]
        else:
            word.append(char)
    if word:
        yield word


def _word(chars):
    text = "".join(LIGATURES.get(char[0], char[0]) for char in chars)
    return Word(text, min(char[1] for char in chars), max(char[2] for char in chars), min(char[3] for char in chars))


READABLE = re.compile(r"[A-Za-z0-9]{2,}")
NOISE = re.compile(r"\(cid:\d+\)|\ufffd")


def _looks_scanned(page, page_lines):
    """A page to read with OCR: its text layer is empty, unreadable, or a few words on a picture."""
    words = [word.text for line in page_lines for word in line.words]
    readable = [w for w in words if READABLE.search(w) and not NOISE.search(w)]
    if len(readable) < 3 or len(readable) < 0.3 * len(words):
        return True
    return len(readable) < 30 and _picture_cover(page) >= 0.5


LOOKALIKE_BESIDE_A_DIGIT = re.compile(r"\d[OoQIlSsBZz]|[OoQIlSsBZz]\d")


def _with_scanners_misreads_fixed(page, page_lines):
    """A scan made searchable carries the scanner's own OCR as hidden text over the picture, misreads
    and all ("992l3", "J11OO"): there, code-shaped words get their look-alike letters fixed as ours do."""
    if not any(LOOKALIKE_BESIDE_A_DIGIT.search(line.text) for line in page_lines) or _picture_cover(page) < 0.5:
        return page_lines
    fixed = []
    for line in page_lines:
        words = tuple(replace(word, text=fix_code_lookalikes(word.text)) for word in line.words)
        fixed.append(replace(line, text=" ".join(word.text for word in words), words=words))
    return fixed


def _picture_cover(page):
    """The share of the page that pictures cover (overlaps counted once per picture, capped at 1).

    Read from the layout already built: page.images would turn every character into a dictionary first.
    """
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for item in page.layout:
        if _holds_a_picture(item):
            width = min(item.x1, page.width) - max(item.x0, 0)
            height = min(item.y1, page.height) - max(item.y0, 0)
            covered += max(width, 0) * max(height, 0)
    return min(covered / area, 1.0)


def _holds_a_picture(item):
    return isinstance(item, LTImage) or (isinstance(item, LTFigure) and any(_holds_a_picture(inner) for inner in item))


def _group_into_lines(words, page_number, tolerance=3.0):
    """Words whose tops are within a few points of each other form one line, read left to right."""
    rows = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if rows and abs(rows[-1][0] - word.top) <= tolerance:
            rows[-1][1].append(word)
        else:
            rows.append([word.top, [word]])
    lines = []
    for number, (_, row) in enumerate(rows, start=1):
        row.sort(key=lambda w: w.x0)
        lines.append(Line(page_number, number, " ".join(w.text for w in row), tuple(row)))
    return lines


def _form_field_words(pdf):
    """Filled form fields (as on a CMS-1500 claim) hold text that is not drawn on the page: {page: [Word]}."""
    try:
        form = resolve1(pdf.doc.catalog.get("AcroForm"))
        if not form:
            return {}
        page_ids = {page.page_obj.pageid: number for number, page in enumerate(pdf.pages, start=1)}
        heights = {number: page.height for number, page in enumerate(pdf.pages, start=1)}
        by_page = {}
        for value, rect, page_ref in _fields(resolve1(form.get("Fields")) or []):
            number = page_ids.get(getattr(page_ref, "objid", None), 1)
            x0, y0, x1, y1 = (float(v) for v in rect)
            top = heights.get(number, 792) - max(y0, y1)
            by_page.setdefault(number, []).append(Word(value, min(x0, x1), max(x0, x1), top))
        return by_page
    except Exception:  # a broken form never costs the rest of the bill
        return {}


def _fields(fields, depth=0, inherited=None):
    if depth > 10:
        return
    for ref in fields[:5000]:
        field = resolve1(ref)
        if not isinstance(field, dict):
            continue
        value = resolve1(field.get("V")) or inherited
        kids = resolve1(field.get("Kids"))
        if kids:
            yield from _fields(kids, depth + 1, value)
            continue
        rect = resolve1(field.get("Rect"))
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        if isinstance(value, str) and value.strip() and rect and len(rect) == 4:
            yield value.strip(), [resolve1(v) for v in rect], field.get("P")
