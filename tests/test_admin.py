import pytest
from django.urls import reverse

from billexplain.coding.models import CodeNote, Section

pytestmark = pytest.mark.usefixtures("content")


@pytest.mark.parametrize(
    "url",
    [
        "admin:coding_section_changelist",
        "admin:coding_codenote_changelist",
        "admin:coding_faqentry_changelist",
        "admin:coding_modifier_changelist",
        "admin:coding_hcpcscode_changelist",
    ],
)
def test_each_list_opens_and_searches_for_editors(admin_client, url):
    assert admin_client.get(reverse(url), {"q": "visit"}).status_code == 200


def test_an_edit_form_shows_the_reading_level_of_the_words(admin_client):
    section = Section.objects.get(key="cpt-em-office")
    page = admin_client.get(reverse("admin:coding_section_change", args=[section.pk])).content.decode()
    assert "Reading level" in page and "Grade" in page


def test_the_history_records_who_changed_a_note_and_what(admin_client, admin_user):
    note, _ = CodeNote.objects.update_or_create(code="99213", defaults={"plain_language": "Old words."})
    admin_client.post(
        reverse("admin:coding_codenote_change", args=[note.pk]),
        {"code": "99213", "plain_language": "New, clearer words.", "reviewed_by": "Ana", "reviewed_on": "2026-11-27"},
    )
    latest = note.history.first()
    assert latest.plain_language == "New, clearer words."
    assert latest.history_user == admin_user
    history_page = admin_client.get(reverse("admin:coding_codenote_history", args=[note.pk])).content.decode()
    assert "admin" in history_page


def test_staff_cannot_edit_official_cms_records_by_hand(admin_client):
    assert admin_client.get(reverse("admin:coding_hcpcscode_add")).status_code == 403


@pytest.mark.parametrize(
    ("text", "start"),
    [("You saw the doctor. It was a short visit.", "Grade"), ("", "No text yet.")],
)
def test_the_reading_hint_speaks_to_the_editor(text, start):
    from billexplain.coding.readability import hint

    assert hint(text).startswith(start)


def test_a_hard_text_gets_a_hint_to_simplify():
    from billexplain.coding.readability import hint

    text = (
        "Comprehensive multidisciplinary evaluation encompassing cardiopulmonary, musculoskeletal, "
        "and neuropsychological considerations necessitating extraordinary interprofessional coordination."
    )
    assert "above our grade 8 target" in hint(text)
