"""Turn a bill (pasted text or file bytes) into an explanation.

The one function behind the page, `manage.py explain` and the API, so they
never disagree. Bill text lives only in this call's local variables.

Messages and findings are said in the `language` asked for, like our own texts.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billexplain.bills import checks as bill_checks
from billexplain.bills import extraction, ocr
from billexplain.bills.isolation import ParseFailed, run_isolated
from billexplain.bills.pdf import UnreadablePdf, read_pdf
from billexplain.coding import diagnoses, reference, revenue
from billexplain.coding.fees import medicare_prices
from billexplain.coding.knowledge import ENGLISH, UNKNOWN, explain_codes, known_codes
from billexplain.i18n import say


class BillError(Exception):
    """A bill we cannot read; the message is written for the patient."""


@dataclass(frozen=True)
class Source:
    kind: str  # "text", "pdf" or "image"
    pages: int
    ocr_pages: tuple[int, ...] = ()  # pages read from a picture with OCR


@dataclass(frozen=True)
class OcrCheck:
    """A code read from a photo or scan that the patient should compare with the paper."""

    code: str
    page: int
    line: int
    read_as: str  # what OCR saw, before we changed look-alike letters
    confidence: float  # OCR's, 0-100
    snippet: bytes | None = field(default=None, repr=False)  # PNG of the place on the page


@dataclass(frozen=True)
class Explanation:
    source: Source
    items: tuple
    codes: tuple
    diagnoses: tuple
    modifiers: dict
    warnings: tuple[str, ...] = field(default=())
    ocr_checks: tuple[OcrCheck, ...] = field(default=())  # codes read from a picture: compare with the paper
    prices: dict = field(default_factory=dict)  # code -> fees.MedicarePrice
    findings: tuple = field(default=())  # checks.Finding: things worth asking about
    uncoded: tuple = field(default=())  # extraction.UncodedLine: charges with no code

    @property
    def total_charged(self):
        total = Decimal(0)
        for item in self.items:
            try:
                total += Decimal(item.charge or 0)
            except InvalidOperation:
                continue
        return total if any(item.charge for item in self.items) else None


def file_kind(name, data):
    """What a file is, from its bytes (and, for plain text, its name): "pdf", "image", "text" or None."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if ocr.image_type(data):
        return "image"
    if name.lower().endswith(".txt"):
        return "text"
    return None


def explain_text(text, language=ENGLISH):
    """Pasted text. Its messages and findings are in `language`, like our own texts."""
    with translation.override(language):
        if len(text) > settings.BILL_TEXT_MAX_CHARS:
            raise BillError(
                _("This text is too long (%(length)s characters). We read up to %(limit)s.")
                % {"length": _number(len(text)), "limit": _number(settings.BILL_TEXT_MAX_CHARS)}
            )
        if not text.strip():
            raise BillError(_("Please paste the text of your bill, or choose a file."))
        return _explain(extraction.lines_from_text(text), Source("text", 1), language=language)


def _number(value):
    return number_format(value, force_grouping=True)


def explain_file(name, data, language=ENGLISH):
    """A file from a patient or the command line: a PDF, a photo or scan, or plain text, explained in `language`."""
    with translation.override(language):
        return _explain_file(name, data, language)


def _explain_file(name, data, language):
    if len(data) > settings.BILL_UPLOAD_MAX_BYTES:
        limit = settings.BILL_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise BillError(_("This file is too large. We read files of up to %(limit)s MB.") % {"limit": limit})
    if not data:
        raise BillError(_("This file is empty."))
    kind = file_kind(name, data)
    if kind == "pdf":
        return _explain_pdf(data, language)
    if kind == "image":
        return _explain_image(data, language)
    if kind == "text":
        try:
            return explain_text(data.decode("utf-8-sig"), language)
        except UnicodeDecodeError:
            return explain_text(data.decode("latin-1"), language)
    raise BillError(
        _(
            "This is not a PDF or a text file of a bill. Please choose a PDF, a photo (JPEG, PNG, TIFF, WEBP or HEIC), "
            "or paste the text."
        )
    )


def _explain_pdf(data, language):
    try:
        pdf = run_isolated(
            read_pdf,
            data,
            settings.BILL_MAX_PAGES,
            seconds=settings.BILL_PARSE_SECONDS,
            memory_mb=settings.BILL_PARSE_MEMORY_MB,
        )
    except UnreadablePdf as error:
        raise BillError(say(error.args[0])) from None
    except ParseFailed:
        raise BillError(
            _(
                "We could not read this PDF in time: it may be damaged, have too many pages, "
                "or be too large to read safely. Try printing it to a new PDF, or paste its text."
            )
        ) from None
    lines, warnings, read = pdf.lines, [], ()
    if pdf.scanned_pages:
        scanned = _ocr(ocr.ocr_pdf_pages, data, list(pdf.scanned_pages), _ocr_limits())
        if scanned is None:
            count = len(pdf.scanned_pages)
            scans = ngettext(
                "%(count)s of %(pages)s pages is a picture of paper (a scan).",
                "%(count)s of %(pages)s pages are pictures of paper (a scan).",
                count,
            ) % {"count": count, "pages": pdf.pages}
            until = _("Until then, please paste the text of those pages if you can.")
            warnings.append(f"{scans} {say(ocr.INSTALL_HINT)} {until}")
        else:
            read = tuple(n for n in pdf.scanned_pages if n not in scanned.skipped_pages)
            forms = set(pdf.form_lines)
            kept = [line for line in pdf.lines if line.page not in read and line not in forms]
            # Each page in order, its form fields last, as read_pdf gives them.
            lines = sorted(kept + scanned.lines, key=lambda line: line.page) + list(pdf.form_lines)
            warnings.extend(_ocr_warnings(scanned, "page"))
    return _explain(lines, Source("pdf", pdf.pages, read), warnings, language)


def _explain_image(data, language):
    """A phone photo or a scanned picture of a bill."""
    result = _ocr(ocr.ocr_image, data, _ocr_limits())
    if result is None:
        raise BillError(say(ocr.INSTALL_HINT))
    pages = tuple(sorted(set(result.read_pages) | set(result.unreadable_pages)))
    warnings = _ocr_warnings(result, "picture")
    return _explain(result.lines, Source("image", result.pages, pages), warnings, language)


def _ocr(read, *args):
    """Run an OCR call in a child process (it decodes and renders untrusted pictures); None without Tesseract."""
    try:
        return run_isolated(
            read, *args, seconds=settings.BILL_OCR_TOTAL_SECONDS + 5, memory_mb=settings.BILL_PARSE_MEMORY_MB
        )
    except ocr.OcrUnavailable:
        return None
    except ocr.OcrError as error:
        raise BillError(say(error.args[0])) from None
    except ParseFailed:
        raise BillError(
            _(
                "We could not read this picture in time, or it is too large to read safely. "
                "A smaller, sharper photo of each page may help."
            )
        ) from None


def _ocr_limits():
    return ocr.OcrLimits(
        max_pixels=settings.BILL_MAX_IMAGE_PIXELS,
        max_pages=settings.BILL_MAX_PAGES,
        page_seconds=settings.BILL_OCR_PAGE_SECONDS,
        total_seconds=settings.BILL_OCR_TOTAL_SECONDS,
        languages=settings.BILL_OCR_LANGUAGES,
    )


def _ocr_warnings(result, noun):
    warnings = []
    several = result.pages > 1
    if result.unreadable_pages:
        warnings.append(
            _("We could not read %(pages)s: the picture may be blurry, too dark or too small. A sharper copy may help.")
            % {"pages": _pages(result.unreadable_pages)}
        )
    if result.hard_pages:
        where = _pages(result.hard_pages) if several else {"page": _("this page"), "picture": _("this picture")}[noun]
        warnings.append(
            _(
                "Parts of %(pages)s were hard to read, so some codes may be missing or misread. "
                "A sharper, straighter copy in good light may help."
            )
            % {"pages": where}
        )
    if result.skipped_pages:
        warnings.append(
            _(
                "We did not read %(pages)s: reading it took too long. "
                "Please upload those pages on their own, or a sharper copy."
            )
            % {"pages": _pages(result.skipped_pages)}
        )
    return warnings


def _pages(numbers):
    if len(numbers) == 1:
        return _("page %(number)s") % {"number": numbers[0]}
    return _("pages %(numbers)s and %(last)s") % {
        "numbers": ", ".join(str(n) for n in numbers[:-1]),
        "last": numbers[-1],
    }


def _explain(lines, source, warnings=(), language=ENGLISH):
    found = extraction.extract(lines)
    rows = reference.current()  # what this worker keeps, checked once for every lookup
    items, unsure = _ocr_confidence(found.items, lines, rows) if source.ocr_pages else (list(found.items), [])
    modifiers = {m for item in items for m in item.modifiers}
    knowledge = explain_codes([(item.code, item.date) for item in items], modifiers, language=language, kept=rows)
    items = [item for item in items if _keep(item, knowledge)]
    codes = [knowledge.codes[code] for code in dict.fromkeys(item.code for item in items)]
    kept = {(item.page, item.line, item.code) for item in items}
    unsure = [check for check in unsure if (check.page, check.line, check.code) in kept]
    warnings = list(warnings)
    if unsure:
        count = len({check.code for check in unsure})
        warnings.append(
            ngettext(
                "We are not sure we read %(count)s code on the picture correctly.",
                "We are not sure we read %(count)s codes on the picture correctly.",
                count,
            )
            % {"count": count}
            + " "
            + _("Please compare the codes marked for checking with your bill.")
        )
    if not items:
        warnings.append(
            _(
                "We found no CPT or HCPCS codes on this bill. Summary bills often leave them out: "
                "ask the billing office for an itemized bill that lists the codes."
            )
        )
    prices = medicare_prices(knowledge.codes, kept=rows)
    return Explanation(
        source,
        tuple(items),
        tuple(codes),
        found.diagnoses,
        knowledge.modifiers,
        tuple(warnings),
        tuple(unsure),
        prices=prices,
        findings=tuple(
            replace(finding, message=say(finding.message), question=say(finding.question))
            for finding in bill_checks.check(items, knowledge.codes, prices, found.uncoded)
        ),
        uncoded=found.uncoded,
    )


def _ocr_confidence(items, lines, kept):
    """Lower the confidence of codes OCR was unsure of, or that needed a look-alike character changed.

    A code read from a picture that we know nothing of, one look-alike character from exactly one code
    we know, is that code misread: "33301" for J3301, "C2211" for G2211 on a coarse scan. We know a
    code when we wrote a note on it, or CMS lists it (HCPCS file or fee schedule).
    """
    by_line = {
        (line.page, line.number, extraction.plain_characters(line.text).strip()[:300]): line
        for line in lines
        if line.words
    }
    words = {}
    for item in items:
        line = by_line.get((item.page, item.line, item.source))
        word = _code_word(line, item.code) if line else None
        if word is not None:
            words[item.code, item.page, item.line] = word
    instead = _known_lookalikes({code for code, _, _ in words}, kept)
    adjusted, unsure = [], []
    for item in items:
        word = words.get((item.code, item.page, item.line))
        if word is None or not (word.needs_check or item.code in instead):
            adjusted.append(item)
            continue
        certainty = min(word.confidence / 100, 0.75 if word.original or item.code in instead else 1.0)
        code = instead.get(item.code, item.code)
        adjusted.append(
            replace(
                item,
                code=code,
                confidence=round(item.confidence * certainty, 2),
                reason=f"{item.reason}; read from a picture: please check it against your bill",
            )
        )
        unsure.append(OcrCheck(code, item.page, item.line, word.original or word.text, word.confidence, word.snippet))
    return adjusted, unsure


def _known_lookalikes(read, kept):
    """{code read: the one known code it looks like} for the codes read that we do not know."""
    options = {code: ocr.lookalike_codes(code) for code in read}
    known = known_codes(read.union(*options.values()), kept)
    return {code: next(iter(options[code] & known)) for code in read - known if len(options[code] & known) == 1}


def _code_word(line, code):
    for word in line.words:
        if code in word.text and isinstance(word, ocr.OcrWord):
            return word
    return None


def _keep(item, knowledge):
    """A letter code CMS does not list is more likely a diagnosis code written without its dot."""
    explained = knowledge.codes[item.code]
    return not (explained.status == UNKNOWN and item.confidence < 0.98)


def as_json(explanation, filename=None):
    """The JSON contract of DESIGN.md, shared by `manage.py explain --json` and the API."""
    data = {}
    if filename is not None:
        data["file"] = filename
    data["source"] = {"kind": explanation.source.kind, "pages": explanation.source.pages}
    if explanation.source.ocr_pages:
        data["source"]["ocr_pages"] = list(explanation.source.ocr_pages)
    data["codes"] = [_code_json(c, explanation.prices.get(c.code)) for c in explanation.codes]
    data["line_items"] = [
        {
            "code": item.code,
            "modifiers": list(item.modifiers),
            "page": item.page,
            "line": item.line,
            "date": item.date.isoformat() if item.date else None,
            "description": item.description or None,
            "units": item.units,
            "charge": item.charge,
            "confidence": item.confidence,
            "reason": item.reason,
            "revenue_code": item.revenue_code,
            "revenue_description": revenue.describe(item.revenue_code) if item.revenue_code else None,
            "ndc": item.ndc,
        }
        for item in explanation.items
    ]
    data["diagnosis_codes"] = [
        {"code": d.code, "description": diagnoses.describe(d.code)} for d in explanation.diagnoses
    ]
    data["uncoded_lines"] = [
        {
            "page": line.page,
            "line": line.line,
            "date": line.date.isoformat() if line.date else None,
            "description": line.description,
            "charge": line.charge,
            "revenue_code": line.revenue_code,
            "revenue_description": revenue.describe(line.revenue_code) if line.revenue_code else None,
        }
        for line in explanation.uncoded
    ]
    data["checks"] = [
        {"kind": f.kind, "code": f.code, "page": f.page, "line": f.line, "message": f.message, "question": f.question}
        for f in explanation.findings
    ]
    data["warnings"] = [{"message": message} for message in explanation.warnings]
    return data


def _code_json(explained, price=None):
    c = explained.classification
    return {
        "code": c.code,
        "code_set": c.code_set,
        "hcpcs_level": c.hcpcs_level,
        "category": c.category,
        "section": c.section,
        "subsection": c.subsection,
        "owner": c.owner,
        "description": explained.description,
        "release": explained.release or None,
        "explanation": explained.explanation,
        "status": explained.status,
        "ended_on": explained.ended_on.isoformat() if explained.ended_on else None,
        "medicare": _price_json(price),
    }


def _price_json(price):
    if price is None:
        return None
    return {
        "year": price.year,
        "office": str(price.non_facility_amount) if price.non_facility_amount is not None else None,
        "facility": str(price.facility_amount) if price.facility_amount is not None else None,
        "note": price.note,
    }
