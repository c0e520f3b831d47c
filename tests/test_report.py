import pytest
from django.utils.translation import override

from billexplain.bills.explain import explain_text
from billexplain.bills.report import ambulance_trip, build

pytestmark = pytest.mark.usefixtures("content")


@pytest.mark.parametrize(
    ("modifier", "trip"),
    [
        ("RH", "The ride went from your home to a hospital."),
        ("SH", "The ride went from the scene of an accident or emergency to a hospital."),
        ("HN", "The ride went from a hospital to a skilled nursing facility."),
        ("QM", None),
        ("XH", None),
        ("25", None),
    ],
)
def test_it_reads_the_places_of_an_ambulance_ride_from_its_modifier(modifier, trip):
    assert ambulance_trip(modifier) == trip


def test_ambulance_codes_get_the_ride_meaning_other_codes_get_the_modifier_meaning():
    report = build(explain_text("04/02/2025 A0427 RH Ambulance 1 $1,200.00\n04/02/2025 99213-25 Visit $90.00"))
    ride, visit = report.rows
    assert ride.modifiers[0].meaning == "The ride went from your home to a hospital."
    assert visit.modifiers[0].code == "25" and "separate" in visit.modifiers[0].meaning


def test_diagnosis_codes_come_with_their_official_description():
    report = build(explain_text("Dx: E11.65\n03/14/2025 99213 Office visit $150.00"))
    assert report.diagnoses[0].code == "E11.65"
    assert report.diagnoses[0].description == "Type 2 diabetes mellitus with hyperglycemia"


def test_an_ended_code_is_listed_as_worth_a_closer_look():
    report = build(explain_text("02/01/2022 99201 New patient visit $90.00"))
    [finding] = report.findings
    assert finding.kind == "ended" and finding.message == "The AMA ended this code on 2020-12-31."


def test_a_plain_bill_needs_no_attention():
    report = build(explain_text("03/14/2025 99213 Office visit $150.00"))
    assert report.attention == () and report.findings == ()
    assert (report.cpt_count, report.level_two_count, str(report.total_charged)) == (1, 0, "150.00")


def test_a_code_read_from_a_picture_with_doubt_shows_the_patient_that_part_of_the_picture():
    from dataclasses import replace

    from billexplain.bills.explain import OcrCheck

    explanation = explain_text("03/14/2025 99213 Office visit $150.00")
    item = replace(explanation.items[0], confidence=0.6)
    check = OcrCheck("99213", item.page, item.line, "9921З", 55.0, b"\x89PNG")
    row = build(replace(explanation, items=(item,), ocr_checks=(check,))).rows[0]
    assert row.check_reading and row.read_as == "9921З"
    assert row.snippet.startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    ("bill", "places"),
    [
        ("03/14/2025 J1100 Drug $9.00", "On your bill: page 1, line 1"),
        (
            "03/14/2025 J1100 Drug $9.00\n03/14/2025 99213 Visit $90.00\n03/15/2025 J1100 Drug $9.00\n"
            "03/16/2025 J1100 Drug $9.00",
            "On your bill: page 1, lines 1, 3 and 4",
        ),
        ("03/14/2025 J1100 Drug $9.00\f03/15/2025 J1100 Drug $9.00", "On your bill: page 1, line 1; page 2, line 1"),
    ],
)
def test_a_code_section_says_in_one_sentence_where_the_code_is_on_the_bill(bill, places):
    sections = {section.code.code: section for section in build(explain_text(bill)).sections}
    assert sections["J1100"].places == places


def test_a_modifier_printed_on_several_lines_of_a_code_is_explained_once():
    report = build(
        explain_text("03/14/2025 97110-GP PT $50.00\n03/15/2025 97110-GP PT $50.00\n03/16/2025 97110 PT $50")
    )
    [section] = report.sections
    assert [note.code for note in section.modifiers] == ["GP"]


def test_a_modifier_meaning_keeps_the_language_it_is_written_in():
    with override("es"):
        report = build(explain_text("03/14/2025 99213-25 Visita $90.00", language="es"))
    note = report.sections[0].modifiers[0]
    assert (note.code, note.language, note.official) == ("25", "es", False)


def test_the_code_section_says_the_code_set_and_medicare_price_in_sentences(office_visit_price):
    [section] = build(explain_text("03/14/2025 99213 Office visit $150.00")).sections
    assert section.code.code_set_sentence == (
        "This is a CPT code (Category I). CPT is also called HCPCS Level I. "
        "The American Medical Association (AMA) makes these codes."
    )
    assert section.medicare_pays == "What Medicare pays (2025, national):"
    assert section.medicare_amounts == "$88.95 in a doctor's office; $63.72 in a hospital or surgery center."


@pytest.mark.parametrize(("language", "day"), [("en", "Mar 14, 2025"), ("es", "14 mar 2025")])
def test_the_table_writes_each_date_of_service_in_the_pages_language(language, day):
    with override(language):
        report = build(explain_text("03/14/2025 99213 Visit $90.00\n03/14/2025 Pharmacy $12.00", language=language))
    assert (report.rows[0].day, report.uncoded[0].day) == (day, day)
