import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billexplain.bills.openapi import EXPLANATION
from tests.pdfs import pdf_with_rows

pytestmark = pytest.mark.usefixtures("content")


def run_json(*paths, capsys):
    call_command("explain", "--json", *[str(p) for p in paths])
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_it_prints_one_json_object_per_file_in_the_documented_shape(tmp_path, capsys):
    text = tmp_path / "visit.txt"
    text.write_text("03/14/2025 99213-25 Office visit $150.00\nDx: E11.65\n")
    pdf = tmp_path / "er.pdf"
    pdf.write_bytes(pdf_with_rows([("03/14/2025", "J1100", "Dexamethasone injection", "$12.50")]))
    first, second = run_json(text, pdf, capsys=capsys)

    assert set(first) == set(EXPLANATION["properties"])  # exactly the object /api/schema documents
    assert first["file"] == "visit.txt" and first["source"] == {"kind": "text", "pages": 1}
    [code] = first["codes"]
    assert {
        k: code[k] for k in ("code", "code_set", "hcpcs_level", "category", "section", "description", "status")
    } == {
        "code": "99213",
        "code_set": "CPT",
        "hcpcs_level": 1,
        "category": "Category I",
        "section": "Doctor visits (evaluation and management)",
        "description": None,
        "status": "active",
    }
    assert code["explanation"]
    [item] = first["line_items"]
    assert {k: item[k] for k in ("code", "modifiers", "page", "date", "description", "units", "charge")} == {
        "code": "99213",
        "modifiers": ["25"],
        "page": 1,
        "date": "2025-03-14",
        "description": "Office visit",
        "units": None,
        "charge": "150.00",
    }
    assert first["diagnosis_codes"] == [
        {"code": "E11.65", "description": "Type 2 diabetes mellitus with hyperglycemia"}
    ]

    assert second["file"] == "er.pdf" and second["source"] == {"kind": "pdf", "pages": 1}
    assert [c["code"] for c in second["codes"]] == ["J1100"]
    assert second["codes"][0]["code_set"] == "HCPCS" and second["codes"][0]["hcpcs_level"] == 2


def test_a_file_it_cannot_read_gets_a_warning_line_not_a_crash(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("03/14/2025 99213 Office visit $150.00")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    good_result, bad_result = run_json(good, bad, capsys=capsys)
    assert good_result["codes"]
    assert bad_result["codes"] == [] and "could not read" in bad_result["warnings"][0]["message"]


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("explain", str(tmp_path / "nope.pdf"))
