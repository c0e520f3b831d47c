"""Sentences the app builds in Python (errors, findings, warnings, names, price notes) on Spanish pages.

Templates and staff content were Spanish already; these come from the code that reads the bill.
"""

import ast
import json
import pickle
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import trans_real

from billexplain.bills.explain import explain_text
from billexplain.coding.models import HcpcsCode, MedicareFee
from billexplain.wording import Sentence
from tests.conftest import ROOT
from tests.pdfs import pdf_with_rows

pytestmark = pytest.mark.usefixtures("content")

SPANISH = {"Accept-Language": "es"}

# A bill with something of every kind worth asking about.
RICH_BILL = """Date        CPT/HCPCS  Description                 Units   Charge
03/14/2025  99213      Clinic visit                1       $450.00
03/14/2025  99213      Clinic visit                1       $450.00
03/14/2025  3074F      Blood pressure reported     1       $25.00
02/01/2022  99201      New patient visit           1       $90.00
03/14/2025  A0427-RH   Ambulance ALS emergency     1       $1,200.00
03/14/2025  A0425-RH   Ambulance mileage           12      $240.00
03/14/2025  71046-ZZ   Chest x-ray                 1       $180.00
03/14/2025             Supplies                    1       $38.10
Dx: R07.9
"""

# English the patient must not meet on a Spanish page (none of it is on the bill itself).
ENGLISH = (
    "is billed 2 times on",
    "Did I get this service",
    "quality-reporting code",
    "Why is there a charge",
    "ended this code",
    "Why was a code used after it ended",
    "times what Medicare pays",
    "lower cash price",
    "has no code.",
    "What is the CPT or HCPCS code for this line?",
    "The ride went from",
    "your home",
    "We do not have an explanation for this modifier yet",
    "Category I",
    "American Medical Association (AMA)",  # the footer names the trademark holder as it is registered
    "Centers for Medicare",
    "A codes: ambulance rides",
    "These are Medicare's national prices",
    "This is context, not a check of your bill",
    "Medicare's national price for this in",
    "Medicare pays for ambulance rides",
    "We found no CPT or HCPCS codes",
)


@pytest.fixture
def ambulance_price(db):
    return MedicareFee.objects.create(code="A0427", modifier="", status_code="X", year=2025, source="test")


def spanish_page(client, **data):
    response = client.post(reverse("home"), data, headers=SPANISH)
    assert response.status_code == 200
    return response.content.decode()


def test_a_rich_bill_on_a_spanish_page_has_none_of_the_english_sentences(client, office_visit_price, ambulance_price):
    page = spanish_page(client, text=RICH_BILL)
    assert "Vale la pena revisar" in page
    assert [sentence for sentence in ENGLISH if sentence in page] == []


@pytest.mark.parametrize("name", ["dental_perio.txt", "hosp_observation_stay.txt", "amb_ems_invoice.txt"])
def test_our_own_bills_on_a_spanish_page_have_none_of_the_english_sentences(client, name):
    page = spanish_page(client, text=(ROOT / "tests" / "data" / "bills" / name).read_text(encoding="utf-8"))
    assert "Lo que encontramos en su factura" in page
    assert [sentence for sentence in ENGLISH if sentence in page] == []


def test_a_repeated_line_is_pointed_out_in_spanish_with_a_spanish_date(client):
    page = spanish_page(client, text=RICH_BILL)
    assert "99213 se cobra 2 veces el 14 de marzo de 2025." in page
    assert "¿Recibí este servicio 2 veces ese día?" in page


def test_the_other_findings_are_in_spanish(client, office_visit_price):
    page = spanish_page(client, text=RICH_BILL)
    assert "3074F es un código para informar sobre la calidad de la atención" in page
    assert "La AMA dejó de usar este código el 2020-12-31." in page
    assert "El cargo por 99213 es unas 5 veces lo que Medicare paga por él a nivel nacional ($88.95 en 2025)." in page


def test_the_english_page_keeps_the_english_findings(client):
    page = client.post(reverse("home"), {"text": RICH_BILL}).content.decode()
    assert "99213 is billed 2 times on March 14, 2025." in page
    assert "The AMA ended this code on 2020-12-31." in page


def test_a_spanish_ambulance_bill_reads_where_the_ride_started_and_ended_in_spanish(client):
    page = spanish_page(client, text=RICH_BILL)
    assert "El viaje fue desde su casa hasta un hospital." in page


def test_a_modifier_we_cannot_explain_says_so_in_spanish(client):
    page = spanish_page(client, text=RICH_BILL)
    assert "Todavía no tenemos una explicación para este modificador." in page


def test_medicare_price_notes_are_in_spanish(client, office_visit_price, ambulance_price):
    page = spanish_page(client, text=RICH_BILL)
    assert "El precio nacional de Medicare para esto en 2025." in page
    assert "Medicare paga los viajes en ambulancia con otra lista de precios." in page
    assert "Estos son los precios nacionales de Medicare." in page


def test_a_bill_without_codes_is_answered_in_spanish(client):
    page = spanish_page(client, text="Total due $120.00\nThank you for your payment")
    assert "No encontramos códigos CPT ni HCPCS en esta factura." in page


def test_a_file_that_is_not_a_bill_gets_a_spanish_message(client):
    page = spanish_page(client, file=SimpleUploadedFile("notes.docx", b"PK\x03\x04 not a bill"))
    assert "Esto no es un PDF ni un archivo de texto de una factura." in page
    assert "This is not a PDF" not in page


def test_a_locked_pdf_gets_a_spanish_message(client):
    from tests.test_hostile_files import encrypted

    page = spanish_page(client, file=SimpleUploadedFile("bill.pdf", encrypted("patient-secret")))
    assert "Este PDF está protegido con una contraseña. Suba una copia sin contraseña." in page


def test_a_pdf_with_too_many_pages_says_so_in_spanish(client, settings):
    settings.BILL_MAX_PAGES = 1
    data = pdf_with_rows([("03/14/2025", "99213", "Office visit", "$150.00")], pages=2)
    page = spanish_page(client, file=SimpleUploadedFile("bill.pdf", data))
    assert "Este PDF tiene 2 páginas. Leemos facturas de hasta 1 páginas." in page


def test_a_broken_picture_gets_a_spanish_message(client):
    page = spanish_page(client, file=SimpleUploadedFile("bill.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))
    assert "No pudimos abrir esta imagen. Puede estar dañada." in page or "Tesseract OCR" in page


def test_the_api_speaks_spanish_in_its_messages_but_keeps_its_keys(client):
    response = client.post(
        reverse("api-explain"), json.dumps({"text": RICH_BILL}), content_type="application/json", headers=SPANISH
    )
    data = response.json()
    duplicate = next(check for check in data["checks"] if check["kind"] == "duplicate")
    assert set(duplicate) == {"kind", "code", "page", "line", "message", "question"}
    assert duplicate["question"] == "¿Recibí este servicio 2 veces ese día?"
    assert data["codes"][0]["category"] == "Category I"  # the JSON names stay stable, in English


def test_explain_text_says_its_messages_in_the_language_it_is_asked_for(db):
    [finding] = [f for f in explain_text(RICH_BILL, language="es").findings if f.kind == "no_code"]
    assert finding.message == "La línea “Supplies” ($38.10) no tiene código."
    assert finding.question == "¿Cuál es el código CPT o HCPCS de esta línea?"
    assert explain_text(RICH_BILL).findings[-1].question == "What is the CPT or HCPCS code for this line?"


def test_the_category_of_a_level_two_code_is_spanish_on_its_page(client):
    HcpcsCode.objects.create(code="J1100", long_description="Injection, dexamethasone", effective_on=date(2020, 1, 1))
    page = client.get(reverse("code", args=["J1100"]), headers=SPANISH).content.decode()
    assert "Códigos J: medicinas que no se toman por la boca" in page
    assert "Estos códigos los crea: Centros de Servicios de Medicare y Medicaid" in page
    assert "J codes:" not in page


def test_a_cpt_code_page_says_its_category_in_spanish(client):
    page = client.get(reverse("code", args=["3074F"]), headers=SPANISH).content.decode()
    assert "Este es un código CPT (Categoría II)." in page
    assert "Código para informar sobre la calidad" in page


def test_an_ended_code_says_so_in_spanish_on_its_page(client):
    page = client.get(reverse("code", args=["99201"]), headers=SPANISH).content.decode()
    assert "La AMA dejó de usar este código el 2020-12-31." in page


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("I1234", "CMS no usa la letra I para los códigos HCPCS."),
        ("W1234", "CMS no usa esta letra."),
    ],
)
def test_a_code_that_cannot_be_says_why_in_spanish(client, code, problem):
    page = client.get(reverse("code", args=[code]), headers=SPANISH).content.decode()
    assert problem in page


@pytest.mark.parametrize("word", ["radiografía", "visita"])
def test_a_spanish_search_finds_codes_by_the_words_of_our_spanish_notes(client, word):
    page = client.get(reverse("code-search"), {"q": word}, headers=SPANISH).content.decode()
    assert 'class="search-results"' in page
    assert word in page.split('class="search-results"', 1)[1]


def test_a_spanish_search_shows_the_spanish_note_and_does_not_call_it_english(client):
    page = client.get(reverse("code-search"), {"q": "71046"}, headers=SPANISH).content.decode()
    assert "Una radiografía de pecho con dos imágenes" in page
    assert 'lang="en"><span' not in page and '<span lang="en">Una radiografía' not in page


def test_an_english_search_does_not_match_spanish_words(client):
    page = client.get(reverse("code-search"), {"q": "radiografía"}).content.decode()
    assert 'class="search-results"' not in page


def test_a_sentence_is_its_english_text_and_keeps_what_made_it():
    sentence = Sentence("%(code)s is billed %(count)s times on %(date)s.", code="99213", count=2, date=date(2025, 3, 4))
    assert sentence == "99213 is billed 2 times on March 4, 2025."
    assert (sentence.template, sentence.values["count"]) == ("%(code)s is billed %(count)s times on %(date)s.", 2)
    copy = pickle.loads(pickle.dumps(sentence))  # errors come back from the parsing child pickled
    assert copy == sentence and copy.values == sentence.values


def gettext_literals():
    """(file, text) for every string literal our Python code passes to gettext, gettext_lazy or gettext_noop."""
    names = {"_", "gettext", "gettext_lazy", "gettext_noop"}
    for path in sorted((ROOT / "billexplain").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None) and getattr(node.func, "id", getattr(node.func, "attr", None))
            if name in names and node.args and isinstance(node.args[0], ast.Constant):
                yield str(path.relative_to(ROOT)), node.args[0].value


def test_every_sentence_our_code_says_has_a_spanish_translation():
    """makemessages cannot see gettext inside an f-string, and then drops the translation: this notices."""
    catalogue = trans_real.translation("es")._catalog
    assert sorted({(path, text) for path, text in gettext_literals() if text not in catalogue}) == []
