import pytest

from billexplain.coding.classification import classify


@pytest.mark.parametrize(
    ("code", "code_set", "level", "category", "section_key"),
    [
        ("99213", "CPT", 1, "Category I", "cpt-em"),
        ("00100", "CPT", 1, "Category I", "cpt-anesthesia"),
        ("27447", "CPT", 1, "Category I", "cpt-surgery"),
        ("74177", "CPT", 1, "Category I", "cpt-radiology"),
        ("80053", "CPT", 1, "Category I", "cpt-lab"),
        ("97110", "CPT", 1, "Category I", "cpt-medicine"),
        ("99500", "CPT", 1, "Category I", "cpt-medicine"),
        ("98000", "CPT", 1, "Category I", "cpt-em"),
        ("3074F", "CPT", 1, "Category II", "cpt-category-ii"),
        ("0591T", "CPT", 1, "Category III", "cpt-category-iii"),
        ("0240U", "CPT", 1, "PLA", "cpt-pla"),
        ("J1100", "HCPCS", 2, "J codes: drugs given other than by mouth", "hcpcs-j"),
        ("A0427", "HCPCS", 2, "A codes: ambulance rides, medical and surgical supplies", "hcpcs-a"),
        ("D0120", "HCPCS", 2, "D codes: dental procedures (CDT)", "hcpcs-d"),
        ("u0003", "HCPCS", 2, "U codes: laboratory tests", "hcpcs-u"),
    ],
)
def test_it_places_each_valid_code_in_its_code_set_and_section(code, code_set, level, category, section_key):
    result = classify(code)
    assert result.valid
    assert (result.code_set, result.hcpcs_level, result.category, result.section_key) == (
        code_set,
        level,
        category,
        section_key,
    )


@pytest.mark.parametrize(
    ("code", "owner"),
    [
        ("99213", "American Medical Association (AMA)"),
        ("J1100", "Centers for Medicare & Medicaid Services (CMS)"),
        ("D1110", "American Dental Association (ADA)"),
        ("0240U", "American Medical Association (AMA)"),
    ],
)
def test_it_names_who_maintains_each_code_set(code, owner):
    assert classify(code).owner == owner


@pytest.mark.parametrize(
    ("code", "problem_words"),
    [
        ("02500", "not in any published CPT range"),
        ("69995", "not in any published CPT range"),
        ("89999", "not in any published CPT range"),
        ("W1234", "retired"),
        ("X0001", "retired"),
        ("I1234", "does not use the letter I"),
        ("N1234", "does not use the letter N"),
        ("O1234", "does not use the letter O"),
        ("1234", "not shaped like"),
        ("ABCDE", "not shaped like"),
        ("1234X", "not shaped like"),
        ("1000U", "not in any published CPT range"),  # "HEPARIN PER 1000U": units of a drug
        ("2500T", "not in any published CPT range"),
    ],
)
def test_it_says_why_a_code_is_not_valid(code, problem_words):
    result = classify(code)
    assert not result.valid
    assert problem_words in result.problem


def test_a_code_met_again_gets_the_answer_kept_from_the_first_time():
    assert classify(" 99213 ") is classify(" 99213 ")
    assert classify("99213").hcpcs_level == 1
