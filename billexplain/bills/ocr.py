"""Read photos and scanned pages with Tesseract. The only module that runs Tesseract.

The picture goes to Tesseract through a pipe and its answer comes back through one:
no temporary file ever holds a page of a bill.

Words come back as `OcrWord`s (a `Word` with Tesseract's confidence) grouped into
`Line`s, with positions in PDF points (1/72 inch; a photo is measured as if it
were a letter-size page), so `bills/extraction.py` reads an OCR line exactly as it
reads a PDF line, column headers included.

Bounded like every other parser here: pixels before any decoding, pages, and the
seconds Tesseract may spend on each page and on the whole file.
"""

import bisect
import io
import itertools
import math
import os
import re
import subprocess
import time
import warnings
from dataclasses import dataclass, field, replace
from shutil import which

import pypdfium2
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

from billexplain.bills.extraction import Line, Word
from billexplain.coding.classification import HCPCS_LETTERS
from billexplain.wording import Sentence, gettext_noop

TESSERACT = "tesseract"
# Tesseract's page segmentation: the page as one block of text (best on most bills), or its own
# layout analysis, which takes away a table's ruled lines and reads each column as a block.
TEXT_LAYOUT = "6"
TABLE_LAYOUT = "3"
CLEARLY_MORE = 1.3

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:
    pillow_heif = None

# Tesseract's OpenMP threads spin against each other on a busy two-core machine: one
# thread per page was 1.5 to 4 times faster here than the default.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

RENDER_DPI = 300
# Tesseract reads best when letters are 20-30 pixels tall; a phone picture of a whole
# page is often smaller than a 150 dpi scan, so small pictures are enlarged first.
MIN_LONG_SIDE = 2400
MAX_UPSCALE = 3.0
# A line of print (top of the tallest letter to the foot of the lowest) in pixels, as on a 300 dpi
# scan of a bill; a photo is enlarged to it when its rows of print can be measured (MIN_PRINT_ROWS),
# up to MAX_ENLARGED_PIXELS so Tesseract keeps to its time.
PRINT_HEIGHT = 26
MIN_PRINT_ROWS = 5
MAX_ENLARGED_PIXELS = 12_000_000
# Scans coarser than LOW_DPI are enlarged from their own pixels rather than drawn bigger by pdfium
# (pictures under MIN_SCAN_DPI are thumbnails or backgrounds stretched over the page, not scans).
LOW_DPI = 250
MIN_SCAN_DPI = 50
LETTER_WIDTH_POINTS = 612.0
# Tesseract's word confidence (0-100): below LOW a code is shown to the patient to check;
# a word at CONFIDENT or more, with two letters or digits, counts as text we really read.
LOW_CONFIDENCE = 75.0
CONFIDENT = 60.0
MIN_CONFIDENT_WORDS = 3
MANY_CONFIDENT = 100  # words read with confidence: a page of print, whatever else is in the picture
# How much sharper the rows of print must look at their best angle than at a typical one (see
# _text_rows): printed pages measured 10 to 80 here, a single blurred line 5, noise 2.2 at most.
# A page photographed sideways measured 3.9 upright and 22 turned.
TEXT_ROWS = 3.0
CLEAR_ROWS = 10.0  # rows this clear are no page on its side
# Print is at least this much darker than the paper around it (0-255); printed pages measured
# over 150 here even when blurred, a grey wall or a blank page under 30.
FAINTEST_INK = 60
INSTALL_HINT = gettext_noop(
    "Reading photos and scanned pages needs the Tesseract OCR program, which is not installed here. "
    "Please upload a PDF that has text, or paste the text of your bill."
)

IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF", "webp": "WEBP", "heic": "HEIF"}
HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1")


class OcrError(Exception):
    """A picture we cannot read; the message is written for the patient (a wording.Sentence)."""


class OcrUnavailable(OcrError):
    """Tesseract is not installed on this machine."""

    def __init__(self, message=INSTALL_HINT):
        super().__init__(message)


@dataclass(frozen=True)
class OcrWord(Word):
    """A word Tesseract read, with its confidence (0-100) and what it first read, if we changed it."""

    bottom: float = 0.0
    confidence: float = 100.0
    original: str | None = None
    # A small PNG of the line the word sits on, kept only for code-shaped words a patient should check.
    snippet: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def needs_check(self):
        return self.original is not None or self.confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class OcrLimits:
    max_pixels: int = 40_000_000
    max_pages: int = 50
    page_seconds: float = 20.0
    total_seconds: float = 90.0
    languages: str = "eng"


@dataclass(frozen=True)
class OcrText:
    lines: list[Line]
    pages: int
    read_pages: tuple[int, ...] = ()  # pages on which we found text
    unreadable_pages: tuple[int, ...] = ()  # too blurry, too dark or empty
    hard_pages: tuple[int, ...] = ()  # read, but much of the page was uncertain
    skipped_pages: tuple[int, ...] = ()  # not read: out of time for the page or the whole file
    seconds: float = 0.0


class TesseractFailed(Exception):
    pass


def _tesseract(image, arguments, seconds):
    """Run Tesseract on a picture through pipes (BMP: written in milliseconds; PNG took a quarter second)."""
    buffer = io.BytesIO()
    image.save(buffer, format="BMP")
    done = subprocess.run(  # noqa: S603 - a fixed program, arguments from our own code
        [TESSERACT, "stdin", "stdout", *arguments],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=seconds,
        check=False,
    )
    if done.returncode != 0:
        raise TesseractFailed(done.stderr.decode("utf-8", "replace")[-300:])
    return done.stdout.decode("utf-8", "replace")


def _table(tsv):
    """Tesseract's TSV as columns: {"text": [...], "conf": [...], "left": [...], ...}."""
    rows = tsv.splitlines()
    if not rows:
        return {
            name: [] for name in ("text", "conf", "block_num", "par_num", "line_num", "left", "top", "width", "height")
        }
    header = rows[0].split("\t")
    columns = {name: [] for name in header}
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) != len(header):
            continue
        for name, cell in zip(header, cells, strict=True):
            columns[name].append(cell if name == "text" else _number(cell))
    return columns


def _number(cell):
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return -1


@dataclass
class _Page:
    lines: list[Line]
    words: int
    confident: int
    out_of_time: bool = False


def available():
    """Whether photos and scans can be read here."""
    return which(TESSERACT) is not None


def image_type(data):
    """The kind of picture these bytes hold, from their first bytes (never the file name)."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "heic"
    return None


def ocr_image(data, limits=OcrLimits()):
    """A photo or a scanned picture (a multi-page TIFF gives one page a frame)."""
    kind = image_type(data)
    if kind is None:
        raise OcrError(
            gettext_noop("This file is not a picture we can read. Please use a JPEG, PNG, TIFF, WEBP or HEIC photo.")
        )
    if kind == "heic" and pillow_heif is None:
        raise OcrError(
            gettext_noop("We cannot read HEIC photos here. Please save the photo as JPEG and upload it again.")
        )
    if not available():
        raise OcrUnavailable()
    image = _open(data, kind, limits)
    frames = getattr(image, "n_frames", 1) if kind == "tiff" else 1
    if frames > limits.max_pages:
        raise OcrError(
            Sentence(
                gettext_noop("This picture has %(count)s pages. We read bills of up to %(limit)s pages."),
                count=frames,
                limit=limits.max_pages,
            )
        )

    def frame(index):
        if index:
            image.seek(index)
            _check_pixels(image.size, limits)
        return _load(image), None

    result = _read_pages([(index + 1, lambda index=index: frame(index)) for index in range(frames)], frames, limits)
    if not result.read_pages and result.skipped_pages:
        raise OcrError(
            gettext_noop("This picture took too long to read. Please upload a smaller or sharper photo, or a PDF.")
        )
    if not result.read_pages:
        raise OcrError(
            gettext_noop(
                "We could not read the text in this picture. It may be blurry, too dark, or too small. "
                "Please take a sharper photo in good light, with the bill flat and filling the frame."
            )
        )
    return result


def ocr_pdf_pages(pdf_bytes, page_numbers, limits=OcrLimits()):
    """Render the given pages (1-based) of a PDF at about 300 dpi and read them."""
    if not available():
        raise OcrUnavailable()
    try:
        pdf = pypdfium2.PdfDocument(pdf_bytes)
    except Exception:  # pdfium reports every broken file the same way
        raise OcrError(gettext_noop("We could not read this file as a PDF. It may be damaged.")) from None
    try:
        count = len(pdf)

        def render(number):
            page = pdf[number - 1]
            try:
                width, height = page.get_size()
                # Never render more pixels than a picture may have, whatever size the page claims.
                most = math.sqrt(limits.max_pixels / max(width * height, 1.0))
                scale = min(RENDER_DPI / 72, most)
                dpi = _scan_dpi(page)
                # A coarse scan is drawn at its own resolution and enlarged here, smoothly: enlarged by
                # pdfium, small print blurs into shapes Tesseract misreads (a 96 dpi scan lost most codes).
                native = min(dpi / 72, most) if dpi and MIN_SCAN_DPI <= dpi < LOW_DPI else None
                # pdfium rounds the picture's size up: a scan of exactly 1650 rows drawn at its own scale
                # came out 1651 rows high, every row blended with the next. A hair less scale keeps them.
                exact = (native or scale) * (1 - 1e-6)
                bitmap = page.render(scale=exact, grayscale=True, may_draw_forms=False)
                try:
                    image = bitmap.to_pil().convert("L")  # a copy, so the bitmap can go now
                finally:
                    bitmap.close()
                if native:
                    factor = min(MAX_UPSCALE, RENDER_DPI / dpi, most / native)
                    size = (round(image.width * factor), round(image.height * factor))
                    return image.resize(size, Image.Resampling.LANCZOS), width / size[0]
                return image, 1 / scale
            finally:
                page.close()

        wanted = [n for n in dict.fromkeys(page_numbers) if 1 <= n <= count][: limits.max_pages]
        return _read_pages([(n, lambda n=n: render(n)) for n in wanted], count, limits)
    finally:
        pdf.close()


def _scan_dpi(page):
    """The resolution (dots per inch of paper) of the biggest picture on a page, or None without one."""
    biggest, dpi = 0.0, None
    # A scan's picture comes among the first few objects; a hostile page may hold millions.
    for obj in itertools.islice(page.get_objects(max_depth=2), 500):
        if obj.type != pypdfium2.raw.FPDF_PAGEOBJ_IMAGE:
            continue
        try:
            left, bottom, right, top = obj.get_bounds()
            pixels = obj.get_px_size()
        except Exception:  # noqa: S112 - pdfium reports every broken object the same way; skip it
            continue
        area = (right - left) * (top - bottom)
        if area > biggest and pixels[0] > 0 and pixels[1] > 0:
            # Measured over the area, so a picture placed sideways measures the same.
            biggest, dpi = area, 72 * math.sqrt(pixels[0] * pixels[1] / area)
    return dpi


def _open(data, kind, limits):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big(limits) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise OcrError(gettext_noop("We could not open this picture. It may be damaged.")) from None
    _check_pixels(image.size, limits)
    return image


def _check_pixels(size, limits):
    width, height = size
    if width * height > limits.max_pixels:
        raise _too_big(limits)
    if min(width, height) < 16:
        raise OcrError(gettext_noop("This picture is too small to read. Please upload a larger photo of your bill."))


def _too_big(limits):
    megapixels = limits.max_pixels // 1_000_000
    return OcrError(
        Sentence(
            gettext_noop(
                "This picture is too large to read (we read pictures of up to %(megapixels)s megapixels). "
                "Please upload a smaller photo or a PDF."
            ),
            megapixels=megapixels,
        )
    )


def _load(image):
    """Decode, turn as the camera says, and make it grey on a white background."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image) or image
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                rgba = image.convert("RGBA")
                white = Image.new("RGBA", rgba.size, "white")
                image = Image.alpha_composite(white, rgba)
            return image.convert("L")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
        raise OcrError(gettext_noop("We could not open this picture. It may be damaged.")) from None


def _read_pages(pages, count, limits):
    started = time.monotonic()
    lines, read, unreadable, hard, skipped = [], [], [], [], []
    for number, load in pages:
        remaining = limits.total_seconds - (time.monotonic() - started)
        if remaining < 1:
            skipped.append(number)
            continue
        image, points_per_pixel = load()
        page = _read_page(image, number, points_per_pixel, min(limits.page_seconds, remaining), limits.languages)
        if page.out_of_time and not _readable(page):
            skipped.append(number)
            continue
        if not _readable(page):
            unreadable.append(number)
            continue
        lines.extend(page.lines)
        read.append(number)
        if _hard(page):
            hard.append(number)
    return OcrText(
        lines, count, tuple(read), tuple(unreadable), tuple(hard), tuple(skipped), time.monotonic() - started
    )


def _hard(page):
    """Whether much of a page read was unsure."""
    return page.confident < 0.6 * page.words


def _readable(page):
    """Some words read with confidence, and not drowned in guesses (a blur reads as a heap of them),
    or many read with confidence, whatever else was guessed (a page on a granite counter)."""
    return page.confident >= MIN_CONFIDENT_WORDS and (
        page.confident >= 0.15 * page.words or page.confident >= MANY_CONFIDENT
    )


def _read_page(image, number, points_per_pixel, seconds, languages):
    """One page: even out the light, straighten, read, and if it reads badly try it turned round,
    then as a table.

    `points_per_pixel` is None for a photo, which is measured as a letter-size page.
    """
    deadline = time.monotonic() + seconds
    if _light_on_dark(image):
        image = ImageOps.invert(image)  # a screenshot in dark mode
    image = _even_out_light(image)
    if points_per_pixel is None:
        image = _enlarge(image)

    def unit(picture):
        return points_per_pixel or LETTER_WIDTH_POINTS / picture.width

    angle, rows = _text_rows(image)
    # Rows that line up clearly are the right way round (or upside down): no need to look across them.
    sideways = _text_rows(image.transpose(Image.Transpose.ROTATE_90))[1] if rows < CLEAR_ROWS else 0.0
    if rows < TEXT_ROWS and sideways < TEXT_ROWS:
        # No lines of print either way: noise, a blank page or a heavy blur. Tesseract would
        # spend many seconds on it for nothing.
        return _Page([], 0, 0)
    if sideways > 2 * rows and (turn := _orientation(image, deadline)) in (90, 270):
        # Print running up or down the picture: a photo taken sideways, its turn not recorded.
        # Turned first, it is read once instead of twice.
        image = image.rotate(-turn, expand=True, fillcolor=255)
        angle = _text_rows(image)[0]
    image = _turn(image, angle)
    page = _recognise(image, number, unit(image), deadline, languages)
    # An upright page, even a hard one like a blurred claim form, reads over a third of its words
    # with confidence; a page on its side or upside down reads under a fifth, and never many.
    if page.confident < max(MIN_CONFIDENT_WORDS, 0.25 * page.words) and page.confident < MANY_CONFIDENT:
        turn = _orientation(image, deadline)
        if turn:
            turned = image.rotate(-turn, expand=True, fillcolor=255)
            turned = _turn(turned, _text_rows(turned)[0])
            second = _recognise(turned, number, unit(turned), deadline, languages)
            if second.confident > page.confident:
                image, page = turned, second
    if not page.out_of_time and (_hard(page) or len(page.lines) < 0.5 * len(_print_runs(image, 0.0)[0])):
        # Read as one block of text, a table ruled into boxes reads as garble (none of 16 codes on an
        # itemized statement), or not at all (8 lines read of a page with 84 rows of print).
        # Tesseract's own layout analysis takes the rules away and reads each column as a block of
        # its own; its rows are put back together by height.
        second = _recognise(image, number, unit(image), deadline, languages, layout=TABLE_LAYOUT)
        # Kept only when clearly better: on a grainy photo the two read about as many words with
        # confidence, each its own guesses (a ruled table reads 1.5 to 6 times as many).
        if second.confident > CLEARLY_MORE * page.confident:
            page = second
    return page


def _light_on_dark(image):
    """Whether the picture is light print on a dark background, as a phone in dark mode shows it.

    A photo of a bill on a dark table is dark in the middle too; but there the light part is the
    paper, which stays when a few pixels of each light part's edge are worn away, while print
    (a few pixels wide) is gone.
    """
    below = list(itertools.accumulate(image.histogram()))  # pixels at each level or darker
    middle = bisect.bisect_left(below, below[-1] / 2)  # the middle level: the background's
    if middle >= 128:
        return False
    light = image.point([255 if level > middle + 64 else 0 for level in range(256)])
    lit = light.histogram()[255]
    return lit > 0 and light.filter(ImageFilter.MinFilter(5)).histogram()[255] < lit / 2


def _even_out_light(image):
    """Take away shadows and tinted paper: subtract the paper's own brightness, found without the ink.

    Tesseract picks one black-and-white cut for the whole page; under a shadow from the
    phone that cut turns half the page black. Nothing here decides what is ink.
    """
    if min(image.size) < 64:
        return image
    small = image.reduce(8)
    # The brightest pixel nearby is paper, not ink; blurred, it is the light falling on the page.
    paper = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(6))
    paper = paper.resize(image.size, Image.Resampling.BILINEAR)
    return ImageChops.subtract(image, paper, 1, 255)


def _enlarge(image):
    """Enlarge a photo so its print is as tall as Tesseract reads best (as on a 300 dpi scan).

    Measured from the rows of print when they show; otherwise the photo is taken to be of a
    whole page and enlarged to MIN_LONG_SIDE.
    """
    angle, rows = _text_rows(image)
    height = _print_height(image, angle) if rows >= TEXT_ROWS else None
    factor = PRINT_HEIGHT / height if height else MIN_LONG_SIDE / max(image.size)
    factor = min(factor, MAX_UPSCALE, math.sqrt(MAX_ENLARGED_PIXELS / (image.width * image.height)))
    if factor < 1.1:
        return image
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)


def _print_height(image, angle):
    """The usual height of a line of print, in pixels: the middle length of the runs of inked rows."""
    runs, scale = _print_runs(image, angle)
    if len(runs) < MIN_PRINT_ROWS:
        return None
    return runs[len(runs) // 2] * scale


def _print_runs(image, angle):
    """The lengths of the runs of inked rows across the picture turned by `angle`, in order, on a
    thumbnail; and the thumbnail's scale to the picture."""
    small = ImageOps.invert(image)
    small.thumbnail((1000, 1000), Image.Resampling.BOX)
    small = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=round(ImageStat.Stat(small).mean[0]))
    rows = list(small.resize((1, small.height), Image.Resampling.BOX).tobytes())
    ordered = sorted(rows)
    # Between the paper (the faintest rows) and the print (the darkest few), a row holds print when
    # it is a little darker than the paper.
    paper, ink = ordered[len(rows) // 5], ordered[-max(1, len(rows) // 20)]
    cut = paper + 0.15 * (ink - paper)
    runs, run = [], 0
    for value in [*rows, 0]:
        if value > cut:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    return sorted(run for run in runs if run >= 2), image.height / small.height


def _turn(image, angle):
    if abs(angle) < 0.2:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _text_rows(image):
    """The small angle that lines the rows of print up best, and how clearly rows of print show at all.

    Turned to the right angle, ink piles up in rows with white between them, and the
    row-by-row ink profile is far sharper than at any other angle: on a printed page
    about ten times sharper than at a typical angle, on noise or a blank page about the same.
    """
    small = ImageOps.invert(image)
    small.thumbnail((1000, 1000), Image.Resampling.BOX)
    if _darkest_ink(small) < FAINTEST_INK:
        return 0.0, 0.0
    # Corners that turning brings in get the page's average shade, so they add no rows of their own.
    fill = round(ImageStat.Stat(small).mean[0])

    def sharpness(angle):
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=fill)
        rows = turned.resize((1, turned.height), Image.Resampling.BOX).tobytes()
        return sum((a - b) ** 2 for a, b in zip(rows, rows[1:], strict=False))

    coarse = {float(a): sharpness(a) for a in range(-5, 6)}
    best = max(coarse, key=coarse.get)
    fine = {best + step / 8: sharpness(best + step / 8) for step in range(-4, 5)}
    best = max(fine, key=fine.get)
    typical = sorted(coarse.values())[len(coarse) // 2] or 1
    clarity = fine[best] / typical
    # Only turn when the print clearly lines up better than it is.
    return (best if fine[best] > 1.1 * coarse[0.0] else 0.0), clarity


def _darkest_ink(inverted):
    """How much darker than its paper the darkest bit of print is (0-255), ignoring a few specks."""
    histogram = inverted.histogram()
    specks = sum(histogram) // 5000
    for level in range(255, -1, -1):
        specks -= histogram[level]
        if specks < 0:
            return level
    return 0


def _orientation(image, deadline):
    """Tesseract's own guess of a quarter or half turn (0 when unsure or when it finds too little text)."""
    seconds = deadline - time.monotonic()
    if seconds < 1:
        return 0
    try:
        # Half size is plenty to tell which way is up, and twice as quick.
        found = _tesseract(image.reduce(2), ["--psm", "0"], seconds)
    except (TesseractFailed, subprocess.TimeoutExpired, OSError):  # too little text to tell, or out of time
        return 0
    rotate = re.search(r"Rotate: (\d+)", found)
    confidence = re.search(r"Orientation confidence: ([\d.]+)", found)
    if rotate and confidence and float(confidence.group(1)) >= 2.0:
        return int(rotate.group(1)) % 360
    return 0


def _recognise(image, number, points_per_pixel, deadline, languages, layout=TEXT_LAYOUT):
    seconds = deadline - time.monotonic()
    if seconds < 0.5:
        return _Page([], 0, 0, out_of_time=True)
    try:
        data = _table(_tesseract(image, ["-l", languages, "--psm", layout, "tsv"], seconds))
    except FileNotFoundError:
        raise OcrUnavailable() from None
    except subprocess.TimeoutExpired:
        return _Page([], 0, 0, out_of_time=True)
    except TesseractFailed:  # a page Tesseract cannot take counts as unreadable, not the whole bill
        return _Page([], 0, 0)
    rows = {}
    words = confident = 0
    for index, text in enumerate(data["text"]):
        # A table's ruled lines come back as "|", alone or stuck to a word: they are never text.
        text = (text or "").strip().strip("|")
        confidence = float(data["conf"][index])
        if not text or confidence < 0:
            continue
        words += 1
        confident += confidence >= CONFIDENT and len(re.findall(r"[A-Za-z0-9]", text)) >= 2
        key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        left, top = data["left"][index], data["top"][index]
        box = (left, top, left + data["width"][index], top + data["height"][index])
        rows.setdefault(key, []).append((text, confidence, box))
    rows = list(rows.values()) if layout == TEXT_LAYOUT else _rows_across_blocks(rows.values())
    _second_look(image, rows, deadline)
    _dental_zeros(rows)
    in_column = _read_code_columns(image, rows, deadline)
    lines = []
    ordered = sorted(rows, key=lambda row: _span(row)[0])
    for line_number, row in enumerate(ordered, start=1):
        row.sort(key=lambda word: word[2][0])
        row = _joined_dates(_joined_codes(_box_digits(row)))
        line_box = (min(b[0] for _, _, b in row), min(b[1] for _, _, b in row))
        line_box += (max(b[2] for _, _, b in row), max(b[3] for _, _, b in row))
        placed = [
            _word(text, confidence, box, points_per_pixel, image, line_box, box in in_column)
            for text, confidence, box in row
        ]
        lines.append(Line(number, line_number, " ".join(w.text for w in placed), tuple(placed)))
    return _Page(lines, words, confident)


def _rows_across_blocks(lines):
    """Lines of words read block by block (a table's columns), joined into the rows they stand in.

    A line joins a row when its print spans most of the row's height and no word of it lies over
    one of the row's.
    """
    rows = []
    for line in sorted(lines, key=lambda line: sum(_span(line))):  # by their middles
        upper, lower = _span(line)
        for row in reversed(rows[-8:]):  # rows are met top to bottom: the one it joins is near the end
            row_upper, row_lower = _span(row)
            shared = min(lower, row_lower) - max(upper, row_upper)
            crossing = any(min(a[2], b[2]) > max(a[0], b[0]) for _, _, a in line for _, _, b in row)
            if shared > 0.5 * min(lower - upper, row_lower - row_upper) and not crossing:
                row.extend(line)
                break
        else:
            rows.append(list(line))
    return rows


def _span(words):
    """The usual top and bottom of a line's words."""
    return sorted(b[1] for _, _, b in words)[len(words) // 2], sorted(b[3] for _, _, b in words)[len(words) // 2]


# A second look at words in a column of codes that Tesseract read as something else ("cose" for
# 99444 on a coarse claim form): the words are cut out and read again allowing only the characters
# codes are made of.
SECOND_LOOK_CHARACTERS = "0123456789ABCDEFGHJKLMPQRSTUV"
SECOND_LOOK_MOST = 40
# Headings of a column of procedure codes (not "Code" alone: ZIP, revenue and diagnosis codes have it too),
# and how far below one, in heights of the heading, its column reaches.
_CODE_HEADING = re.compile(r"^(?:cpt|hcpcs|cpt/hcpcs|hcpcs/cpt|cpt®|cpt4|cpt-4|proc|procedure)[:.]?$", re.IGNORECASE)
HEADING_REACH = 40
SURE = 85.0


def _second_look(image, rows, deadline):
    """Read again the unsure words that sit in a column of codes, and keep what reads as a code.

    A column is where at least two other lines have a code read with confidence, reaching one
    row's spacing above and below them, or what lies under a CPT or HCPCS heading. A word changed
    here is left below LOW_CONFIDENCE, so the patient is asked to check it against the paper.
    """
    codes = _confident_codes(rows)
    headings = [
        box for row in rows for text, confidence, box in row if confidence >= CONFIDENT and _CODE_HEADING.match(text)
    ]
    if len(codes) < 2 and not headings:
        return
    wanted = []
    for index, row in enumerate(rows):
        for position, (text, confidence, box) in enumerate(row):
            if confidence >= SURE or _CODE_WORD.match(fix_code_lookalikes(text)):
                continue
            if not 3 <= len(re.sub(r"[^A-Za-z0-9]", "", text)) <= 7:
                continue
            if _in_code_column(box, index, codes) or any(_under(box, heading) for heading in headings):
                wanted.append((index, position))
    wanted = wanted[:SECOND_LOOK_MOST]
    if not wanted or deadline - time.monotonic() < 2:
        return
    crops, spans, top = [], [], 0
    for index, position in wanted:
        left, upper, right, lower = rows[index][position][2]
        pad = max(4, (lower - upper) // 2)
        # (Cropping past the picture's edge would add black.)
        crop = image.crop(
            (max(0, left - pad), max(0, upper - pad), min(image.width, right + pad), min(image.height, lower + pad))
        )
        crops.append(crop)
        spans.append((top, top + crop.height))
        top += crop.height + 2 * pad
    sheet = Image.new("L", (max(c.width for c in crops) + 40, top), 255)
    for crop, (start, _) in zip(crops, spans, strict=True):
        sheet.paste(crop, (20, start))
    arguments = ["-l", "eng", "--psm", "6", "-c", f"tessedit_char_whitelist={SECOND_LOOK_CHARACTERS}", "tsv"]
    try:
        data = _table(_tesseract(sheet, arguments, min(5.0, deadline - time.monotonic() - 1)))
    except (TesseractFailed, subprocess.TimeoutExpired, OSError):
        return
    read = [[] for _ in wanted]
    for i, text in enumerate(data["text"]):
        middle = data["top"][i] + data["height"][i] / 2
        for slot, (start, end) in enumerate(spans):
            if (text or "").strip() and float(data["conf"][i]) >= 0 and start <= middle < end:
                read[slot].append((data["left"][i], text.strip(), float(data["conf"][i])))
    for (index, position), found in zip(wanted, read, strict=True):
        found.sort()
        text = "".join(word for _, word, _ in found)
        first = re.sub(r"[^A-Za-z0-9]", "", rows[index][position][0])
        # Sure of the code, or unsure but only adding what the first reading missed (`0140` -> `L0140`).
        sure = found and min(c for _, _, c in found) >= CONFIDENT
        if found and _CODE.match(text) and (sure or (len(first) >= 3 and _within(first, text))):
            box = rows[index][position][2]
            # Below LOW_CONFIDENCE: a code read on a second look is one the patient should check.
            rows[index][position] = (text, min(min(c for _, _, c in found), LOW_CONFIDENCE - 1), box)


# A column of codes read again on its own: on a coarse claim form the dashed lines between a row's
# boxes garble the whole row, its code with it ("Delelvlnlelelelel" for a row holding 11478), while
# the code column, cut out and read as scattered words, reads clearly.
COLUMNS_MOST = 3


def _read_code_columns(image, rows, deadline):
    """Read each column of codes again on its own, and return the boxes of the codes it holds.

    A column is where codes read with confidence on two or more lines stand above each other; it
    reaches a row or so above and below them, and is read again only when some of it was read
    unsure. A code read there confirms the same code read unsure in its row, stands in for the
    garbled words its row has in that place, or starts a row of its own (`_place_code`); the
    patient is asked to check it. A word read with confidence or as another code is never
    overruled, and a code read with confidence the first time is left to the rest of its row.
    """
    codes = _confident_codes(rows)
    columns = []
    for _, box in codes:
        members = [(index, other) for index, other in codes if _above_each_other(box, other)]
        if len({index for index, _ in members}) >= 2 and members not in columns:
            columns.append(members)
    strips = []
    for members in sorted(columns, key=len, reverse=True)[:COLUMNS_MOST]:
        strip = _column_strip(image, [box for _, box in members])
        # Only a column read unsure somewhere has anything to gain from a second reading.
        if strip and _read_unsure(rows, strip) and not any(_shared_area(strip, other) for other in strips):
            strips.append(strip)
    if not strips or deadline - time.monotonic() < 2:
        return set()
    return {_place_code(rows, text, confidence, box) for text, confidence, box in _read_strips(image, strips, deadline)}


def _confident_codes(rows):
    """(row index, box) of each word read with confidence as a code, with or without modifiers."""
    return [
        (index, box)
        for index, row in enumerate(rows)
        for text, confidence, box in row
        if confidence >= CONFIDENT and _CODE_WORD.match(fix_code_lookalikes(text))
    ]


def _column_strip(image, boxes):
    """The strip of the page a column of codes takes, a row or so more above and below (None: too small)."""
    height = sorted(box[3] - box[1] for box in boxes)[len(boxes) // 2]
    upper, lower = _reach(sorted(box[1] for box in boxes))
    left, right = max(0, min(b[0] for b in boxes) - height), min(image.width, max(b[2] for b in boxes) + height)
    top, bottom = max(0, round(upper)), min(image.height, round(lower + height))
    return (left, top, right, bottom) if right - left >= 8 and bottom - top >= 8 else None


def _read_unsure(rows, strip):
    """Whether a word in the strip was read unsure (or garbled)."""
    return any(
        confidence < LOW_CONFIDENCE and strip[0] <= (box[0] + box[2]) / 2 <= strip[2] and strip[1] <= box[1] <= strip[3]
        for row in rows
        for _, confidence, box in row
    )


def _shared_area(box, other):
    """The area two boxes share (0 when apart)."""
    width = min(box[2], other[2]) - max(box[0], other[0])
    height = min(box[3], other[3]) - max(box[1], other[1])
    return width * height if width > 0 and height > 0 else 0


STRIP_GAP = 60  # white pixels between strips read together


def _read_strips(image, strips, deadline):
    """The codes read with some confidence in strips of the page, as scattered words: (text, confidence, box).

    The strips are set side by side and read at once (starting Tesseract costs about 0.1 s).
    """
    width = sum(right - left + STRIP_GAP for left, _, right, _ in strips)
    sheet = Image.new("L", (width, max(bottom - top for _, top, _, bottom in strips)), 255)
    starts, x = [], 0
    for strip in strips:
        sheet.paste(image.crop(strip), (x, 0))
        starts.append(x)
        x += strip[2] - strip[0] + STRIP_GAP
    arguments = ["-l", "eng", "--psm", "11", "-c", f"tessedit_char_whitelist={SECOND_LOOK_CHARACTERS}", "tsv"]
    try:
        data = _table(_tesseract(sheet, arguments, min(5.0, deadline - time.monotonic() - 1)))
    except (TesseractFailed, subprocess.TimeoutExpired, OSError):
        return []
    read = []
    for i, text in enumerate(data["text"]):
        text, confidence = (text or "").strip(), float(data["conf"][i])
        if confidence < CONFIDENT or not _CODE.match(text):
            continue
        slot = bisect.bisect_right(starts, data["left"][i]) - 1
        x, y = strips[slot][0] + data["left"][i] - starts[slot], strips[slot][1] + data["top"][i]
        read.append((text, confidence, (x, y, x + data["width"][i], y + data["height"][i])))
    return read


def _place_code(rows, text, confidence, box):
    """Put a code read in a column into the row it sits on; return its box when it is new there or
    confirms an unsure reading (None when the row's first reading stands).

    Read unsure on its own, a code is taken only where it agrees with what its row read there: the
    same code, or some of its characters in order (`2610` for 20610).
    """

    def level(row):  # how much of the code's height the row's print spans, if the code's middle is in it
        upper, lower = _span(row)
        return min(lower, box[3]) - max(upper, box[1]) if upper <= (box[1] + box[3]) / 2 <= lower else 0

    row = max(rows, key=lambda row: max((_shared_area(b, box) for _, _, b in row), default=0), default=None)
    under = [i for i, (_, _, b) in enumerate(row or []) if _shared_area(b, box)]
    for i in under:
        first, first_confidence, first_box = row[i]
        if fix_code_lookalikes(first).lstrip("([").startswith(text):
            # Read the same way twice. A code read with confidence the first time needs no more proof,
            # unless the rest of its row was garbled: then nothing else on the row says what it is.
            return first_box if first_confidence < LOW_CONFIDENCE or _garbled(row) else None
    if any(row[i][1] >= CONFIDENT or _CODE_WORD.match(fix_code_lookalikes(row[i][0])) for i in under):
        return None  # a confident word, or another code: the first reading stands
    firsts = [re.sub(r"[^A-Za-z0-9]", "", row[i][0]) for i in under]
    if confidence < SURE and not any(len(first) >= 3 and _within(first, text) for first in firsts):
        return None
    if not under:
        row = max(rows, key=level, default=None)
        if row is None or level(row) <= 0:
            row = []
            rows.append(row)
    for i in reversed(under):
        del row[i]
    row.append((text, min(confidence, LOW_CONFIDENCE - 1), box))
    row.sort(key=lambda word: word[2][0])
    return box


def _garbled(row):
    """Whether most words of a row were read unsure."""
    return sum(confidence < CONFIDENT for _, confidence, _ in row) * 2 > len(row)


def _within(part, whole):
    """Whether the characters of `part` appear in `whole` in the same order."""
    rest = iter(whole)
    return all(character in rest for character in part)


def _under(box, heading):
    """Whether a word starts under a column heading, within a page of rows of it."""
    left, upper, right, lower = heading
    height = lower - upper
    overlap = min(box[2], right) - max(box[0], left)
    return overlap >= 0.5 * min(box[2] - box[0], right - left) and lower < box[1] <= lower + HEADING_REACH * height


def _in_code_column(box, row_index, codes):
    """Whether a word lines up under codes read on at least two other lines, within a row or so of them."""
    span = _column_span(box, row_index, codes)
    return span is not None and span[0] <= box[1] <= span[1]


def _column_span(box, row_index, codes):
    """From the top of the first code lined up with a word to the last, a row or so more each way (None: under two)."""
    tops = sorted(other[1] for index, other in codes if index != row_index and _above_each_other(box, other))
    return _reach(tops) if len(tops) >= 2 else None


def _reach(tops):
    """From the first of two or more tops in order to the last, a row or so more each way."""
    gaps = sorted(b - a for a, b in zip(tops, tops[1:], strict=False))
    reach = 1.5 * gaps[len(gaps) // 2]
    return tops[0] - reach, tops[-1] + reach


def _above_each_other(box, other):
    """Whether two words share at least half the width of the narrower one."""
    return min(box[2], other[2]) - max(box[0], other[0]) >= 0.5 * min(box[2] - box[0], other[2] - other[0])


_DENTAL = re.compile(r"^D\d{4}$")
_ZERO_FOR_D = re.compile(r"^0\d{4}$")
_DIGIT_CODE = re.compile(r"^0?\d{5}$")


def _dental_zeros(rows):
    """`02740` -> `D2740` in a column of dental codes: Tesseract reads the D of a CDT code as a zero.

    Only where the word lines up with dental codes read with confidence on two other lines, and no
    five-digit code sits among them: a ZIP code (`MA 02115`) or an anesthesia code (00170) is not in
    such a column.
    The patient is asked to check the code.
    """
    dental, digits = [], []
    for index, row in enumerate(rows):
        for text, confidence, box in row:
            fixed = fix_code_lookalikes(text)
            if confidence >= CONFIDENT and _DENTAL.match(fixed):
                dental.append((index, box))
            elif confidence >= CONFIDENT and _DIGIT_CODE.match(fixed):
                digits.append((index, box))
    if len(dental) < 2:
        return
    for index, row in enumerate(rows):
        for position, (text, confidence, box) in enumerate(row):
            span = _column_span(box, index, dental) if _ZERO_FOR_D.match(text) else None
            if not span or not span[0] <= box[1] <= span[1]:
                continue
            lined_up = [other for _, other in digits if _above_each_other(box, other)]
            if not any(span[0] <= other[1] <= span[1] for other in lined_up):
                row[position] = ("D" + text[1:], min(confidence, LOW_CONFIDENCE - 1), box)


_BOX_DIGITS = re.compile(r"^(?:[oO]\d|\d[oO])$")
_SMALL_NUMBER = re.compile(r"^\d{1,2}$")


def _box_digits(row):
    """`o2 10 17` -> `02 10 17`: a form's boxed number read with a letter O for its zero, next to other such numbers."""
    texts = [text for text, _, _ in row]
    fixed = list(row)
    for index, text in enumerate(texts):
        neighbours = texts[max(0, index - 1) : index] + texts[index + 1 : index + 2]
        if _BOX_DIGITS.match(text) and any(_SMALL_NUMBER.match(n) or _BOX_DIGITS.match(n) for n in neighbours):
            fixed[index] = (text.replace("o", "0").replace("O", "0"), *row[index][1:])
    return fixed


_CODE_START = re.compile(r"^[(\[](\d{1,4})$")
_CODE_END = re.compile(r"^(\d{1,4})(?:[-,:][0-9A-Z]{2})+[)\]][.,;:]?$")


def _joined(row, confidence_of):
    """The row with each word joined to the word before it where `confidence_of(before, word)`
    gives the joined word's confidence (None: two words)."""
    joined = []
    for word in row:
        confidence = confidence_of(joined[-1], word) if joined else None
        if confidence is None:
            joined.append(word)
            continue
        (first, _, first_box), (text, _, box) = joined[-1], word
        merged = (first_box[0], min(first_box[1], box[1]), box[2], max(first_box[3], box[3]))
        joined[-1] = (first + text, confidence, merged)
    return joined


def _joined_codes(row):
    """`(7 1260-26)` -> `(71260-26)`: a code in brackets with its modifier, read with a space inside it.

    Only two groups of digits that make five together, opened by a bracket and closed by a modifier
    and a bracket: nothing else on a bill is shaped so. Both must be read with confidence: on a blurred
    photo the groups were misread digits as often as not (`(871 19-GF)` for 97110). The patient is
    asked to check the code.
    """
    return _joined(row, _code_parts)


def _code_parts(before, word):
    (first, first_confidence, _), (text, confidence, _) = before, word
    start, end = _CODE_START.match(first), _CODE_END.match(text)
    if start and end and min(first_confidence, confidence) >= CONFIDENT and len(start.group(1) + end.group(1)) == 5:
        return min(first_confidence, confidence, LOW_CONFIDENCE - 1)
    return None


_DATE_PART = re.compile(r"^\d{1,2}/\d{0,2}$|^\d{1,2}/\d{1,2}/\d{0,3}$")
_WHOLE_DATE = re.compile(r"^(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:\d{2}|\d{4})$")


def _joined_dates(row):
    """`03/1 4/25` -> `03/14/25`: a date Tesseract read with a space inside it, the two parts nearly touching.

    Only parts that are no date alone and make a whole date together, closer than half the
    print's height: a service line's date is what tells a code and its charge to a patient.
    """
    return _joined(row, _date_parts)


def _date_parts(before, word):
    (first, first_confidence, first_box), (text, confidence, box) = before, word
    close = box[0] - first_box[2] < 0.5 * max(first_box[3] - first_box[1], box[3] - box[1])
    if close and _DATE_PART.match(first) and not _WHOLE_DATE.match(first) and _WHOLE_DATE.match(first + text):
        return min(first_confidence, confidence)
    return None


def _word(text, confidence, box, points_per_pixel, image, line_box, in_code_column=False):
    fixed = fix_code_lookalikes(text)
    original = text if fixed != text else None
    word = OcrWord(
        fixed,
        box[0] * points_per_pixel,
        box[2] * points_per_pixel,
        box[1] * points_per_pixel,
        bottom=box[3] * points_per_pixel,
        confidence=confidence,
        original=original,
        in_code_column=in_code_column,
    )
    if CODE_SHAPE.search(fixed) and word.needs_check:
        return replace(word, snippet=_snippet(image, box, line_box))
    return word


def _snippet(image, box, line_box):
    """The word with a little of its line around it, for the patient to compare with the paper."""
    height = max(box[3] - box[1], 10)
    left = max(line_box[0], box[0] - 12 * height)
    right = min(line_box[2], box[2] + 12 * height)
    crop = image.crop((max(0, left - height), max(0, box[1] - height), right + height, box[3] + height))
    crop.thumbnail((720, 96))
    buffer = io.BytesIO()
    crop.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- Letters Tesseract reads in place of digits -------------------------------------------

_DIGIT_LOOKALIKES = {
    "O": "0",
    "o": "0",
    "Q": "0",
    "I": "1",
    "l": "1",
    "S": "5",
    "s": "5",
    "B": "8",
    "Z": "2",
    "z": "2",
    "З": "3",  # Cyrillic Ze: a 3 to the eye
}
_CAPITAL_LOOKALIKES = {"£": "E", "€": "E"}
_HCPCS = "".join(sorted(HCPCS_LETTERS))
CODE_SHAPE = re.compile(rf"(?<![A-Za-z0-9])0?(?:\d{{5}}|\d{{4}}[FTU]|[{_HCPCS}]\d{{4}})(?![A-Za-z0-9])")
# A token that may be a code, with a bracket before it and punctuation or a glued modifier after it,
# or glued to the capitals of its description when a narrow column left no space (`GO463HOSPITAL`).
_TOKEN = re.compile(
    r"^(?P<lead>[(\[]?)(?P<pad>0?)(?P<core>[^\s(),:;\-\[\].]{5})(?P<tail>(?:[-,:(].*)?[).,;:\]]*|[A-Z]{3}\S*)$"
)
_CODE = re.compile(rf"^(?:\d{{5}}|\d{{4}}[FTU]|[{_HCPCS}]\d{{4}})$")
# A word that is a code, perhaps zero-padded, in brackets or with a modifier glued on.
_CODE_WORD = re.compile(rf"^[(\[]?0?(?:\d{{5}}|\d{{4}}[FTU]|[{_HCPCS}]\d{{4}})(?:[-,:(][0-9A-Z]{{2}}\)?)*[).,;:\]]*$")


# Pairs of characters a coarse scan or a soft photo turns into one another, within codes: a J's hook
# read as a 3, a G's bar lost (C), the loops of 6, 8, 9 and 0 closed or opened.
CONFUSED = "08 09 06 0D 17 14 1A 38 3J 4A 56 5S 68 6G 89 8B 9P CG EF".split()


def lookalike_codes(code):
    """The codes one look-alike character away from `code` ("33301" -> J3301, 38301, ...)."""
    found = set()
    for index, character in enumerate(code):
        for pair in CONFUSED:
            if character in pair:
                candidate = code[:index] + pair.replace(character, "") + code[index + 1 :]
                if _CODE.match(candidate):
                    found.add(candidate)
    return found


def fix_code_lookalikes(token):
    """`DO120` -> `D0120`, `9921З` -> `99213`: change look-alike letters only where that makes a code.

    The first character never becomes a digit: a letter before four digits is how HCPCS codes
    and diagnosis codes without their dot look (`Z0000`, `I2510`), so it stays (in capitals).
    A change needs three real digits in the token and makes at most two swaps, so words
    ("BOSS", "SOLID") and amounts never turn into codes. Hospital systems pad codes to six
    characters with a leading zero (`07O486`); the zero is kept as it is.
    """
    match = _TOKEN.match(token)
    if not match:
        return token
    core = match.group("core")
    if _CODE.match(core) or sum(c.isdigit() for c in core) < 3:
        return token
    first, middle, last = core[0], core[1:4], core[4]
    capital = _CAPITAL_LOOKALIKES.get(first, first.upper())
    if capital != first and capital in HCPCS_LETTERS and first not in _DIGIT_LOOKALIKES:
        # `j1100`: Tesseract often gets the case of a lone capital wrong, and reads an E as `£`. With
        # other changes needed too (`bB800`) the token is more likely a smudge than a code.
        if not core[1:].isdigit():
            return token
        candidate, swaps = capital + core[1:], 1
    else:
        fixed_last = last if last in "FTU" else _DIGIT_LOOKALIKES.get(last, last)
        candidate = first + "".join(_DIGIT_LOOKALIKES.get(c, c) for c in middle) + fixed_last
        swaps = sum(c in _DIGIT_LOOKALIKES for c in middle) + (fixed_last != last)
    if not swaps or swaps > 2 or not _CODE.match(candidate):
        return token
    return match.group("lead") + match.group("pad") + candidate + match.group("tail")
