"""The arithmetic of `make accuracy` (tests/bench/accuracy.py), on hand-made inputs."""

import io
import json

import pytest
from reportlab.pdfgen import canvas

from tests.bench.accuracy import (
    DocScore,
    Found,
    degraded_renders,
    document_text,
    found_from_json,
    main,
    match_outputs,
    naive_codes,
    parse_jsonl,
    read_truth,
    score,
    totals,
)
from tests.pdfs import pdf_with_rows


def items(*specs):
    """`items("99213 25", "J2405")` -> [("99213", ("25",)), ("J2405", ())]."""
    return [(spec.split()[0], tuple(spec.split()[1:])) for spec in specs]


def test_each_code_counts_once_per_document_however_often_it_is_printed():
    doc = score(items("36415", "36415", "85025"), Found(frozenset({"36415", "12345"})))

    assert (doc.tp, doc.fp, doc.fn) == (1, 1, 1)
    assert doc.missed == ["85025"] and doc.false == ["12345"]


def test_a_code_reported_only_among_the_line_items_still_counts_as_found():
    found = found_from_json({"codes": [], "line_items": [{"code": "J2405", "modifiers": ["JW"], "page": 1}]})

    assert found.codes == {"J2405"}
    assert score(items("J2405 JW"), found).tp == 1


def test_codes_and_modifiers_are_compared_in_capitals_without_spaces():
    found = found_from_json({"codes": [{"code": " j2405 "}], "line_items": [{"code": "j2405", "modifiers": [" jw"]}]})

    assert found.items == (("J2405", ("JW",)),)


def test_line_items_match_as_a_multiset_of_code_and_modifiers_in_printed_order():
    truth = items("99213 25", "99213 25", "97140 GP 59", "J2405")
    found = Found(frozenset({"99213", "97140", "J2405"}), tuple(items("99213 25", "97140 59 GP", "J2405", "J2405")))

    doc = score(truth, found)

    assert (doc.items_matched, doc.items_expected) == (2, 4)
    assert doc.missed_items == items("97140 GP 59", "99213 25")


def test_precision_recall_and_f1_are_summed_over_documents_not_averaged():
    first = DocScore("a.pdf", "eob", tp=2, fp=1, fn=0)
    second = DocScore("b.txt", "eob", tp=1, fp=0, fn=1)

    both = totals([first, second])

    assert (both.precision, both.recall, both.f1) == (0.75, 0.75, 0.75)


def test_ratios_are_undefined_when_there_is_nothing_to_divide():
    empty = totals([score([], Found())])

    assert (empty.precision, empty.recall, empty.f1, empty.item_recall) == (None, None, None, None)


def test_f1_is_zero_when_nothing_found_is_right():
    doc = score(items("99213"), Found(frozenset({"12345"})))

    assert totals([doc]).f1 == 0.0


def test_a_document_without_codes_is_flagged_when_anything_is_found_on_it():
    clean = score([], Found(), "letter.txt")
    flagged = score([], Found(frozenset({"99283"})), "summary.pdf")
    billed = score(items("99213"), Found(frozenset({"99213"})), "visit.txt")

    result = totals([clean, flagged, billed])

    assert (result.empty_flagged, result.empty_docs) == (1, 2)
    assert result.fp == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/14/25 99213-25 OFFICE VISIT", {"99213"}),
        ("HC:66982 CATARACT", {"66982"}),
        ("0450 070486 CT MAXILLOFACIAL", set()),
        ("80053COMP METABOLIC", set()),
        ("Springfield IL 62704-1234", {"62704"}),
        ("J2405:JW ONDANSETRON", {"J2405"}),
        ("Dx Z0000 W1234", set()),
        ("NPI 1234567890 NDC 00409-4888-02", {"00409"}),
    ],
)
def test_the_naive_baseline_reads_five_character_whole_words_only(text, expected):
    assert naive_codes(text) == expected


def test_the_naive_baseline_reads_nothing_of_a_pdf_locked_with_a_password(tmp_path):
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, encrypt="secret")
    sheet.drawString(72, 720, "03/14/2025 99213 Office visit $150.00")
    sheet.save()
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(buffer.getvalue())
    assert document_text(locked) == ""


def test_truth_rows_keep_their_modifiers_in_printed_order():
    rows = [
        {"file": "a.pdf", "code": "97140", "kind": "cpt", "modifiers": "GP|59", "page": "2", "note": ""},
        {"file": "a.pdf", "code": "j2405", "kind": "hcpcs2", "modifiers": "", "page": "1", "note": ""},
    ]

    assert read_truth(rows) == {"a.pdf": items("97140 GP 59", "J2405")}


def test_explain_output_is_paired_with_documents_by_path_or_file_name():
    objects = [{"file": "bill.pdf", "codes": []}, {"file": "tests/data/bills/visit.txt", "codes": []}]

    paired = match_outputs(objects, ["visit.txt", "bill.pdf", "lost.txt"], ["x/visit.txt", "x/bill.pdf", "x/lost.txt"])

    assert paired == {"visit.txt": objects[1], "bill.pdf": objects[0]}


def test_lines_that_are_not_json_objects_are_set_aside():
    objects, bad = parse_jsonl('{"file": "a.txt"}\n\nTraceback (most recent call last):\n[1, 2]\n')

    assert objects == [{"file": "a.txt"}]
    assert bad == ["Traceback (most recent call last):", "[1, 2]"]


def test_it_scores_a_corpus_from_a_json_lines_file_without_running_explain(tmp_path, capsys):
    corpus = tmp_path / "bills"
    corpus.mkdir()
    (corpus / "visit.txt").write_text("03/14/25 99213-25 Office visit 150.00\nSpringfield IL 62704\n")
    (corpus / "letter.txt").write_text("Your claim 55012 was received.\n")
    (corpus / "truth.csv").write_text("file,code,kind,modifiers,page,note\nvisit.txt,99213,cpt,25,1,\n")
    (corpus / "families.csv").write_text("file,family\nvisit.txt,professional\nletter.txt,letter\n")
    output = tmp_path / "explain.jsonl"
    lines = [
        {"file": "visit.txt", "codes": [{"code": "99213"}], "line_items": [{"code": "99213", "modifiers": ["25"]}]},
        {"file": "letter.txt", "codes": [], "line_items": []},
    ]
    output.write_text("".join(json.dumps(line) + "\n" for line in lines))

    status = main(["--corpus", "own", "--own-dir", str(corpus), "--from-jsonl", str(output)])

    printed = capsys.readouterr().out
    assert status == 0
    [overall] = [line for line in printed.splitlines() if line.startswith("overall")]
    expected = "overall 2 1 | 1.000 1.000 1.000 1/1 1.000 0/1 | 0.333 1.000 0.500 1/1"
    assert overall.split() == expected.split()


def test_the_degraded_corpus_scans_each_pdf_whole_and_photographs_each_page_with_that_pages_codes(tmp_path):
    own, renders = tmp_path / "own", tmp_path / "renders"
    own.mkdir()
    renders.mkdir()
    (own / "two_pages.pdf").write_bytes(pdf_with_rows([("03/14/2025", "99213", "Office visit", "$150.00")], pages=2))
    (own / "notes.txt").write_text("99213 pasted text is not rendered", encoding="utf-8")
    (own / "truth.csv").write_text(
        "file,code,kind,modifiers,page,note\n"
        "two_pages.pdf,99213,cpt,25,1,\n"
        "two_pages.pdf,J1100,hcpcs2,,2,\n"
        "notes.txt,99213,cpt,,1,\n",
        encoding="utf-8",
    )

    corpus = degraded_renders(own, renders)

    groups = {document.name: document.group for document in corpus.documents}
    assert groups == {
        "two_pages.96dpi.pdf": "96 dpi scan",
        "two_pages.askew.pdf": "150 dpi askew",
        "two_pages.p1.jpg": "phone photo",
        "two_pages.p2.jpg": "phone photo",
    }
    assert corpus.truth["two_pages.96dpi.pdf"] == [("99213", ("25",)), ("J1100", ())]
    assert corpus.truth["two_pages.p1.jpg"] == [("99213", ("25",))]
    assert corpus.truth["two_pages.p2.jpg"] == [("J1100", ())]
    assert all(document.path.stat().st_size > 1000 for document in corpus.documents)
