import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billexplain.coding import reference
from billexplain.coding.models import CodeNote, FaqEntry, Section
from tests.pdfs import pdf_with_rows

BILL = """Lakeside Clinic, Springfield, IL 62704
Account # 55123
03/14/2025 99213-25 Office visit $150.00
03/14/2025 J1100 Dexamethasone injection 2 $12.50
"""

pytestmark = pytest.mark.usefixtures("content")


def test_the_home_page_has_the_form_and_the_faq(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'hx-post="/"' in page and 'action="/"' in page
    assert "Why does my bill show both CPT and HCPCS codes?" in page or "<details>" in page


def test_posting_a_bill_without_javascript_renders_the_whole_page(client):
    response = client.post(reverse("home"), {"text": BILL})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert 'id="code-99213"' in page and 'id="code-J1100"' in page
    assert "This is a CPT code (Category I). CPT is also called HCPCS Level I." in page
    assert "This is a HCPCS Level II code (J codes: drugs given other than by mouth)" in page
    assert "$150.00" in page and "Mar 14, 2025" in page
    assert 'id="code-62704"' not in page and 'id="code-55123"' not in page


def test_posting_with_htmx_returns_only_the_results_region(client):
    response = client.post(reverse("home"), {"text": BILL}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="results"')
    assert "<html" not in page
    assert 'id="code-99213"' in page


def test_a_pdf_upload_is_explained(client):
    data = pdf_with_rows([("03/14/2025", "99285", "Emergency visit", "$820.00")])
    upload = SimpleUploadedFile("bill.pdf", data, content_type="application/pdf")
    response = client.post(reverse("home"), {"file": upload})
    assert 'id="code-99285"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Please paste the text of your bill, or choose a PDF."),
        ({"text": "   \n  "}, "Please paste the text of your bill, or choose a PDF."),
        ({"file": SimpleUploadedFile("photo.gif", b"GIF89a....")}, "This is not a PDF or a text file of a bill."),
        ({"file": SimpleUploadedFile("bill.pdf", b"%PDF-1.4 broken")}, "We could not read this file as a PDF."),
        ({"text": "Thank you for your payment of $40.00."}, "We found no CPT or HCPCS codes on this bill."),
    ],
)
def test_problems_come_back_as_a_plain_message_inside_the_results(client, data, message):
    for headers in ({}, {"HX-Request": "true"}):
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
        response = client.post(reverse("home"), data, headers=headers)
        assert response.status_code == 200
        assert message in response.content.decode()


def test_pasted_html_is_shown_as_text_never_run(client):
    response = client.post(reverse("home"), {"text": "03/14/2025 99213 <script>alert(1)</script> $10.00"})
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_an_edit_in_the_admin_shows_on_the_page_at_once(admin_client, client):
    CodeNote.objects.filter(code="99211").delete()  # so the page shows the section's words
    faq = FaqEntry.objects.first()
    admin_client.post(
        reverse("admin:coding_faqentry_change", args=[faq.pk]),
        {"question": "Is this a new question?", "answer": "Yes, just edited.", "position": faq.position},
    )
    section = Section.objects.get(key="cpt-em-office")
    admin_client.post(
        reverse("admin:coding_section_change", args=[section.pk]),
        {"name": section.name, "code_set": section.code_set, "plain_language": "Edited words.", "position": 1},
    )
    page = client.post(reverse("home"), {"text": "03/14/2025 99211 Nurse visit $30.00"}).content.decode()
    assert "Is this a new question?" in page
    assert "Edited words." in page


LONG_BILL = "\n".join(
    f"03/14/2025 {code} Service $10.00"
    for code in ["99213", "99214", "J1100", "J2405", "80053", "85025", "36415", "A0427", "E0601", "71046"]
)


@pytest.mark.parametrize("bill", [LONG_BILL.splitlines()[0], LONG_BILL])
def test_the_explain_page_uses_a_fixed_number_of_queries(client, django_assert_max_num_queries, bill):
    reference.changed()  # nothing kept yet: the rate limit, the code lookups, the prices and the FAQ
    with django_assert_max_num_queries(9):
        client.post(reverse("home"), {"text": bill})
    with django_assert_max_num_queries(3):  # then only whether the kept rows are current
        client.post(reverse("home"), {"text": bill})


def test_the_results_region_alone_does_not_look_up_the_faq_it_does_not_show(client, django_assert_num_queries):
    client.post(reverse("home"), {"text": LONG_BILL}, HTTP_HX_REQUEST="true")
    with django_assert_num_queries(2):  # the rate limit and whether the kept rows are current
        client.post(reverse("home"), {"text": LONG_BILL}, HTTP_HX_REQUEST="true")


def test_a_file_over_the_limit_gets_a_clear_message_and_the_pasted_text_stays(client, settings):
    settings.BILL_UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024))
    response = client.post(reverse("home"), {"text": "my pasted words", "file": big})  # browsers send form order
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file is too large. We read files of up to 3 MB." in page
    assert "my pasted words" in page


def test_a_file_larger_than_django_keeps_in_memory_is_still_read(client):
    rows = [("03/14/2025", "99285", "Emergency visit " + "x" * 40, "$820.00")] * 20
    data = pdf_with_rows(rows)
    data += b"\n%" + b"padding " * (3 * 1024 * 1024 // 8)  # a 3 MB file, over Django's 2.5 MB default
    response = client.post(reverse("home"), {"file": SimpleUploadedFile("bill.pdf", data)})
    assert 'id="code-99285"' in response.content.decode()


def test_the_health_check_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.content == b"ok"


HOSPITAL_BILL = """Date      Rev   CPT/HCPCS  Description                 Units   Charge
03/14/25  0450  99284      ER VISIT LEVEL 4            1       1,876.00
03/14/25  0636  J2405      ONDANSETRON INJ 1MG         4       96.00
              NDC 0409-4755-03
03/14/25  0250             PHARMACY GENERAL            1       38.10
03/15/25  0510  99213      CLINIC VISIT                1       450.00
03/15/25  0510  99213      CLINIC VISIT                1       450.00
Dx: R07.9, E11.65
"""


def test_a_hospital_bill_shows_diagnoses_departments_prices_and_things_to_ask(client, office_visit_price):
    page = html.unescape(client.post(reverse("home"), {"text": HOSPITAL_BILL}).content.decode())
    assert "Hospital department: Emergency room (0450)" in page
    assert "Drug package number (NDC): 0409-4755-03" in page
    assert "$88.95 in a doctor's office" in page
    assert "99213 is billed 2 times on March 15, 2025" in page
    assert "Charges with no code" in page and "PHARMACY GENERAL" in page
    assert "Chest pain, unspecified" in page and "Type 2 diabetes mellitus with hyperglycemia" in page
