from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from billexplain.bills.checks import check
from billexplain.bills.extraction import LineItem, UncodedLine
from billexplain.coding.classification import classify

DAY = date(2025, 3, 14)


def item(code, charge="100.00", when=DAY, units=None, modifiers=(), line=1):
    return LineItem(code, modifiers, 1, line, when, "Service", units, charge, "", 0.95, "test")


@dataclass(frozen=True)
class Explained:
    code: str
    status: str = "active"
    status_sentence: str = ""

    @property
    def classification(self):
        return classify(self.code)


@dataclass(frozen=True)
class Price:
    non_facility_amount: Decimal | None
    facility_amount: Decimal | None
    year: int = 2025


def kinds(items, explained=None, prices=None, uncoded=()):
    explained = explained or {i.code: Explained(i.code) for i in items}
    return [f.kind for f in check(items, explained, prices, uncoded)]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([item("99213"), item("99213", line=2)], ["duplicate"]),
        ([item("99213"), item("99213", when=date(2025, 3, 15))], []),
        ([item("71046"), item("71046", modifiers=("76",))], []),
        ([item("3074F", charge="25.00")], ["quality_code_charged"]),
        ([item("3074F", charge="0.00")], []),
        ([item("99213")], []),
    ],
)
def test_it_flags_repeats_and_charged_quality_codes_and_nothing_else(items, expected):
    assert kinds(items) == expected


def test_it_flags_a_code_used_after_it_ended():
    ended = {"G9631": Explained("G9631", "ended", "CMS ended this code on 2022-12-31.")}
    [finding] = check([item("G9631")], ended)
    assert finding.kind == "ended" and finding.message == "CMS ended this code on 2022-12-31."


def test_it_flags_a_code_missing_from_the_cms_list():
    missing = {"J9999": Explained("J9999", "not in the loaded CMS file")}
    assert kinds([item("J9999")], missing) == ["not_listed"]


@pytest.mark.parametrize(
    ("charge", "units", "expected"),
    [("400.00", None, ["high_charge"]), ("200.00", None, []), ("400.00", 2, []), (None, None, [])],
)
def test_it_compares_a_charge_with_medicare_kindly(charge, units, expected):
    prices = {"99213": Price(Decimal("88.95"), Decimal("63.72"))}
    assert kinds([item("99213", charge=charge, units=units)], prices=prices) == expected


def test_a_high_charge_is_described_as_context_not_a_verdict():
    prices = {"99213": Price(Decimal("88.95"), Decimal("63.72"))}
    [finding] = check([item("99213", charge="450.00")], {"99213": Explained("99213")}, prices)
    assert "about 5 times what Medicare pays" in finding.message
    assert "not a sign that anything is wrong" in finding.message
    assert "overcharg" not in finding.message.lower()


def test_a_line_without_a_code_gets_a_question_to_ask():
    line = UncodedLine(1, 4, DAY, "Pharmacy", "60.53", "0250", "03/14/2025 0250 Pharmacy 60.53")
    [finding] = check([], {}, uncoded=[line])
    assert finding.kind == "no_code" and finding.question == "What is the CPT or HCPCS code for this line?"
