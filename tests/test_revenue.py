import pytest

from billexplain.coding.revenue import describe


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("0450", "Emergency room"),
        ("0250", "Pharmacy: drugs and medicines"),
        ("0301", "Laboratory tests"),
        ("0360", "Operating room"),
        ("0636", "Pharmacy: drugs that must be listed one by one"),
        ("0891", None),
        ("450", None),
        ("1450", None),
    ],
)
def test_it_names_the_hospital_department_of_a_revenue_code(code, meaning):
    assert describe(code) == meaning
