"""Which code set a code belongs to, and where in it. Pure Python, no Django.

CPT is HCPCS Level I (five characters, owned by the AMA); HCPCS Level II is a
letter and four digits (owned by CMS, except the dental D codes, which are the
ADA's CDT). The section tables here decide *where* a code sits; what we say
about each section lives in the database (coding.Section), under the same key.
"""

import re
from dataclasses import dataclass

from billexplain.coding import cpt_ranges

AMA = "American Medical Association (AMA)"
CMS = "Centers for Medicare & Medicaid Services (CMS)"
ADA = "American Dental Association (ADA)"

CPT = "CPT"
HCPCS = "HCPCS"

# Level II letters in use, with the category name a patient sees.
HCPCS_LETTERS = {
    "A": "A codes: ambulance rides, medical and surgical supplies",
    "B": "B codes: tube and IV feeding (enteral and parenteral nutrition)",
    "C": "C codes: temporary hospital outpatient codes (Medicare)",
    "D": "D codes: dental procedures (CDT)",
    "E": "E codes: durable medical equipment",
    "G": "G codes: professional services and procedures",
    "H": "H codes: behavioral health and substance use services",
    "J": "J codes: drugs given other than by mouth",
    "K": "K codes: temporary codes for medical equipment suppliers",
    "L": "L codes: braces (orthotics) and artificial limbs (prosthetics)",
    "M": "M codes: medical services and quality measures",
    "P": "P codes: pathology and laboratory services",
    "Q": "Q codes: temporary codes for drugs, supplies and services",
    "R": "R codes: portable x-ray and diagnostic radiology services",
    "S": "S codes: temporary codes used by private insurers",
    "T": "T codes: codes for state Medicaid agencies",
    "U": "U codes: laboratory tests",
    "V": "V codes: vision, hearing and speech services",
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
    def explain_key(self):
        """The most specific section key we have words for."""
        return self.subsection_key or self.section_key


def classify(code):
    """Tell what a code is, from its shape and the published ranges alone."""
    code = code.strip().upper()
    if not CODE_SHAPE.match(code):
        return _invalid(code, "This is not shaped like a CPT or HCPCS code.")
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
        return _invalid(
            code,
            "This number is not in any published CPT range, so it is not a valid CPT code.",
            CPT,
            1,
            "Category I",
            AMA,
        )
    return Classification(
        code,
        CPT,
        1,
        "Category I",
        AMA,
        section.key,
        section.name,
        subsection.key if subsection else None,
        subsection.name if subsection else None,
    )


_OTHER_CATEGORIES = {
    "F": ("Category II", "cpt-category-ii", "Quality-reporting code"),
    "T": ("Category III", "cpt-category-iii", "Emerging technology or service"),
    "U": ("PLA", "cpt-pla", "Proprietary laboratory test"),
}


def _cpt_other_category(code):
    category, key, name = _OTHER_CATEGORIES[code[-1]]
    return Classification(code, CPT, 1, category, AMA, key, name)


def _level_two(code):
    letter = code[0]
    if letter in RETIRED_LETTERS:
        return _invalid(
            code,
            "CMS does not use this letter. W to Z codes were local codes that were retired in 2003.",
            HCPCS,
            2,
        )
    if letter not in HCPCS_LETTERS:
        return _invalid(code, f"CMS does not use the letter {letter} for HCPCS codes.", HCPCS, 2)
    owner = ADA if letter == "D" else CMS
    key = f"hcpcs-{letter.lower()}"
    return Classification(code, HCPCS, 2, HCPCS_LETTERS[letter], owner, key, HCPCS_LETTERS[letter])
