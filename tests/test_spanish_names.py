"""The names of CPT sections and hospital departments on Spanish pages; the JSON keeps them in English.

The names live in pure modules (coding/cpt_ranges.py, coding/revenue.py) in English; the page says
them in the reader's language.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from billexplain.bills.explain import as_json, explain_text
from billexplain.coding import cpt_ranges, revenue

pytestmark = pytest.mark.usefixtures("content")

SPANISH = {"Accept-Language": "es"}

# A hospital bill: each line has its revenue code (the department) before its CPT code.
HOSPITAL_BILL = """Date        Rev   Code    Description                Units   Charge
03/14/2025  0450  99284   ER visit level 4           1       $1,200.00
03/14/2025  0320  71046   Chest x-ray 2 views        1       $180.00
03/14/2025  0510  99213   Follow-up visit            1       $150.00
"""

# (English, Spanish) names the hospital bill must show in Spanish only.
HOSPITAL_NAMES = (
    ("Office and clinic visits", "Citas en el consultorio y en la clínica"),
    ("Emergency room visits", "Visitas a la sala de emergencias"),
    ("X-rays, CT scans and MRI scans", "Radiografías, tomografías (CT) y resonancias (MRI)"),
    ("Hospital department: Emergency room (0450)", "Departamento del hospital: Sala de emergencias (0450)"),
    ("X-rays and diagnostic imaging (0320)", "Radiografías e imágenes para diagnóstico (0320)"),
    ("Clinic visit (0510)", "Cita en la clínica (0510)"),
)

NAMES = {r.name for r in cpt_ranges.SECTIONS + cpt_ranges.SUBSECTIONS} | set(revenue.GROUPS.values())

# Names written the same in English and in Spanish, which gettext gives back unchanged. None so far.
SAME_IN_BOTH_LANGUAGES = frozenset()


def spanish_results(client, text):
    response = client.post(reverse("home"), {"text": text}, headers=SPANISH)
    assert response.status_code == 200
    return response.content.decode()


def test_a_spanish_results_page_names_code_sections_and_hospital_departments_in_spanish(client):
    page = spanish_results(client, HOSPITAL_BILL)
    assert [spanish for _, spanish in HOSPITAL_NAMES if spanish not in page] == []
    assert [english for english, _ in HOSPITAL_NAMES if english in page] == []


def test_an_english_results_page_keeps_the_english_names(client):
    page = client.post(reverse("home"), {"text": HOSPITAL_BILL}).content.decode()
    assert "Office and clinic visits" in page
    assert "Hospital department: Emergency room (0450)" in page


def test_a_spanish_code_page_says_its_section_name_in_spanish_in_its_heading(client):
    page = client.get(reverse("code", args=["99213"]), headers=SPANISH).content.decode()
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "Citas en el consultorio y en la clínica" in heading
    assert "Office and clinic visits" not in page


@pytest.mark.parametrize(
    ("code", "spanish"), [("20610", "Cirugía: huesos, articulaciones y músculos"), ("00100", "Anestesia: cabeza")]
)
def test_other_spanish_code_pages_say_their_section_names_in_spanish(client, code, spanish):
    page = client.get(reverse("code", args=[code]), headers=SPANISH).content.decode()
    assert spanish in page.split("<h1>", 1)[1].split("</h1>", 1)[0]


@pytest.mark.parametrize("name", sorted(NAMES - SAME_IN_BOTH_LANGUAGES))
def test_every_section_and_department_name_has_a_spanish_translation(name):
    with translation.override("es"):
        assert translation.gettext(name) != name


def test_the_names_left_the_same_in_spanish_are_names_we_show():
    assert SAME_IN_BOTH_LANGUAGES.issubset(NAMES)


def test_the_json_keeps_the_english_section_and_department_names(db):
    with translation.override("es"):
        data = as_json(explain_text(HOSPITAL_BILL, language="es"))
    codes = {code["code"]: code for code in data["codes"]}
    assert codes["99213"]["section"] == "Doctor visits (evaluation and management)"
    assert codes["99213"]["subsection"] == "Office and clinic visits"
    assert codes["71046"]["subsection"] == "X-rays, CT scans and MRI scans (diagnostic imaging)"
    departments = {item["code"]: item["revenue_description"] for item in data["line_items"]}
    assert departments == {"99284": "Emergency room", "71046": "X-rays and diagnostic imaging", "99213": "Clinic visit"}
