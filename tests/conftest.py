import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop running; Django would refuse database access.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
SHARED = ROOT.parent / "shared"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped content once; each test's transaction is rolled back around it."""
    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture
def office_visit_price(db):
    """Medicare's 2025 national price for 99213, a little over $88 in an office."""
    from decimal import Decimal

    from billexplain.coding.models import MedicareFee

    return MedicareFee.objects.create(
        code="99213",
        modifier="",
        status_code="A",
        year=2025,
        source="test",
        non_facility_amount=Decimal("88.95"),
        facility_amount=Decimal("63.72"),
    )


@pytest.fixture
def content(db):
    """The shipped, staff-editable content, loaded as `make run` loads it.

    Tests with a live server empty the database when they end; this reloads it then.
    """
    from billexplain.coding.models import Section

    if not Section.objects.exists():
        call_command("loaddata", *FIXTURES, verbosity=0)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    message = "Chromium is not installed: run `apt-get install -y chromium` to run the browser tests."
    for item in items:
        if "browser" in item.keywords:
            if os.environ.get("REQUIRE_BROWSER"):
                raise pytest.UsageError(message + " (REQUIRE_BROWSER is set, so they may not be skipped.)")
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


@pytest.fixture
def j1100(db):
    """The CMS record of J1100 (dexamethasone), as the October 2025 file has it."""
    from datetime import date

    from billexplain.coding.models import HcpcsCode

    return HcpcsCode.objects.create(
        code="J1100",
        long_description="Injection, dexamethasone sodium phosphate, 1 mg",
        short_description="Dexamethasone sodium phos",
        effective_on=date(2020, 1, 1),
        release="HCPC2025_OCT_ANWEB",
    )
