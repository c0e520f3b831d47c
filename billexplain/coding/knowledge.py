"""Explain classified codes from what the database knows, in a fixed number of queries.

Each worker keeps the rows it has read while they are current (coding/reference.py):
a lookup costs one small query, and one more per table only for codes not kept yet,
so a long itemized bill costs no more queries than a short one.

Staff write our own words in English and, where they have done so, in Spanish.
Asked for Spanish, each text falls back to the English one while its Spanish
field is empty, so a patient always sees something. Official CMS descriptions
are never translated.
"""

from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from billexplain.coding import reference
from billexplain.coding.classification import Classification, classify
from billexplain.coding.fees import medicare_prices
from billexplain.coding.models import CodeNote, FaqEntry, HcpcsCode, Modifier, Section

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


ENGLISH = "en"
SPANISH = "es"


def content_language(language):
    """The language our own texts exist in that best fits a language code ("es-MX" -> "es")."""
    return SPANISH if (language or "").lower().startswith(SPANISH) else ENGLISH


def pick_text(english, spanish, language):
    """(text, language it is in): the Spanish text when asked for and written, else the English."""
    if language == SPANISH and spanish and spanish.strip():
        return spanish, SPANISH
    return english, ENGLISH


@dataclass(frozen=True)
class ModifierMeaning:
    code: str
    meaning: str
    language: str = ENGLISH  # the language `meaning` is written in
    official: bool = False  # True when `meaning` is the CMS description (always English)


@dataclass(frozen=True)
class FaqText:
    question: str
    answer: str
    language: str = ENGLISH  # the language of the answer (the question follows the same rule)


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
    explanation_language: str = ENGLISH  # "en" when Spanish was asked for but not yet written

    @property
    def code(self):
        return self.classification.code

    @property
    def code_set_sentence(self):
        """Which code set the code is in and who makes it, in the active language."""
        c = self.classification
        return _code_set_sentence(c.hcpcs_level, c.category, c.owner, get_language())

    @cached_property
    def status_sentence(self):
        """In the active language: the page asks for it while it renders (twice: whether, then what)."""
        if self.status == ENDED and self.ended_on:
            if self.classification.hcpcs_level == 2:
                return _("CMS ended this code on %(date)s.") % {"date": self.ended_on.isoformat()}
            return _("The AMA ended this code on %(date)s.") % {"date": self.ended_on.isoformat()}
        if self.status == NOT_YET:
            return _("This code was not yet in use on the date of service.")
        if self.status == UNKNOWN:
            return _("This code is not in the CMS file we have loaded.")
        if self.status == NOT_CHECKED:
            return _("We could not check whether this code was in use on that date.")
        return ""


@lru_cache(maxsize=256)
def _code_set_sentence(hcpcs_level, category, owner, language):
    """The sentence in the active language, `language` (which keys the cache): a bill's codes share a few."""
    names = {"category": _(category), "owner": _(owner)}
    if hcpcs_level == 1:
        return (
            _("This is a CPT code (%(category)s). CPT is also called HCPCS Level I. The %(owner)s makes these codes.")
            % names
        )
    return _("This is a HCPCS Level II code (%(category)s). The %(owner)s makes these codes.") % names


@dataclass(frozen=True)
class Knowledge:
    codes: dict[str, CodeExplanation]
    modifiers: dict[str, ModifierMeaning]
    hcpcs_loaded: bool


def explain_codes(codes_with_dates, modifier_codes=(), language=ENGLISH, kept=None):
    """Explain each (code, date of service or None); the latest date wins for status.

    `language` is a language code such as "en", "es" or "es-mx"; any Spanish one
    picks the Spanish notes, section texts and modifier meanings where staff wrote them.
    `kept` is what this worker keeps (reference.current()), when the caller read it already.
    """
    language = content_language(language)
    dates = {}
    for code, when in codes_with_dates:
        if when is None:
            dates.setdefault(code, None)
        else:
            dates[code] = max(filter(None, (dates.get(code), when)))
    classified = {code: classify(code) for code in dates}
    section_keys = {key for c in classified.values() for key in (c.section_key, c.subsection_key) if key}
    kept = reference.current() if kept is None else kept
    sections = {
        key: pick_text(*texts, language) for key, texts in kept.rows("sections", section_keys, _sections).items()
    }
    notes = {code: pick_text(*texts, language) for code, texts in kept.rows("notes", dates, _notes).items()}
    level_two = [code for code, c in classified.items() if c.hcpcs_level == 2]
    official = kept.rows("hcpcs", level_two, _hcpcs_records)
    hcpcs_loaded = bool(official) or kept.value("hcpcs loaded", HcpcsCode.objects.exists)
    meanings = {}
    for code, (english, spanish, cms) in kept.rows("modifiers", sorted(set(modifier_codes)), _modifiers).items():
        meaning, in_language = pick_text(english, spanish, language)
        from_cms = not meaning
        if from_cms:
            meaning, in_language = cms, ENGLISH
        meanings[code] = ModifierMeaning(code, meaning, in_language, from_cms)
    explained = {}
    for code, classification in classified.items():
        record = official.get(code)
        section_text, section_language = _first_text(
            sections.get(classification.subsection_key), sections.get(classification.section_key)
        )
        explanation, explanation_language = _first_text(notes.get(code), (section_text, section_language))
        status, ended_on = _status(classification, record, dates[code], hcpcs_loaded)
        explained[code] = CodeExplanation(
            classification=classification,
            description=record.long_description if record else None,
            release=record.release if record else "",
            explanation=explanation,
            section_text=section_text,
            has_note=code in notes,
            status=status,
            ended_on=ended_on,
            explanation_language=explanation_language,
        )
    return Knowledge(explained, meanings, hcpcs_loaded)


# What the explanations are read from, for the codes (or keys) a worker has not kept yet: only the
# columns we show, as tuples (kept rows are shared between requests).
TEXTS = ("plain_language", "plain_language_es")


def _sections(keys):
    return {
        key: (english, spanish)
        for key, english, spanish in Section.objects.filter(key__in=keys).values_list("key", *TEXTS)
    }


def _notes(codes):
    return {
        code: (english, spanish)
        for code, english, spanish in CodeNote.objects.filter(code__in=codes).values_list("code", *TEXTS)
    }


def _hcpcs_records(codes):
    fields = ("code", "long_description", "release", "effective_on", "ended_on", "action_code")
    return {record.code: record for record in HcpcsCode.objects.filter(code__in=codes).only(*fields)}


def _modifiers(codes):
    rows = Modifier.objects.filter(code__in=codes).values_list("code", *TEXTS, "official_description")
    return {code: (english, spanish, cms) for code, english, spanish, cms in rows}


def _first_text(*choices):
    """The first (text, language) pair whose text is not empty."""
    for choice in choices:
        if choice and choice[0]:
            return choice
    return "", ENGLISH


def known_codes(codes, kept):
    """Those of `codes` we know: with our note, in the CMS HCPCS file, or in the fee schedule.

    Read through what this worker keeps (`kept`, reference.current()), as explain_codes and
    medicare_prices read the same rows: the bill's own codes are read from the database once.
    """
    codes = sorted(set(codes))
    known = set(kept.rows("notes", codes, _notes)) | set(kept.rows("hcpcs", codes, _hcpcs_records))
    return known | set(medicare_prices([code for code in codes if code not in known], kept=kept))


def faq(language=ENGLISH):
    """The FAQ in order, each question and answer in Spanish where written, else in English (one query)."""
    language = content_language(language)
    entries = []
    for entry in FaqEntry.objects.all():
        # Question and answer switch together: a Spanish question over an English answer would confuse.
        spanish = bool(entry.question_es.strip() and entry.answer_es.strip())
        if language == SPANISH and spanish:
            entries.append(FaqText(entry.question_es, entry.answer_es, SPANISH))
        else:
            entries.append(FaqText(entry.question, entry.answer, ENGLISH))
    return entries


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
