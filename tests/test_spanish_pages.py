"""The patient's pages in Spanish: chosen by the browser or by the switch in the header.

English stays the default. Official CMS text stays in English on Spanish pages, marked as such.
"""

import gettext
import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse

from billexplain.coding.models import CodeNote, FaqEntry, Section
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("content")

SPANISH = {"Accept-Language": "es"}
BILL = """Lakeside Clinic, Springfield, IL 62704
03/14/2025 99213-25 Office visit $150.00
03/14/2025 J1100 Dexamethasone injection 2 $12.50
Dx: E11.65
"""
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture
def spanish_reader(client):
    """A patient who chose Spanish with the switch: the choice lives in a cookie."""
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    return client


def test_the_home_page_is_in_spanish_when_the_browser_asks_for_spanish(client):
    page = client.get(reverse("home"), headers=SPANISH).content.decode()
    assert '<html lang="es">' in page
    assert "¿Qué significan los códigos de mi factura?" in page
    assert "Pegue el texto de su factura" in page and "Explicar mi factura" in page
    assert "What do the codes on my bill mean?" not in page


def test_a_regional_spanish_browser_gets_spanish_too(client):
    page = client.get(reverse("home"), headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).content.decode()
    assert '<html lang="es">' in page and "Explicar mi factura" in page


def test_the_switch_turns_the_home_page_spanish(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(response.url).content.decode()
    assert '<html lang="es">' in page
    assert "¿Qué significan los códigos de mi factura?" in page


def test_the_switch_wins_over_the_browser_language(spanish_reader):
    page = spanish_reader.get(reverse("home"), headers={"Accept-Language": "en-US"}).content.decode()
    assert '<html lang="es">' in page


def test_the_switch_goes_back_to_english(spanish_reader):
    spanish_reader.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = spanish_reader.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page and "What do the codes on my bill mean?" in page


def test_the_switch_brings_the_patient_back_to_the_same_page(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/codes/?q=x-ray"})
    assert response.url == "/codes/?q=x-ray"


def test_the_switch_never_sends_the_patient_to_another_site(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "https://example.com/"})
    assert "example.com" not in response.get("Location", "")


def test_the_switch_is_a_plain_form_that_knows_the_current_page(client):
    page = client.get(reverse("code-search"), {"q": "x-ray"}).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in page
    assert '<input type="hidden" name="next" value="/codes/?q=x-ray">' in page
    # Written in the language it switches to, so a Spanish reader finds it on an English page.
    assert '<button type="submit" name="language" value="es" lang="es">Ver esta página en español</button>' in page
    assert 'value="en"' not in page.split("language-switch", 1)[1].split("</form>", 1)[0]


def test_a_spanish_page_offers_the_way_back_to_english(client):
    page = client.get(reverse("home"), headers=SPANISH).content.decode()
    assert '<button type="submit" name="language" value="en" lang="en">View this page in English</button>' in page
    assert 'aria-label="Idioma"' in page


@pytest.mark.parametrize("headers", [{}, {"Accept-Language": "fr"}, {"Accept-Language": "de-DE,en;q=0.5"}])
def test_english_stays_the_default(client, headers):
    response = client.get(reverse("home"), headers=headers)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "What do the codes on my bill mean?" in page and "Explain my bill" in page
    assert "Accept-Language" in response["Vary"]


def test_the_results_for_a_pasted_bill_are_in_spanish(client):
    page = client.post(reverse("home"), {"text": BILL}, headers=SPANISH).content.decode()
    assert '<html lang="es">' in page
    for heading in (
        "Lo que encontramos en su factura",
        "Las líneas de su factura que tienen un código",
        "Cada código, en palabras sencillas",
        "Por qué recibió la atención (códigos de diagnóstico)",
        "Qué puede hacer ahora",
        "Preguntas frecuentes",
    ):
        assert heading in page
    assert "Encontramos 2 códigos distintos en su factura." in page
    assert '<th scope="col">Fecha</th>' in page and '<th scope="col" class="num">Cargo</th>' in page
    assert "Este es un código CPT (Categoría I)." in page
    assert "En su factura: página 1, línea 2" in page


def test_spanish_results_keep_amounts_as_the_bill_writes_them_and_dates_in_spanish_order(client):
    page = client.post(reverse("home"), {"text": BILL}, headers=SPANISH).content.decode()
    assert "$150.00" in page and "suman $162.50." in page
    assert "14 mar 2025" in page


def test_htmx_results_follow_the_chosen_language(spanish_reader):
    response = spanish_reader.post(reverse("home"), {"text": BILL}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="results"')
    assert "Lo que encontramos en su factura" in page


def test_the_results_explain_each_code_in_spanish(client):
    page = client.post(reverse("home"), {"text": BILL}, headers=SPANISH).content.decode()
    spanish_note = CodeNote.objects.get(code="99213").plain_language_es
    assert spanish_note and spanish_note in page


def test_form_errors_are_in_spanish(client):
    page = client.post(reverse("home"), {"text": ""}, headers=SPANISH).content.decode()
    assert "No pudimos leer eso" in page
    assert "Por favor, pegue el texto de su factura o elija un PDF." in page


def test_the_faq_is_in_spanish_where_staff_wrote_it(client):
    entry = FaqEntry.objects.exclude(question_es="").exclude(answer_es="").first()
    page = client.get(reverse("home"), headers=SPANISH).content.decode()
    assert entry.question_es in page
    assert entry.question not in page


def test_a_faq_entry_without_spanish_shows_in_english_marked_as_english(client):
    entry = FaqEntry.objects.first()
    FaqEntry.objects.filter(pk=entry.pk).update(question_es="", answer_es="")
    page = client.get(reverse("home"), headers=SPANISH).content.decode()
    assert f'<details lang="en">\n    <summary>{entry.question}</summary>' in page


def test_a_code_page_is_in_spanish(client):
    page = client.get(reverse("code", args=["99213"]), headers=SPANISH).content.decode()
    assert '<html lang="es">' in page
    assert "qué significa este código" in page and "Buscar otro código" in page
    assert CodeNote.objects.get(code="99213").plain_language_es in page
    assert "El CPT también se llama HCPCS Nivel I." in page


def test_an_explanation_not_yet_in_spanish_is_shown_in_english_and_says_so(client):
    CodeNote.objects.filter(code="99213").update(plain_language_es="")
    Section.objects.update(plain_language_es="")
    page = client.get(reverse("code", args=["99213"]), headers=SPANISH).content.decode()
    english = CodeNote.objects.get(code="99213").plain_language
    assert f'<p class="plain" lang="en">{english}</p>' in page
    assert "Todavía no hemos escrito esta explicación en español." in page


def test_official_cms_descriptions_stay_in_english_and_say_so(client, j1100):
    page = client.get(reverse("code", args=["J1100"]), headers=SPANISH).content.decode()
    assert '<span class="label">Descripción oficial de CMS</span> (en inglés), del archivo HCPC2025_OCT_ANWEB:' in page
    assert '<span lang="en">Injection, dexamethasone sodium phosphate, 1 mg</span>' in page


def test_english_pages_do_not_call_english_text_english(client, j1100):
    page = client.get(reverse("code", args=["J1100"])).content.decode()
    assert '<span class="label">Official CMS description</span>, from the file HCPC2025_OCT_ANWEB:' in page
    assert "(in English)" not in page
    assert "not written this explanation in Spanish" not in page


def test_the_request_letter_stays_in_english_with_a_spanish_reading(client):
    page = client.post(reverse("home"), {"text": BILL}, headers=SPANISH).content.decode()
    assert '<pre class="letter-text" lang="en">Dear Billing Office,\n\nI am writing about' in page
    assert "Estimada oficina de facturación:" in page


def test_the_english_page_shows_the_letter_once_as_text(client):
    page = client.post(reverse("home"), {"text": BILL}).content.decode()
    assert page.count("Dear Billing Office,") == 1
    assert "{%" not in page


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")
def test_every_spanish_string_is_translated_and_compiled(tmp_path):
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    with open(tmp_path / "django.mo", "rb") as fresh, open(MO, "rb") as committed:
        expected = gettext.GNUTranslations(fresh)._catalog
        assert gettext.GNUTranslations(committed)._catalog == expected, "run `manage.py compilemessages`"


@pytest.mark.browser
def test_a_patient_can_switch_the_home_page_to_spanish(page, live_server):
    from tests.test_accessibility import screenshot, violations

    page.set_default_timeout(5000)
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Ver esta página en español").click()
    page.get_by_role("heading", name="¿Qué significan los códigos de mi factura?").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.url == live_server.url + "/"
    page.get_by_label("Pegue el texto de su factura").fill(BILL)
    page.get_by_role("button", name="Explicar mi factura").click()
    page.get_by_role("heading", name="Lo que encontramos en su factura").wait_for()
    screenshot(page, "results-es")
    assert violations(page) == []
    page.get_by_role("button", name="View this page in English").click()
    page.get_by_role("heading", name="What do the codes on my bill mean?").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
