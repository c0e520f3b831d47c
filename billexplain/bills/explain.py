"""Turn a bill (pasted text or file bytes) into an explanation.

The one function behind the page, `manage.py explain` and the API, so they
never disagree. Bill text lives only in this call's local variables.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings

from billexplain.bills import extraction
from billexplain.bills.pdf import UnreadablePdf, read_pdf
from billexplain.coding.knowledge import UNKNOWN, explain_codes


class BillError(Exception):
    """A bill we cannot read; the message is written for the patient."""


@dataclass(frozen=True)
class Source:
    kind: str  # "text" or "pdf"
    pages: int


@dataclass(frozen=True)
class Explanation:
    source: Source
    items: tuple
    codes: tuple
    diagnoses: tuple
    modifiers: dict
    warnings: tuple[str, ...] = field(default=())

    @property
    def total_charged(self):
        total = Decimal(0)
        for item in self.items:
            try:
                total += Decimal(item.charge or 0)
            except InvalidOperation:
                continue
        return total if any(item.charge for item in self.items) else None

    @property
    def cpt_count(self):
        return sum(1 for c in self.codes if c.classification.hcpcs_level == 1)

    @property
    def level_two_count(self):
        return sum(1 for c in self.codes if c.classification.hcpcs_level == 2)


def explain_text(text):
    if len(text) > settings.BILL_TEXT_MAX_CHARS:
        raise BillError(
            f"This text is too long ({len(text):,} characters). We read up to {settings.BILL_TEXT_MAX_CHARS:,}."
        )
    if not text.strip():
        raise BillError("Please paste the text of your bill, or choose a file.")
    return _explain(extraction.lines_from_text(text), Source("text", 1))


def explain_file(name, data):
    """A file from a patient or the command line: a PDF, or plain text."""
    if len(data) > settings.BILL_UPLOAD_MAX_BYTES:
        limit = settings.BILL_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise BillError(f"This file is too large. We read files of up to {limit} MB.")
    if not data:
        raise BillError("This file is empty.")
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return explain_pdf(data)
    if name.lower().endswith(".txt"):
        try:
            return explain_text(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return explain_text(data.decode("latin-1"))
    raise BillError("This is not a PDF or a text file of a bill. Please choose a PDF, or paste the text.")


def explain_pdf(data):
    try:
        pdf = read_pdf(data, settings.BILL_MAX_PAGES)
    except UnreadablePdf as error:
        raise BillError(str(error)) from None
    warnings = []
    if pdf.pages_with_text < pdf.pages:
        missing = pdf.pages - pdf.pages_with_text
        warnings.append(
            f"{missing} of {pdf.pages} pages have no text we can read. They may be scanned images. "
            "We cannot read scans yet: please paste the text of those pages if you can."
        )
    return _explain(pdf.lines, Source("pdf", pdf.pages), warnings)


def _explain(lines, source, warnings=()):
    found = extraction.extract(lines)
    modifiers = {m for item in found.items for m in item.modifiers}
    knowledge = explain_codes([(item.code, item.date) for item in found.items], modifiers)
    items = [item for item in found.items if _keep(item, knowledge)]
    codes = [knowledge.codes[code] for code in dict.fromkeys(item.code for item in items)]
    warnings = list(warnings)
    if not items:
        warnings.append(
            "We found no CPT or HCPCS codes on this bill. Summary bills often leave them out: "
            "ask the billing office for an itemized bill that lists the codes."
        )
    return Explanation(source, tuple(items), tuple(codes), found.diagnoses, knowledge.modifiers, tuple(warnings))


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
    data["codes"] = [_code_json(c) for c in explanation.codes]
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
        }
        for item in explanation.items
    ]
    data["diagnosis_codes"] = [{"code": d.code, "description": None} for d in explanation.diagnoses]
    data["warnings"] = [{"message": message} for message in explanation.warnings]
    return data


def _code_json(explained):
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
    }
