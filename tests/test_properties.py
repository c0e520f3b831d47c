"""Arbitrary text never breaks code finding, and nothing is found that is not in the text."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billexplain.bills.extraction import extract, lines_from_text
from billexplain.coding.classification import classify

# Text that looks like bills: digits, code letters, separators, words and line breaks.
billish = st.text(alphabet=st.sampled_from(list("0123456789ACDEGHJKLMPQRSTUVWXYZ-,:()$./# \n\tabcxyz")), max_size=400)
anything = st.text(max_size=300)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(billish, anything))
def test_extraction_never_raises_and_finds_only_what_the_text_holds(text):
    result = extract(lines_from_text(text))
    compact = re.sub(r"\s", "", text).upper()
    for item in result.items:
        assert item.code in compact
        assert classify(item.code).valid
        assert all(m in text for m in item.modifiers)
    for diagnosis in result.diagnoses:
        assert diagnosis.code.replace(".", "") in compact.replace(".", "")


@settings(max_examples=500, deadline=None)
@given(anything)
def test_classification_never_raises_on_any_string(text):
    result = classify(text)
    assert result.valid == (not result.problem)
