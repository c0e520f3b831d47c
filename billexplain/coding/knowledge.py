"""Explain classified codes from what the database knows, in one batch of queries.

The number of queries is fixed (one per table), whatever the number of codes:
a long itemized bill costs the same four lookups as a short one.
"""

from dataclasses import dataclass
from datetime import date

from billexplain.coding.classification import Classification, classify
from billexplain.coding.models import CodeNote, HcpcsCode, Modifier, Section

ACTIVE = "active"
ENDED = "ended"
NOT_YET = "not yet in effect"
UNKNOWN = "not in the loaded CMS file"
NOT_CHECKED = "not checked"

# CPT codes the AMA deleted that still turn up on bills and claim forms, with the
# last year they could be used. CPT's yearly changes are not public data, so this
# is only the handful patients meet; any other valid CPT code counts as active.
ENDED_CPT = {
    "99201": date(2020, 12, 31),
    "99444": date(2019, 12, 31),
    **{code: date(2022, 12, 31) for code in ("99217", "99218", "99219", "99220", "99224", "99225", "99226")},
    **{code: date(2022, 12, 31) for code in ("99241", "99251", "99318", "99324", "99325", "99326", "99327")},
    **{code: date(2022, 12, 31) for code in ("99328", "99334", "99335", "99336", "99337", "99343")},
}


@dataclass(frozen=True)
class ModifierMeaning:
    code: str
    meaning: str


@dataclass(frozen=True)
class CodeExplanation:
    classification: Classification
    description: str | None  # official CMS text (Level II only)
    release: str
    explanation: str  # our plain-language words
    section_text: str
    has_note: bool
    status: str
    ended_on: date | None

    @property
    def code(self):
        return self.classification.code

    @property
    def status_sentence(self):
        if self.status == ENDED and self.ended_on:
            owner = "CMS" if self.classification.hcpcs_level == 2 else "The AMA"
            return f"{owner} ended this code on {self.ended_on.isoformat()}."
        if self.status == NOT_YET:
            return "This code was not yet in use on the date of service."
        if self.status == UNKNOWN:
            return "This code is not in the CMS file we have loaded."
        if self.status == NOT_CHECKED:
            return "We could not check whether this code was in use on that date."
        return ""


@dataclass(frozen=True)
class Knowledge:
    codes: dict[str, CodeExplanation]
    modifiers: dict[str, ModifierMeaning]
    hcpcs_loaded: bool


def explain_codes(codes_with_dates, modifier_codes=()):
    """Explain each (code, date of service or None); the latest date wins for status."""
    dates = {}
    for code, when in codes_with_dates:
        if when is None:
            dates.setdefault(code, None)
        else:
            dates[code] = max(filter(None, (dates.get(code), when)))
    classified = {code: classify(code) for code in dates}
    section_keys = {key for c in classified.values() for key in (c.section_key, c.subsection_key) if key}
    sections = {s.key: s.plain_language for s in Section.objects.filter(key__in=section_keys)}
    notes = {n.code: n.plain_language for n in CodeNote.objects.filter(code__in=list(dates))}
    level_two = [code for code, c in classified.items() if c.hcpcs_level == 2]
    official = {h.code: h for h in HcpcsCode.objects.filter(code__in=level_two)} if level_two else {}
    hcpcs_loaded = bool(official) or HcpcsCode.objects.exists()
    meanings = {}
    if modifier_codes:
        for modifier in Modifier.objects.filter(code__in=set(modifier_codes)):
            meaning = modifier.plain_language or modifier.official_description
            meanings[modifier.code] = ModifierMeaning(modifier.code, meaning)
    explained = {}
    for code, classification in classified.items():
        record = official.get(code)
        section_text = sections.get(classification.subsection_key) or sections.get(classification.section_key, "")
        status, ended_on = _status(classification, record, dates[code], hcpcs_loaded)
        explained[code] = CodeExplanation(
            classification=classification,
            description=record.long_description if record else None,
            release=record.release if record else "",
            explanation=notes.get(code) or section_text,
            section_text=section_text,
            has_note=code in notes,
            status=status,
            ended_on=ended_on,
        )
    return Knowledge(explained, meanings, hcpcs_loaded)


def _status(classification, record, when, hcpcs_loaded):
    if classification.hcpcs_level == 1:
        ended_on = ENDED_CPT.get(classification.code)
        if ended_on and (when is None or when > ended_on):
            return ENDED, ended_on
        return ACTIVE, None
    if record is None:
        # Dental codes are the ADA's and never in the CMS file.
        return (UNKNOWN if hcpcs_loaded and not classification.code.startswith("D") else NOT_CHECKED), None
    when = when or date.today()
    if record.ended_on and when > record.ended_on:
        return ENDED, record.ended_on
    if record.effective_on and when < record.effective_on and record.action_code == "A":
        return NOT_YET, None
    return ACTIVE, record.ended_on
