import pytest
from django.core.management import call_command

from billexplain.coding.models import FaqEntry, Section


@pytest.mark.django_db
def test_it_adds_missing_rows_and_keeps_what_staff_edited(capsys):
    Section.objects.filter(key="cpt-em-office").update(plain_language="Edited by staff.")
    FaqEntry.objects.filter(pk=1).delete()
    call_command("load_content")
    assert Section.objects.get(key="cpt-em-office").plain_language == "Edited by staff."
    assert FaqEntry.objects.filter(pk=1).exists()
    assert "1 rows added" in capsys.readouterr().out


@pytest.mark.django_db
def test_replace_puts_the_shipped_words_back():
    Section.objects.filter(key="cpt-em-office").update(plain_language="Edited by staff.")
    call_command("load_content", "--replace")
    assert Section.objects.get(key="cpt-em-office").plain_language != "Edited by staff."


@pytest.mark.django_db
def test_it_fills_fields_left_empty_without_touching_written_ones():
    Section.objects.filter(key="cpt-em-office").update(plain_language="Edited by staff.", plain_language_es="")
    call_command("load_content")
    section = Section.objects.get(key="cpt-em-office")
    assert section.plain_language == "Edited by staff."
    assert section.plain_language_es
