"""Which code set a code belongs to, and where in it. Pure Python, no Django.

CPT is HCPCS Level I (five characters, owned by the AMA); HCPCS Level II is a
letter and four digits (owned by CMS, except the dental D codes, which are the
ADA's CDT). The section tables here decide *where* a code sits; what we say
about each section lives in the database (coding.Section), under the same key.

Names and problems are English, marked for translation: the page says them in the
patient's language (the JSON keeps the English names).
"""

import functools
import re
from dataclasses import dataclass

from billexplain.coding import cpt_ranges
from billexplain.wording import Sentence, gettext_noop

AMA = gettext_noop("American Medical Association (AMA)")
CMS = gettext_noop("Centers for Medicare & Medicaid Services (CMS)")
ADA = gettext_noop("American Dental Association (ADA)")
CATEGORY_ONE = gettext_noop("Category I")

CPT = "CPT"
HCPCS = "HCPCS"

# Level II letters in use, with the category name a patient sees.
HCPCS_LETTERS = {
    "A": gettext_noop("A codes: ambulance rides, medical and surgical supplies"),
    "B": gettext_noop("B codes: tube and IV feeding (enteral and parenteral nutrition)"),
    "C": gettext_noop("C codes: temporary hospital outpatient codes (Medicare)"),
    "D": gettext_noop("D codes: dental procedures (CDT)"),
    "E": gettext_noop("E codes: durable medical equipment"),
    "G": gettext_noop("G codes: professional services and procedures"),
    "H": gettext_noop("H codes: behavioral health and substance use services"),
    "J": gettext_noop("J codes: drugs given other than by mouth"),
    "K": gettext_noop("K codes: temporary codes for medical equipment suppliers"),
    "L": gettext_noop("L codes: braces (orthotics) and artificial limbs (prosthetics)"),
    "M": gettext_noop("M codes: medical services and quality measures"),
    "P": gettext_noop("P codes: pathology and laboratory services"),
    "Q": gettext_noop("Q codes: temporary codes for drugs, supplies and services"),
    "R": gettext_noop("R codes: portable x-ray and diagnostic radiology services"),
    "S": gettext_noop("S codes: temporary codes used by private insurers"),
    "T": gettext_noop("T codes: codes for state Medicaid agencies"),
    "U": gettext_noop("U codes: laboratory tests"),
    "V": gettext_noop("V codes: vision, hearing and speech services"),
}
RETIRED_LETTERS = {"W", "X", "Y", "Z"}

CODE_SHAPE = re.compile(r"^(?:\d{5}|\d{4}[FTU]|[A-Z]\d{4})$")


@dataclass(frozen=True)
class Classification:
    code: str
    code_set: str | None  # CPT or HCPCS; None when the code is not valid
    hcpcs_level: int | None
    category: str
    owner: str
    section_key: str | None = None
    section: str | None = None
    subsection_key: str | None = None
    subsection: str | None = None
    problem: str = ""  # why the code is not valid; empty when it is

    @property
    def valid(self):
        return not self.problem

    @property
    def name(self):
        """The most specific name we have for where the code sits: its subsection, section or category."""
        return self.subsection or self.section or self.category

    @property
    def explain_key(self):
        """The most specific section key we have words for."""
        return self.subsection_key or self.section_key


@functools.lru_cache(maxsize=8192)
def classify(code):
    """Tell what a code is, from its shape and the published ranges alone.

    The answer depends on the code alone and cannot change, and a bill names the same
    codes again and again: each worker keeps the answers for the codes it has met.
    """
    code = code.strip().upper()
    if not CODE_SHAPE.match(code):
        return _invalid(code, gettext_noop("This is not shaped like a CPT or HCPCS code."))
    if code.isdigit():
        return _cpt_category_one(code)
    if code[0].isdigit():
        return _cpt_other_category(code)
    return _level_two(code)


def _invalid(code, problem, code_set=None, level=None, category="", owner=""):
    return Classification(code, code_set, level, category, owner, problem=problem)


def _cpt_category_one(code):
    section, subsection = cpt_ranges.find(code)
    if section is None:
        return _outside_cpt_ranges(code, CATEGORY_ONE)
    return Classification(
        code,
        CPT,
        1,
        CATEGORY_ONE,
        AMA,
        section.key,
        section.name,
        subsection.key if subsection else None,
        subsection.name if subsection else None,
    )


_OTHER_CATEGORIES = {
    "F": (gettext_noop("Category II"), "cpt-category-ii", gettext_noop("Quality-reporting code")),
    "T": (gettext_noop("Category III"), "cpt-category-iii", gettext_noop("Emerging technology or service")),
    "U": (gettext_noop("PLA"), "cpt-pla", gettext_noop("Proprietary laboratory test")),
}


def _cpt_other_category(code):
    category, key, name = _OTHER_CATEGORIES[code[-1]]
    if code[-1] in "TU" and code[0] != "0":
        # Category III codes run from 0042T and PLA codes from 0001U; "1000U" is a drug's units.
        return _outside_cpt_ranges(code, category)
    return Classification(code, CPT, 1, category, AMA, key, name)


def _outside_cpt_ranges(code, category):
    problem = gettext_noop("This number is not in any published CPT range, so it is not a valid CPT code.")
    return _invalid(code, problem, CPT, 1, category, AMA)


def _level_two(code):
    letter = code[0]
    if letter in RETIRED_LETTERS:
        return _invalid(
            code,
            gettext_noop("CMS does not use this letter. W to Z codes were local codes that were retired in 2003."),
            HCPCS,
            2,
        )
    if letter not in HCPCS_LETTERS:
        problem = Sentence(gettext_noop("CMS does not use the letter %(letter)s for HCPCS codes."), letter=letter)
        return _invalid(code, problem, HCPCS, 2)
    owner = ADA if letter == "D" else CMS
    key = f"hcpcs-{letter.lower()}"
    return Classification(code, HCPCS, 2, HCPCS_LETTERS[letter], owner, key, HCPCS_LETTERS[letter])
