"""Each worker keeps the rows codes are explained with, and never shows them once they change."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from billexplain.coding import reference
from billexplain.coding.fees import apply_fees, medicare_prices, parse_csv
from billexplain.coding.importers import HcpcsRecord, HcpcsRelease, apply_release
from billexplain.coding.knowledge import explain_codes
from billexplain.coding.models import CodeNote, HcpcsCode, MedicareFee, Modifier, ReferenceVersion, Section
from tests.test_fees import SMALL_CSV, SMALL_NAME

pytestmark = pytest.mark.usefixtures("content")


def note_of(code):
    return explain_codes([(code, None)]).codes[code].explanation


def test_a_note_staff_save_is_shown_at_the_very_next_lookup():
    note_of("99213")
    note = CodeNote.objects.get(code="99213")
    note.plain_language = "A visit with your doctor, in new words."
    note.save()
    assert note_of("99213") == "A visit with your doctor, in new words."


def test_a_note_staff_delete_is_gone_at_the_very_next_lookup():
    note_of("99213")
    CodeNote.objects.filter(code="99213").delete()
    assert note_of("99213") == Section.objects.get(key="cpt-em-office").plain_language


def test_a_change_another_worker_announced_is_read_again_and_an_unannounced_one_is_not():
    before = note_of("99213")
    with connection.cursor() as cursor:  # by hand, outside the app: no worker is told
        cursor.execute("UPDATE coding_codenote SET plain_language = 'Changed by hand.' WHERE code = '99213'")
    assert note_of("99213") == before
    ReferenceVersion.objects.update(token="written-by-another-worker")
    assert note_of("99213") == "Changed by hand."


def add_note(code):
    CodeNote.objects.create(code=code, plain_language="Written a moment ago.")


WRITES = {
    "save": lambda: add_note("99999"),
    "delete": lambda: CodeNote.objects.get(code="99213").delete(),
    "queryset delete": lambda: CodeNote.objects.filter(code="99213").delete(),
    "update": lambda: CodeNote.objects.filter(code="99213").update(plain_language="Written a moment ago."),
    "bulk_create": lambda: CodeNote.objects.bulk_create([CodeNote(code="99999", plain_language="New.")]),
    "bulk_update": lambda: CodeNote.objects.bulk_update(
        [CodeNote(code="99213", plain_language="New.")], ["plain_language"]
    ),
    "section update": lambda: Section.objects.filter(key="cpt-em-office").update(plain_language="New."),
    "modifier update": lambda: Modifier.objects.filter(code="25").update(plain_language="New."),
    "fee bulk_create": lambda: MedicareFee.objects.bulk_create([MedicareFee(code="99213", status_code="A", year=2025)]),
    "cms record save": lambda: HcpcsCode.objects.create(code="J1100", long_description="Injection.", release="x"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_kind_of_write_through_the_app_tells_every_worker(write):
    before = ReferenceVersion.objects.get().token
    write()
    assert ReferenceVersion.objects.get().token != before


def test_importing_a_cms_release_replaces_the_kept_records():
    assert explain_codes([("J1100", None)]).codes["J1100"].status == "not checked"
    record = HcpcsRecord("J1100", "Injection, dexamethasone sodium phosphate, 1 mg", effective_on=date(2020, 1, 1))
    apply_release(HcpcsRelease("HCPC2025_OCT_ANWEB", "xlsx", (record,), ()))
    explained = explain_codes([("J1100", None)]).codes["J1100"]
    assert (explained.status, explained.description) == ("active", record.long_description)


def test_importing_medicare_fees_replaces_the_kept_prices():
    assert medicare_prices(["99213"]) == {}
    apply_fees(parse_csv(SMALL_CSV, SMALL_NAME))
    assert str(medicare_prices(["99213"])["99213"].non_facility_amount) == "88.95"


def test_load_content_filling_an_empty_spanish_text_shows_it():
    CodeNote.objects.filter(code="99213").update(plain_language_es="")
    reference.changed()
    assert explain_codes([("99213", None)], language="es").codes["99213"].explanation_language == "en"
    call_command("load_content", verbosity=0)
    assert explain_codes([("99213", None)], language="es").codes["99213"].explanation_language == "es"


def test_without_its_version_row_a_database_has_nothing_kept(django_assert_num_queries):
    ReferenceVersion.objects.all().delete()
    for _ in range(2):
        with django_assert_num_queries(2):  # the missing token, then the fees each time
            medicare_prices(["99213"])


def test_a_table_kept_past_its_limit_starts_again(monkeypatch):
    monkeypatch.setattr(reference, "MAX_KEYS", 3)
    asked = []

    def read(keys):
        asked.append(list(keys))
        return {key: key.lower() for key in keys}

    kept = reference.Snapshot({}, keep=True)
    assert kept.rows("t", ["A", "B"], read) == {"A": "a", "B": "b"}
    assert kept.rows("t", ["A", "B"], read) == {"A": "a", "B": "b"}
    kept.rows("t", ["C", "D"], read)  # five keys: more than three
    assert asked == [["A", "B"], ["C", "D"]] and sorted(kept.tables["t"]) == ["C", "D"]


def test_keys_a_table_does_not_have_are_kept_as_missing_and_not_asked_again():
    asked = []

    def read(keys):
        asked.append(list(keys))
        return {"A": "a"}

    kept = reference.Snapshot({}, keep=True)
    assert kept.rows("t", ["A", "Z"], read) == {"A": "a"}
    assert kept.rows("t", ["Z", "A"], read) == {"A": "a"}
    assert asked == [["A", "Z"]]
