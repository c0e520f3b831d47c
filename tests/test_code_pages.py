import pytest
from django.urls import reverse

from billexplain.coding.models import HcpcsCode

pytestmark = pytest.mark.usefixtures("content")


def test_a_cpt_code_page_explains_the_code_in_our_words(client):
    page = client.get(reverse("code", args=["99213"])).content.decode()
    assert "This is a CPT code (Category I)" in page
    assert "Office and clinic visits" in page


def test_a_level_two_code_page_shows_the_official_cms_text_with_its_release(client, j1100):
    page = client.get(reverse("code", args=["j1100"])).content.decode()
    assert "Injection, dexamethasone sodium phosphate, 1 mg" in page and "HCPC2025_OCT_ANWEB" in page


def test_before_an_import_a_level_two_page_uses_the_section_words(client):
    HcpcsCode.objects.all().delete()
    page = client.get(reverse("code", args=["E0114"])).content.decode()
    assert "Official CMS description" not in page
    assert "This is a HCPCS Level II code (E codes: durable medical equipment)" in page


def test_an_invalid_code_page_says_why(client):
    response = client.get(reverse("code", args=["02500"]))
    assert response.status_code == 200
    assert "not a valid CPT code" in response.content.decode()


def test_a_page_for_something_that_is_not_a_code_is_not_found(client):
    assert client.get("/codes/hello/").status_code == 404


@pytest.mark.parametrize(("query", "expected"), [("9921", "99213"), ("x-ray", "71046"), ("dexamethasone", "J1100")])
def test_the_search_finds_codes_by_number_or_words(client, j1100, query, expected):
    page = client.get(reverse("code-search"), {"q": query}).content.decode()
    assert f"/codes/{expected}/" in page


def test_the_search_returns_only_its_results_to_htmx(client):
    response = client.get(reverse("code-search"), {"q": "99213"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="search-results"') and "<html" not in page


def test_a_search_with_no_match_says_what_to_try(client):
    assert "Try a code like 99213" in client.get(reverse("code-search"), {"q": "zzzzqq"}).content.decode()
