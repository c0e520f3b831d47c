import pytest

from billexplain.coding import diagnoses


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
        ("E1165", "Type 2 diabetes mellitus with hyperglycemia"),
        ("J45.20", "Mild intermittent asthma, uncomplicated"),
        ("I10", "Essential (primary) hypertension"),
        ("S72.001A", "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"),
        ("S2241XA", "Multiple fractures of ribs, right side, initial encounter for closed fracture"),
        ("Z99.99", None),
        ("E11", "Type 2 diabetes mellitus"),
    ],
)
def test_it_gives_the_official_description_of_a_diagnosis_code(code, description):
    assert diagnoses.describe(code) == description


def test_later_processes_read_the_small_index_instead_of_the_package_xml(settings, tmp_path, monkeypatch):
    settings.ICD_INDEX_PATH = tmp_path / "index.tsv"
    diagnoses._index.cache_clear()
    assert diagnoses.describe("I10")
    assert settings.ICD_INDEX_PATH.exists()
    diagnoses._index.cache_clear()
    monkeypatch.setattr(diagnoses, "_parse", lambda source: pytest.fail("the XML was parsed again"))
    assert diagnoses.describe("I10") == "Essential (primary) hypertension"
    diagnoses._index.cache_clear()
