import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("content")]

BILL = "03/14/2025 99213-25 Office visit $150.00\n03/14/2025 J1100 Dexamethasone injection 2 $12.50"


@pytest.fixture
def home(page, live_server):
    page.set_default_timeout(5000)
    page.goto(live_server.url + "/")
    return page


def test_a_patient_pastes_a_bill_and_sees_the_results_swapped_in(home):
    home.get_by_label("Paste the text of your bill").fill(BILL)
    home.get_by_role("button", name="Explain my bill").click()
    home.locator("#code-J1100").wait_for()
    assert home.locator("#code-99213").is_visible()
    assert home.evaluate("document.activeElement.id") == "results"
    assert home.evaluate("performance.getEntriesByType('navigation').length") == 1  # no full reload


def test_the_form_still_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(5000)
    page.goto(live_server.url + "/")
    page.get_by_label("Paste the text of your bill").fill(BILL)
    page.get_by_role("button", name="Explain my bill").click()
    page.locator("#code-99213").wait_for()
    context.close()


def test_the_code_search_shows_results_as_the_patient_types(home):
    home.get_by_label("Look up a code or a word").fill("9921")
    home.locator("#search-results a[href='/codes/99213/']").wait_for()
    assert home.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_a_patient_uploads_a_pdf_and_sees_its_codes(home, tmp_path):
    from tests.pdfs import pdf_with_rows

    bill = tmp_path / "bill.pdf"
    bill.write_bytes(pdf_with_rows([("03/14/2025", "99285", "Emergency visit", "$820.00")]))
    home.get_by_label("Or choose a PDF of your bill").set_input_files(str(bill))
    home.get_by_role("button", name="Explain my bill").click()
    home.locator("#code-99285").wait_for()
    assert home.evaluate("performance.getEntriesByType('navigation').length") == 1
