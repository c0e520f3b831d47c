"""Things worth checking on a bill, said kindly. Pure Python, no Django.

Each check is a fact about the bill and a question the patient can ask. None of
them says a charge is wrong: billing offices often have good answers. The words are
English `Sentence`s, said in the patient's language where the page is made.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from billexplain.wording import Sentence, gettext_noop

# A charge this many times Medicare's national price is worth a question.
HIGH_RATIO = 3


@dataclass(frozen=True)
class Finding:
    kind: str  # duplicate, ended, not_listed, quality_code_charged, high_charge, no_code
    code: str | None
    page: int
    line: int
    message: str  # a wording.Sentence, or a sentence already in the patient's language
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
    counts, firsts = Counter(), {}
    for item in items:
        if item.date:
            same = (item.code, item.date, item.modifiers)
            counts[same] += 1
            firsts.setdefault(same, item)
    findings = []
    for (code, when, modifiers), count in counts.items():
        if count < 2:
            continue
        first = firsts[code, when, modifiers]
        findings.append(
            Finding(
                "duplicate",
                code,
                first.page,
                first.line,
                Sentence(
                    gettext_noop(
                        "%(code)s is billed %(count)s times on %(date)s. "
                        "Sometimes that is right, for example two shots or two x-rays."
                    ),
                    code=code,
                    count=count,
                    date=when,
                ),
                Sentence(gettext_noop("Did I get this service %(count)s times that day?"), count=count),
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
                gettext_noop("Why was a code used after it ended? Can you check the code for this service?"),
            )
        ]
    if code.status == "not in the loaded CMS file":
        return [
            Finding(
                "not_listed",
                item.code,
                item.page,
                item.line,
                Sentence(gettext_noop("We could not find %(code)s in the official CMS list of codes."), code=item.code),
                gettext_noop("Can you check that this code is right?"),
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
            Sentence(
                gettext_noop(
                    "%(code)s is a quality-reporting code. These codes usually cost $0, "
                    "but this line shows $%(charge)s."
                ),
                code=item.code,
                charge=item.charge,
            ),
            gettext_noop("Why is there a charge for a quality-reporting code?"),
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
            Sentence(
                gettext_noop(
                    "The charge for %(code)s is about %(ratio)s times what Medicare pays for it nationally "
                    "($%(price)s in %(year)s). Prices differ a lot between places and insurers, "
                    "so this is not a sign that anything is wrong."
                ),
                code=item.code,
                ratio=f"{ratio:.0f}",
                price=reference,
                year=price.year,
            ),
            gettext_noop("Is there a lower cash price, a discount, or financial help I can ask for?"),
        )
    ]


def _no_code(line):
    return Finding(
        "no_code",
        None,
        line.page,
        line.line,
        Sentence(
            gettext_noop("The line “%(description)s” ($%(charge)s) has no code."),
            description=line.description,
            charge=line.charge,
        ),
        gettext_noop("What is the CPT or HCPCS code for this line?"),
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
