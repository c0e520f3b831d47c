"""What the patient's page shows, worked out once from an explanation.

Templates only lay it out: every sentence that depends on the bill is decided here,
where it can be tested.
"""

import base64
import functools
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from billexplain.coding import diagnoses, revenue
from billexplain.coding.fees import ABOUT_MEDICARE_PRICES
from billexplain.coding.knowledge import ENDED, NOT_YET, UNKNOWN

# Where an ambulance ride started or ended: the two letters of an ambulance modifier.
AMBULANCE_PLACES = {
    "D": gettext_lazy("a place for tests or treatment (not a doctor's office or hospital)"),
    "E": gettext_lazy("a care home that is not a nursing facility"),
    "G": gettext_lazy("a hospital's dialysis center"),
    "H": gettext_lazy("a hospital"),
    "I": gettext_lazy("a place where you moved between vehicles"),
    "J": gettext_lazy("a dialysis center"),
    "N": gettext_lazy("a skilled nursing facility"),
    "P": gettext_lazy("a doctor's office"),
    "R": gettext_lazy("your home"),
    "S": gettext_lazy("the scene of an accident or emergency"),
    "X": gettext_lazy("a stop at a doctor's office on the way to the hospital"),
}

LOW_CONFIDENCE = 0.9


@dataclass(frozen=True)
class ModifierNote:
    code: str
    meaning: str
    language: str = ""  # the language `meaning` is in, when it may differ from the page's
    official: bool = False  # the CMS description (in English), for want of our own words


@dataclass(frozen=True)
class Row:
    item: object  # extraction.LineItem
    code: object  # knowledge.CodeExplanation
    modifiers: tuple[ModifierNote, ...]
    check_reading: bool  # we are not sure we read this code right
    day: str = ""  # its date of service as the table shows it: "Mar 14, 2025"
    units: str = "—"
    notes: tuple[str, ...] = ()  # under its description: its hospital department, its drug package
    read_as: str = ""  # what OCR saw, when it differs from the code
    snippet: str = ""  # a data: URL of the place on the picture, for the patient to compare

    @property
    def attention(self):
        return self.code.status in (ENDED, NOT_YET, UNKNOWN) or self.check_reading

    @property
    def description(self):
        """What the line is: the bill's own words, else the code's category."""
        return self.item.description or _(self.code.classification.category)


@dataclass(frozen=True)
class CodeSection:
    """One code's explanation with the lines of the bill that carry it."""

    code: object  # knowledge.CodeExplanation
    rows: tuple[Row, ...]
    price: object = None  # fees.MedicarePrice, when Medicare's fee schedule lists the code

    # The page asks for these twice (whether there are any, then each): work them out once.
    @functools.cached_property
    def places(self):
        return _places(self.rows)

    @functools.cached_property
    def modifiers(self):
        """Each modifier printed with the code, once, in the order the bill shows them."""
        return tuple({note.code: note for row in self.rows for note in row.modifiers}.values())

    @property
    def medicare_pays(self):
        return _("What Medicare pays (%(year)s, national):") % {"year": self.price.year} if self.price else ""

    @property
    def medicare_amounts(self):
        """Medicare's prices in words: "$88.95 in a doctor's office; $63.72 in a hospital or surgery center"."""
        if self.price is None:
            return ""
        amounts = []
        if self.price.non_facility_amount is not None:
            amounts.append(_("$%(amount)s in a doctor's office") % {"amount": self.price.non_facility_amount})
        if self.price.facility_amount is not None:
            amounts.append(_("$%(amount)s in a hospital or surgery center") % {"amount": self.price.facility_amount})
        return "; ".join(amounts) + "." if amounts else ""


@dataclass(frozen=True)
class UncodedRow:
    line: object  # extraction.UncodedLine
    day: str = ""


@dataclass(frozen=True)
class DiagnosisRow:
    code: str
    description: str | None


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]
    codes: tuple  # knowledge.CodeExplanation, each once
    sections: tuple[CodeSection, ...]
    diagnoses: tuple[DiagnosisRow, ...]
    warnings: tuple[str, ...]
    total_charged: object
    attention: tuple[str, ...]
    findings: tuple = ()  # checks.Finding
    uncoded: tuple[UncodedRow, ...] = ()
    about_prices: str = ABOUT_MEDICARE_PRICES

    @property
    def cpt_count(self):
        return sum(1 for c in self.codes if c.classification.hcpcs_level == 1)

    @property
    def level_two_count(self):
        return sum(1 for c in self.codes if c.classification.hcpcs_level == 2)


def _department(revenue_code):
    """The department a revenue code names, in the page's language: "Hospital department: Emergency room (0450)"."""
    name = revenue.describe(revenue_code) if revenue_code else None
    if not name:
        return None
    return _("Hospital department: %(department)s (%(revenue_code)s)") % {
        "department": _(name),
        "revenue_code": revenue_code,
    }


def _notes(item, department):
    ndc = _("Drug package number (NDC): %(ndc)s") % {"ndc": item.ndc} if item.ndc else None
    return tuple(note for note in (department(item.revenue_code), ndc) if note)


def build(explanation):
    explained = {c.code: c for c in explanation.codes}
    day = _day_writer()
    department = functools.cache(_department)  # a bill names a few departments many times
    ocr = {(c.page, c.line, c.code): c for c in getattr(explanation, "ocr_checks", ())}
    rows = tuple(
        Row(
            item=item,
            code=explained[item.code],
            modifiers=tuple(_modifier_note(item.code, m, explanation.modifiers) for m in item.modifiers),
            check_reading=item.confidence < LOW_CONFIDENCE,
            day=day(item.date),
            units="—" if item.units is None else str(item.units),
            notes=_notes(item, department),
            **_ocr_view(ocr.get((item.page, item.line, item.code))),
        )
        for item in explanation.items
    )
    by_code = {}
    for row in rows:
        by_code.setdefault(row.code.code, []).append(row)
    return Report(
        rows=rows,
        codes=tuple(explanation.codes),
        sections=tuple(
            CodeSection(code, tuple(by_code.get(code.code, ())), explanation.prices.get(code.code))
            for code in explanation.codes
        ),
        diagnoses=tuple(DiagnosisRow(d.code, diagnoses.describe(d.code)) for d in explanation.diagnoses),
        warnings=tuple(explanation.warnings),
        total_charged=explanation.total_charged,
        attention=_attention(rows),
        findings=tuple(f for f in explanation.findings if f.kind != "no_code"),
        uncoded=tuple(UncodedRow(line, day(line.date)) for line in explanation.uncoded),
    )


def _day_writer():
    """Writes a date as the bill's table shows it ("Mar 14, 2025"); a bill has few days, each written once."""
    pattern = pgettext("short date format for the bill table (Django date filter letters)", "M j, Y")
    return functools.cache(lambda day: date_format(day, pattern) if day else "")


def _ocr_view(check):
    if check is None:
        return {}
    snippet = f"data:image/png;base64,{base64.b64encode(check.snippet).decode()}" if check.snippet else ""
    return {"read_as": check.read_as if check.read_as != check.code else "", "snippet": snippet}


def ambulance_trip(modifier):
    """RH -> "From your home to a hospital", for the origin-destination letters of ambulance codes."""
    if len(modifier) == 2 and all(letter in AMBULANCE_PLACES for letter in modifier) and modifier[0] != "X":
        start, end = (AMBULANCE_PLACES[letter] for letter in modifier)
        return _("The ride went from %(start)s to %(end)s.") % {"start": start, "end": end}
    return None


def _modifier_note(code, modifier, meanings):
    if code.startswith("A0"):
        trip = ambulance_trip(modifier)
        if trip:
            return ModifierNote(modifier, trip)
    known = meanings.get(modifier)
    if known and known.meaning:
        return ModifierNote(modifier, known.meaning, known.language, known.official)
    return ModifierNote(modifier, _("We do not have an explanation for this modifier yet. Ask the billing office."))


def _places(rows):
    """Where a code's lines are on the bill, in one sentence: "On your bill: page 1, lines 3 and 7; page 2, line 4"."""
    lines_by_page = {}
    for row in rows:
        lines_by_page.setdefault(row.item.page, {})[row.item.line] = None
    places = []
    for page, lines in lines_by_page.items():
        *others, last = lines
        if others:
            places.append(
                _("page %(page)s, lines %(lines)s and %(last)s")
                % {"page": page, "lines": ", ".join(str(line) for line in others), "last": last}
            )
        else:
            places.append(_("page %(page)s, line %(line)s") % {"page": page, "line": last})
    return _("On your bill: %(places)s") % {"places": "; ".join(places)} if places else ""


def _attention(rows):
    """Codes we are not sure we read right (the bill's own oddities are in `findings`)."""
    return tuple(
        _("We read %(code)s on page %(page)s but are not sure. Please check it on your bill.")
        % {"code": row.code.code, "page": row.item.page}
        for row in rows
        if row.check_reading
    )
