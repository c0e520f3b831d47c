"""Spanish content: staff write it next to the English, patients get it where it exists."""

import json
import statistics

import pytest
import textstat
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billexplain.coding import readability, reference
from billexplain.coding.knowledge import explain_codes, faq
from billexplain.coding.models import CodeNote, FaqEntry, Modifier, Section
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("content")

TRANSLATED = {
    "sections.json": ["plain_language_es"],
    "modifiers.json": ["plain_language_es"],
    "faq.json": ["question_es", "answer_es"],
}


def shipped(name):
    return json.loads((ROOT / "fixtures" / name).read_text(encoding="utf-8"))


@pytest.fixture
def office_visit_note(db):
    note, _ = CodeNote.objects.update_or_create(
        code="99213",
        defaults={"plain_language": "A visit with your doctor.", "plain_language_es": "Una cita con su médico."},
    )
    return note


@pytest.mark.parametrize("language", ["es", "es-mx", "ES"])
def test_a_note_is_in_spanish_when_staff_wrote_it(office_visit_note, language):
    explained = explain_codes([("99213", None)], language=language).codes["99213"]
    assert explained.explanation == "Una cita con su médico."
    assert explained.explanation_language == "es"


def test_a_note_without_spanish_falls_back_to_the_english(office_visit_note):
    CodeNote.objects.filter(code="99213").update(plain_language_es="")
    explained = explain_codes([("99213", None)], language="es").codes["99213"]
    assert explained.explanation == "A visit with your doctor."
    assert explained.explanation_language == "en"


def test_english_readers_keep_the_english_note(office_visit_note):
    assert explain_codes([("99213", None)]).codes["99213"].explanation == "A visit with your doctor."


def test_a_code_without_a_note_gets_the_spanish_section_text(db):
    CodeNote.objects.filter(code="99214").delete()
    Section.objects.filter(key="cpt-em-office").update(plain_language_es="Una cita en el consultorio.")
    explained = explain_codes([("99214", None)], language="es").codes["99214"]
    assert explained.section_text == "Una cita en el consultorio."
    assert explained.explanation == "Una cita en el consultorio."
    assert explained.explanation_language == "es"


def test_a_section_without_spanish_falls_back_to_the_english(db):
    CodeNote.objects.filter(code="99214").delete()
    Section.objects.filter(key="cpt-em-office").update(plain_language_es="")
    english = Section.objects.get(key="cpt-em-office").plain_language
    explained = explain_codes([("99214", None)], language="es").codes["99214"]
    assert explained.section_text == english
    assert explained.explanation == english
    assert explained.explanation_language == "en"


def test_a_modifier_meaning_is_in_spanish_when_staff_wrote_it(db):
    Modifier.objects.filter(code="25").update(plain_language_es="Un examen aparte el mismo día.")
    meaning = explain_codes([("99213", None)], ["25"], language="es").modifiers["25"]
    assert meaning.meaning == "Un examen aparte el mismo día."
    assert meaning.language == "es" and not meaning.official


def test_a_modifier_without_spanish_falls_back_to_the_english(db):
    Modifier.objects.filter(code="25").update(plain_language="A separate exam.", plain_language_es="")
    meaning = explain_codes([("99213", None)], ["25"], language="es").modifiers["25"]
    assert meaning.meaning == "A separate exam."
    assert meaning.language == "en"


def test_a_modifier_with_no_words_of_ours_shows_the_official_cms_text_marked_as_english(db):
    Modifier.objects.filter(code="RT").update(
        plain_language="", plain_language_es="", official_description="Right side"
    )
    meaning = explain_codes([("99213", None)], ["RT"], language="es").modifiers["RT"]
    assert meaning.meaning == "Right side"
    assert meaning.language == "en" and meaning.official


def test_the_faq_is_in_spanish_and_falls_back_to_english_entry_by_entry(db):
    FaqEntry.objects.filter(pk=1).update(question_es="", answer_es="")
    entries = {entry.question: entry for entry in faq("es")}
    first = FaqEntry.objects.get(pk=1)
    assert entries[first.question].answer == first.answer
    assert entries[first.question].language == "en"
    second = FaqEntry.objects.get(pk=2)
    assert entries[second.question_es].answer == second.answer_es
    assert entries[second.question_es].language == "es"


def test_a_half_translated_faq_entry_stays_in_english_so_question_and_answer_match(db):
    FaqEntry.objects.filter(pk=2).update(answer_es="")
    entry = next(e for e in faq("es") if e.question == FaqEntry.objects.get(pk=2).question)
    assert entry.language == "en"


def test_the_faq_keeps_its_order_in_both_languages(db):
    assert len(faq("en")) == len(faq("es")) == FaqEntry.objects.count()
    assert [e.question for e in faq("en")] == list(FaqEntry.objects.values_list("question", flat=True))


@pytest.mark.parametrize(("name", "field"), [(name, f) for name, fields in TRANSLATED.items() for f in fields])
def test_every_shipped_row_has_its_spanish_words(name, field):
    rows = shipped(name)
    missing = [row["pk"] for row in rows if not row["fields"].get(field, "").strip()]
    assert rows and not missing


def test_the_shipped_spanish_is_easy_to_read():
    texts = [row["fields"][f] for name, fields in TRANSLATED.items() for row in shipped(name) for f in fields]
    scores = [readability.spanish_ease(text) for text in texts]
    # Fernández Huerta: 60 to 70 is "normal", higher is easier.
    assert statistics.median(scores) >= 70
    assert min(scores) >= 50


def test_the_note_form_shows_english_and_spanish_side_by_side_with_a_spanish_reading_hint(
    admin_client, office_visit_note
):
    page = admin_client.get(reverse("admin:coding_codenote_change", args=["99213"])).content.decode()
    assert 'name="plain_language"' in page and 'name="plain_language_es"' in page
    assert "Una cita con su médico." in page
    assert "Reading level (Spanish)" in page and "Spanish reading ease" in page


def test_editors_can_list_the_rows_still_missing_spanish(admin_client, office_visit_note):
    CodeNote.objects.update_or_create(
        code="99214", defaults={"plain_language": "Longer visit.", "plain_language_es": ""}
    )
    page = admin_client.get(reverse("admin:coding_codenote_changelist"), {"spanish": "missing"}).content.decode()
    assert "Longer visit." in page and "A visit with your doctor." not in page


def test_a_faq_entry_missing_its_spanish_question_is_listed_as_missing(admin_client):
    FaqEntry.objects.filter(pk=3).update(question_es="")
    page = admin_client.get(reverse("admin:coding_faqentry_changelist"), {"spanish": "missing"}).content.decode()
    assert FaqEntry.objects.get(pk=3).question in page
    assert FaqEntry.objects.get(pk=1).question not in page


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("Usted vio al médico. Fue una cita corta.", "Spanish reading ease"),
        ("", "No Spanish text yet"),
    ],
)
def test_the_spanish_reading_hint_speaks_to_the_editor(text, start):
    assert readability.hint_es(text).startswith(start)


def test_a_hard_spanish_text_gets_a_hint_to_simplify():
    text = (
        "La evaluación multidisciplinaria comprehensiva abarca consideraciones cardiopulmonares, "
        "musculoesqueléticas y neuropsicológicas que requieren coordinación interprofesional extraordinaria."
    )
    assert "below our target" in readability.hint_es(text)


def test_the_spanish_hint_leaves_the_english_reading_level_alone():
    english = "You saw the doctor. It was a short visit."
    before = textstat.flesch_kincaid_grade(english)
    readability.hint_es("Usted vio al médico. Fue una cita corta.")
    assert textstat.flesch_kincaid_grade(english) == before


def test_spanish_costs_no_more_queries_than_english(office_visit_note):
    codes = [("99213", None), ("99214", None), ("J1100", None), ("G9631", None)]
    reference.changed()  # nothing kept: both read every table
    with CaptureQueriesContext(connection) as english:
        explain_codes(codes, modifier_codes=["25", "RT"])
    reference.changed()
    with CaptureQueriesContext(connection) as spanish:
        explain_codes(codes, modifier_codes=["25", "RT"], language="es")
    assert len(english.captured_queries) > 0
    assert len(spanish.captured_queries) == len(english.captured_queries)
