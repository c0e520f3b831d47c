"""WCAG 2.2 AA checks with axe-core in a real Chromium, at phone and desktop widths.

Screenshots of each screen are saved under test-results/ for people to look at.
"""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("content")]

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS = Path(__file__).resolve().parent.parent / "test-results"
WIDTHS = {"phone": 360, "desktop": 1280}
BILL = (
    "Lakeside Clinic, Springfield, IL 62704\n"
    "03/14/2025 99213-25 Office visit $150.00\n"
    "03/14/2025 J1100 Dexamethasone injection 2 $12.50\n"
    "02/01/2022 99201 New patient visit $90.00\n"
    "Dx: E11.65\n"
)


def violations(page):
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def screenshot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.fixture(params=list(WIDTHS))
def sized(request, browser, live_server):
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 800})
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page, request.param, live_server.url
    context.close()


def test_the_home_page_has_no_accessibility_violations(sized):
    page, width, url = sized
    page.goto(url + "/")
    screenshot(page, f"home-{width}")
    assert violations(page) == []


def test_a_results_page_has_no_accessibility_violations(sized):
    page, width, url = sized
    page.goto(url + "/")
    page.get_by_label("Paste the text of your bill").fill(BILL)
    page.get_by_role("button", name="Explain my bill").click()
    page.locator("#code-J1100").wait_for()
    screenshot(page, f"results-{width}")
    assert violations(page) == []


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_spanish_results_page_has_no_accessibility_violations(browser, live_server, width):
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 800}, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(5000)
    page.goto(live_server.url + "/")
    page.locator("form.bill-form textarea").fill(BILL)
    page.locator("form.bill-form button[type=submit]").click()
    page.locator("#code-J1100").wait_for()
    screenshot(page, f"results-es-{width}")
    assert page.locator("html").get_attribute("lang") == "es" and "Lo que encontramos" in page.content()
    assert violations(page) == []
    context.close()


def test_an_error_state_has_no_accessibility_violations(sized):
    page, width, url = sized
    page.goto(url + "/")
    page.get_by_role("button", name="Explain my bill").click()
    page.get_by_role("alert").wait_for()
    screenshot(page, f"error-{width}")
    assert violations(page) == []


@pytest.mark.parametrize("path", ["/codes/99213/", "/codes/?q=x-ray", "/admin/login/"])
def test_code_search_and_admin_pages_have_no_accessibility_violations(sized, path):
    page, width, url = sized
    page.goto(url + path)
    screenshot(page, f"{path.strip('/').replace('/', '-').replace('?q=', '-')}-{width}")
    assert violations(page) == []


def test_keyboard_alone_can_explain_a_bill(browser, live_server):
    page = browser.new_page()
    page.set_default_timeout(5000)
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    for _ in range(6):
        if page.evaluate("document.activeElement.tagName") == "TEXTAREA":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("03/14/2025 99213 Office visit $150.00")
    while page.evaluate("document.activeElement.tagName") != "BUTTON":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#code-99213").wait_for()
    assert page.evaluate("document.activeElement.id") == "results"
    page.close()
