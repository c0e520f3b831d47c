"""The CPT section table and the shipped section descriptions (pure: no database)."""

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

from billexplain.coding import cpt_ranges
from billexplain.coding.cpt_ranges import SECTIONS, SUBSECTIONS, find

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "sections.json"

CPT_CATEGORY_KEYS = ["cpt-category-ii", "cpt-category-iii", "cpt-pla"]
HCPCS_LETTER_KEYS = [f"hcpcs-{letter}" for letter in "abcdeghjklmpqrstuv"]
TABLE_KEYS = sorted({r.key for r in SECTIONS + SUBSECTIONS})
ALL_RANGES = SECTIONS + SUBSECTIONS


@pytest.fixture(scope="module")
def section_rows():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows_by_key(section_rows):
    return {row["pk"]: row for row in section_rows}


def _id(r):
    return f"{r.key}:{r.first}-{r.last}"


@pytest.mark.parametrize("table", [SECTIONS, SUBSECTIONS], ids=["sections", "subsections"])
def test_tables_are_sorted_by_first_code(table):
    assert [r.first for r in table] == sorted(r.first for r in table)


def test_sections_do_not_overlap():
    by_first = sorted(SECTIONS, key=lambda r: r.first)
    for before, after in pairwise(by_first):
        assert before.last < after.first, f"{_id(before)} overlaps {_id(after)}"


def test_subsections_do_not_overlap():
    by_first = sorted(SUBSECTIONS, key=lambda r: r.first)
    for before, after in pairwise(by_first):
        assert before.last < after.first, f"{_id(before)} overlaps {_id(after)}"


@pytest.mark.parametrize("r", ALL_RANGES, ids=_id)
def test_every_range_has_five_digit_bounds_in_order(r):
    assert re.fullmatch(r"\d{5}", r.first)
    assert re.fullmatch(r"\d{5}", r.last)
    assert r.first <= r.last


@pytest.mark.parametrize("r", ALL_RANGES, ids=_id)
def test_every_key_is_a_short_slug_with_a_name(r):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.key)
    assert len(r.key) <= 80
    assert r.name.strip()


@pytest.mark.parametrize("r", SECTIONS, ids=_id)
def test_a_section_is_its_own_section(r):
    assert r.section_key == r.key


@pytest.mark.parametrize("r", SUBSECTIONS, ids=_id)
def test_every_subsection_lies_inside_a_section_with_its_section_key(r):
    holders = [s for s in SECTIONS if s.first <= r.first and r.last <= s.last]
    assert len(holders) == 1, f"{_id(r)} is not inside exactly one section range"
    assert holders[0].key == r.section_key
    assert r.key != r.section_key


def test_a_key_always_has_the_same_name_and_section():
    seen = {}
    for r in ALL_RANGES:
        assert seen.setdefault(r.key, (r.name, r.section_key)) == (r.name, r.section_key), r.key


@pytest.mark.parametrize(
    ("code", "section_key", "subsection_key"),
    [
        ("99213", "cpt-em", "cpt-em-office"),
        ("99201", "cpt-em", "cpt-em-office"),
        ("99285", "cpt-em", "cpt-em-emergency"),
        ("99396", "cpt-em", "cpt-em-preventive"),
        ("99417", "cpt-em", "cpt-em-prolonged"),
        ("99455", "cpt-em", "cpt-em-special"),
        ("99457", "cpt-em", "cpt-em-remote"),
        ("98000", "cpt-em", "cpt-em-telehealth"),
        ("98016", "cpt-em", "cpt-em-telehealth"),
        ("20610", "cpt-surgery", "cpt-surgery-musculoskeletal"),
        ("10004", "cpt-surgery", "cpt-surgery-general"),
        ("11042", "cpt-surgery", "cpt-surgery-integumentary"),
        ("36415", "cpt-surgery", "cpt-surgery-cardiovascular"),
        ("45378", "cpt-surgery", "cpt-surgery-digestive"),
        ("59400", "cpt-surgery", "cpt-surgery-maternity"),
        ("69990", "cpt-surgery", "cpt-surgery-operating-microscope"),
        ("00100", "cpt-anesthesia", "cpt-anesthesia-head"),
        ("00840", "cpt-anesthesia", "cpt-anesthesia-lower-abdomen"),
        ("01967", "cpt-anesthesia", "cpt-anesthesia-obstetric"),
        ("01999", "cpt-anesthesia", "cpt-anesthesia-other"),
        ("71046", "cpt-radiology", "cpt-radiology-diagnostic-imaging"),
        ("76805", "cpt-radiology", "cpt-radiology-ultrasound"),
        ("77067", "cpt-radiology", "cpt-radiology-breast"),
        ("79999", "cpt-radiology", "cpt-radiology-nuclear-medicine"),
        ("80053", "cpt-lab", "cpt-lab-panels"),
        ("82947", "cpt-lab", "cpt-lab-chemistry"),
        ("85025", "cpt-lab", "cpt-lab-hematology"),
        ("87635", "cpt-lab", "cpt-lab-microbiology"),
        ("88305", "cpt-lab", "cpt-lab-surgical-pathology"),
        ("89398", "cpt-lab", "cpt-lab-reproductive"),
        ("90281", "cpt-medicine", "cpt-medicine-immune-globulins"),
        ("90471", "cpt-medicine", "cpt-medicine-vaccines"),
        ("91318", "cpt-medicine", "cpt-medicine-vaccines"),
        ("90837", "cpt-medicine", "cpt-medicine-psychiatry"),
        ("93000", "cpt-medicine", "cpt-medicine-cardiovascular"),
        ("96372", "cpt-medicine", "cpt-medicine-infusions-injections"),
        ("97110", "cpt-medicine", "cpt-medicine-physical-medicine"),
        ("97153", "cpt-medicine", "cpt-medicine-adaptive-behavior"),
        ("97161", "cpt-medicine", "cpt-medicine-physical-medicine"),
        ("98925", "cpt-medicine", "cpt-medicine-osteopathic"),
        ("98940", "cpt-medicine", "cpt-medicine-chiropractic"),
        ("99152", "cpt-medicine", "cpt-medicine-moderate-sedation"),
        ("99607", "cpt-medicine", "cpt-medicine-medication-therapy-management"),
    ],
)
def test_find_gives_the_section_and_subsection(code, section_key, subsection_key):
    section, subsection = find(code)
    assert section is not None and section.key == section_key
    assert subsection is not None and subsection.key == subsection_key
    assert subsection.section_key == section_key


@pytest.mark.parametrize(
    ("code", "section_key"),
    [
        ("40000", "cpt-surgery"),  # between Mediastinum and Digestive
        ("80100", "cpt-lab"),  # between the panels and the drug-level tests
        ("98020", "cpt-medicine"),  # just after the E/M telehealth visits
        ("99481", "cpt-em"),  # no CPT code here in 2025
    ],
)
def test_a_code_in_a_gap_between_subsections_gets_the_section_only(code, section_key):
    section, subsection = find(code)
    assert section is not None and section.key == section_key
    assert subsection is None


@pytest.mark.parametrize(
    "code",
    ["02000", "09999", "10003", "69991", "70009", "80046", "89399", "90280", "99200", "99608", "99999", "00000"],
)
def test_find_returns_nothing_outside_category_i(code):
    assert find(code) == (None, None)


@pytest.mark.parametrize("code", ["", "9921", "992130", "J1100", "0591T", "3074F", "0240U", "99 13", "٩٩٢١٣", " 9921"])
def test_find_returns_nothing_for_strings_that_are_not_five_digits(code):
    assert find(code) == (None, None)


@pytest.mark.parametrize("r", ALL_RANGES, ids=_id)
def test_find_agrees_with_the_table_at_both_ends_of_every_range(r):
    for code in (r.first, r.last):
        section, subsection = find(code)
        if r in SECTIONS:
            assert section == r
        else:
            assert subsection == r
            assert section.key == r.section_key


def _near_every_boundary():
    codes = {f"{n:05d}" for n in range(0, 100_000, 37)}
    for r in ALL_RANGES:
        for bound in (int(r.first), int(r.last)):
            codes.update(f"{n:05d}" for n in (bound - 1, bound, bound + 1) if 0 <= n <= 99_999)
    return sorted(codes)


def test_find_matches_a_plain_scan_of_the_tables():
    for code in _near_every_boundary():
        sections = [r for r in SECTIONS if r.first <= code <= r.last]
        subsections = [r for r in SUBSECTIONS if r.first <= code <= r.last]
        expected = (sections[0] if sections else None, subsections[0] if sections and subsections else None)
        assert find(code) == expected, code


def test_the_module_needs_no_django():
    source = Path(cpt_ranges.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+django", source, re.MULTILINE)


@pytest.mark.parametrize("key", TABLE_KEYS + CPT_CATEGORY_KEYS + HCPCS_LETTER_KEYS)
def test_every_key_has_exactly_one_fixture_row_with_text(section_rows, key):
    matches = [row for row in section_rows if row["pk"] == key]
    assert len(matches) == 1, f"{key}: {len(matches)} rows"
    fields = matches[0]["fields"]
    assert fields["name"].strip()
    assert fields["plain_language"].strip()
    assert fields["code_set"] == ("HCPCS2" if key.startswith("hcpcs-") else "CPT")


def test_the_fixture_has_no_rows_beyond_the_known_keys(section_rows):
    assert all(row["model"] == "coding.section" for row in section_rows)
    assert sorted(row["pk"] for row in section_rows) == sorted(TABLE_KEYS + CPT_CATEGORY_KEYS + HCPCS_LETTER_KEYS)


def test_fixture_positions_put_each_subsection_after_its_section(rows_by_key):
    positions = [row["fields"]["position"] for row in rows_by_key.values()]
    assert len(set(positions)) == len(positions)
    for r in SUBSECTIONS:
        assert rows_by_key[r.key]["fields"]["position"] > rows_by_key[r.section_key]["fields"]["position"]
    last_cpt = max(rows_by_key[k]["fields"]["position"] for k in TABLE_KEYS)
    categories = [rows_by_key[k]["fields"]["position"] for k in CPT_CATEGORY_KEYS]
    letters = [rows_by_key[k]["fields"]["position"] for k in HCPCS_LETTER_KEYS]
    assert last_cpt < min(categories) and max(categories) < min(letters)
    assert letters == sorted(letters)
