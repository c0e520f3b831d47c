"""Things worth checking on a bill, said kindly. Pure Python, no Django.

Each check is a fact about the bill and a question the patient can ask. None of
them says a charge is wrong: billing offices often have good answers.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# A charge this many times Medicare's national price is worth a question.
HIGH_RATIO = 3


@dataclass(frozen=True)
class Finding:
    kind: str  # duplicate, ended, not_listed, quality_code_charged, high_charge, no_code
    code: str | None
    page: int
    line: int
    message: str
    question: str


def check(items, explained, prices=None, uncoded=()):
    """Findings for line items, their code explanations (by code) and Medicare prices (by code)."""
    prices = prices or {}
    findings = []
    findings += _duplicates(items)
    for item in items:
        code = explained.get(item.code)
        if code is None:
            continue
        findings += _status(item, code)
        findings += _quality_code_charged(item, code)
        findings += _high_charge(item, prices.get(item.code))
    findings += [_no_code(line) for line in uncoded]
    return tuple(findings)


def _duplicates(items):
    counts = Counter((item.code, item.date, item.modifiers) for item in items if item.date)
    findings = []
    for (code, when, modifiers), count in counts.items():
        if count < 2:
            continue
        first = next(i for i in items if (i.code, i.date, i.modifiers) == (code, when, modifiers))
        findings.append(
            Finding(
                "duplicate",
                code,
                first.page,
                first.line,
                f"{code} is billed {count} times on {when:%B %-d, %Y}. "
                "Sometimes that is right, for example two shots or two x-rays.",
                f"Did I get this service {count} times that day?",
            )
        )
    return findings


def _status(item, code):
    if code.status == "ended":
        return [
            Finding(
                "ended",
                item.code,
                item.page,
                item.line,
                code.status_sentence,
                "Why was a code used after it ended? Can you check the code for this service?",
            )
        ]
    if code.status == "not in the loaded CMS file":
        return [
            Finding(
                "not_listed",
                item.code,
                item.page,
                item.line,
                f"We could not find {item.code} in the official CMS list of codes.",
                "Can you check that this code is right?",
            )
        ]
    return []


def _quality_code_charged(item, code):
    if code.classification.category != "Category II" or not _amount(item.charge):
        return []
    return [
        Finding(
            "quality_code_charged",
            item.code,
            item.page,
            item.line,
            f"{item.code} is a quality-reporting code. These codes usually cost $0, "
            f"but this line shows ${item.charge}.",
            "Why is there a charge for a quality-reporting code?",
        )
    ]


def _high_charge(item, price):
    if item.revenue_code:
        # A hospital's line (it has a revenue code) bills the facility's costs too, and
        # Medicare's fee schedule price is only the doctor's part: no fair comparison.
        return []
    if price is not None and hasattr(price, "for_modifiers"):
        price = price.for_modifiers(item.modifiers)  # 26 and TC lines have their own prices
    charge = _amount(item.charge)
    reference = _reference(price)
    if not charge or not reference:
        return []
    units = item.units or 1
    ratio = charge / units / reference
    if ratio < HIGH_RATIO:
        return []
    return [
        Finding(
            "high_charge",
            item.code,
            item.page,
            item.line,
            f"The charge for {item.code} is about {ratio:.0f} times what Medicare pays for it nationally "
            f"(${reference} in {price.year}). Prices differ a lot between places and insurers, "
            "so this is not a sign that anything is wrong.",
            "Is there a lower cash price, a discount, or financial help I can ask for?",
        )
    ]


def _no_code(line):
    return Finding(
        "no_code",
        None,
        line.page,
        line.line,
        f"The line “{line.description}” (${line.charge}) has no code.",
        "What is the CPT or HCPCS code for this line?",
    )


def _reference(price):
    """Medicare's higher national amount (office or facility), the kinder comparison."""
    if price is None:
        return None
    amounts = [a for a in (price.non_facility_amount, price.facility_amount) if a]
    return max(amounts) if amounts else None


def _amount(text):
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None
