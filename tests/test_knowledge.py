from datetime import date

import pytest

from billexplain.coding.knowledge import explain_codes
from billexplain.coding.models import CodeNote, HcpcsCode, Section

pytestmark = pytest.mark.usefixtures("content")


@pytest.fixture
def g9631(db):
    return HcpcsCode.objects.create(
        code="G9631",
        long_description="Patient or surrogate was not asked...",
        short_description="Pt not asked",
        effective_on=date(2017, 1, 1),
        ended_on=date(2022, 12, 31),
        release="HCPC2025_OCT_ANWEB",
    )


def test_it_uses_our_note_when_there_is_one_and_the_section_words_otherwise(db):
    CodeNote.objects.update_or_create(code="99213", defaults={"plain_language": "Our own note."})
    CodeNote.objects.filter(code="99214").delete()
    explained = explain_codes([("99213", None), ("99214", None)]).codes
    assert explained["99213"].explanation == "Our own note."
    assert explained["99214"].explanation == Section.objects.get(key="cpt-em-office").plain_language


def test_it_shows_the_official_cms_text_and_release_for_level_two_codes(g9631):
    explained = explain_codes([("G9631", date(2020, 5, 1))]).codes["G9631"]
    assert explained.description.startswith("Patient or surrogate")
    assert explained.release == "HCPC2025_OCT_ANWEB"
    assert explained.status == "active"


def test_it_says_when_cms_ended_a_code_used_after_its_end(g9631):
    explained = explain_codes([("G9631", date(2023, 3, 1))]).codes["G9631"]
    assert explained.status == "ended"
    assert explained.status_sentence == "CMS ended this code on 2022-12-31."


def test_a_level_two_code_missing_from_a_loaded_cms_file_is_flagged(g9631):
    assert explain_codes([("J9999", None)]).codes["J9999"].status == "not in the loaded CMS file"


def test_before_any_cms_import_level_two_codes_are_not_checked(db):
    assert explain_codes([("J1100", None)]).codes["J1100"].status == "not checked"


def test_a_deleted_cpt_code_used_after_it_ended_is_flagged(db):
    assert explain_codes([("99201", date(2021, 6, 1))]).codes["99201"].status == "ended"
    assert explain_codes([("99201", date(2020, 6, 1))]).codes["99201"].status == "active"


@pytest.mark.parametrize("count", [1, 40])
def test_the_number_of_queries_does_not_grow_with_the_number_of_codes(g9631, count, django_assert_num_queries):
    codes = [(f"992{n:02d}", None) for n in range(13, 13 + count // 2)] + [("G9631", None)] * (count - count // 2)
    with django_assert_num_queries(5):  # the kept rows' token, then one query per table
        explain_codes(codes, modifier_codes=["25", "RT"])
    with django_assert_num_queries(1):  # the rows are kept: only the token is read
        explain_codes(codes, modifier_codes=["25", "RT"])
