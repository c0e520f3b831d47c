"""The CMS HCPCS import: both file forms, the release zip, the database rules, the command."""

import contextlib
import io
import re
import textwrap
import threading
import time
import zipfile
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from billexplain.coding import importers
from billexplain.coding.importers import (
    Counts,
    HcpcsFileError,
    HcpcsRecord,
    ModifierRecord,
    apply_release,
    parse_hcpcs_file,
)
from billexplain.coding.models import HcpcsCode, Modifier

ROOT = Path(__file__).resolve().parent.parent
HCPCS_DATA = ROOT.parent / "shared" / "data" / "hcpcs"
REAL_XLSX = HCPCS_DATA / "HCPC2025_OCT_ANWEB.xlsx"
REAL_TXT = HCPCS_DATA / "format-sample-2019" / "HCPC2019_CONTR_ANWEB.txt"

# --- A small release, written by the tests in every form CMS publishes ------

WOUND_CARE = (
    "Wound care supply, specialty absorptive dressing, wound cover, sterile, pad size more than 16 sq. in. "
    "but less than or equal to 48 sq. in., with any size adhesive border, each dressing"
)
LT_TEXT = "Left side (used to identify procedures performed on the left side of the body)"

OCT_2025 = {
    "codes": [
        HcpcsRecord(
            "A4648",
            "Tissue marker, implantable, any type, each",
            "Implantable tissue marker",
            added_on=date(2008, 1, 1),
            effective_on=date(2008, 1, 1),
            action_code="N",
            coverage_code="C",
            betos="I1E",
        ),
        HcpcsRecord(
            "A6204",
            WOUND_CARE,
            "Spec absorpt drg >16<=48 w/b",
            added_on=date(1996, 1, 1),
            effective_on=date(2025, 10, 1),
            action_code="C",
            coverage_code="C",
            betos="D1A",
        ),
        HcpcsRecord(
            "G9631",
            "Patient sustained ureter injury at the time of surgery or discovered subsequently up to 30 days "
            "post-surgery",
            "Pt ui srg 30 day pst srg",
            added_on=date(2016, 1, 1),
            effective_on=date(2023, 1, 1),
            ended_on=date(2022, 12, 31),
            action_code="N",
            coverage_code="C",
            betos="Z2",
        ),
    ],
    "modifiers": [
        ModifierRecord(
            "JW",
            "Drug amount discarded/not administered to any patient",
            "Discarded drug not administe",
            added_on=date(2003, 1, 1),
            effective_on=date(2003, 1, 1),
            action_code="N",
        ),
        ModifierRecord(
            "LT", LT_TEXT, "Left side", added_on=date(1984, 1, 1), effective_on=date(1997, 1, 1), action_code="N"
        ),
    ],
}

XLSX_HEADER = (
    ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION"]
    + [f"PRICE{i}" for i in range(1, 5)]
    + ["MULT_PI", "CIM1", "CIM2", "CIM3", "MCM1", "MCM2", "MCM3", "STATUTE"]
    + [f"LABCERT{i}" for i in range(1, 9)]
    + [f"XREF{i}" for i in range(1, 6)]
    + ["COV", "ASC_GRP", "ASC_DT", "OPPS", "OPPS_PI", "OPPS_DT", "PROCNOTE", "BETOS"]
    + [f"TOS{i}" for i in range(1, 6)]
    + ["ANEST_BU", "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD"]
)


def ymd(day):
    return day.strftime("%Y%m%d") if day else ""


def xlsx_bytes(release=OCT_2025, *, disclaimer_rows=0, integer_dates=False, sheet="HCPC2025_OCT_ANWEB"):
    """A workbook shaped like CMS's: text cells, modifiers as '   LT', optional rows above the header."""
    book = Workbook()
    page = book.active
    page.title = sheet
    for number in range(disclaimer_rows):
        page.append(["***Disclaimers" if number == 0 else f"*disclaimer line {number}"])
    page.append(XLSX_HEADER)
    records = [("3", r) for r in release["codes"]] + [("7", r) for r in release["modifiers"]]
    for record_id, record in records:
        row = dict.fromkeys(XLSX_HEADER, "")
        row.update(
            {
                "HCPC": record.code if record_id == "3" else "   " + record.code,
                "SEQNUM": "0010",
                "RECID": record_id,
                "LONG DESCRIPTION": record.long_description,
                "SHORT DESCRIPTION": record.short_description,
                "COV": getattr(record, "coverage_code", ""),
                "BETOS": getattr(record, "betos", ""),
                "ADD DT": ymd(record.added_on),
                "ACT EFF DT": ymd(record.effective_on),
                "TERM DT": ymd(record.ended_on),
                "ACTION CD": record.action_code,
            }
        )
        if integer_dates:
            # CMS's workbook has a few date cells stored as numbers, and empty ones as no cell at all.
            row.update({key: int(row[key]) if row[key] else None for key in ("ADD DT", "ACT EFF DT", "TERM DT")})
        page.append([row[key] for key in XLSX_HEADER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fixed_width(fields):
    """One TXT record line from {(first, last): text}, 1-based inclusive columns like the CMS layout."""
    line = [" "] * 320
    for (first, last), text in fields.items():
        assert len(text) <= last - first + 1, (first, last, text)
        line[first - 1 : first - 1 + len(text)] = text
    return "".join(line)


def txt_lines(record, record_id):
    """A record's first line and its continuation lines (RIC 4 or 8), word-wrapped at 80 like CMS."""
    code = record.code.rjust(5)
    pieces = textwrap.wrap(record.long_description, 80) or [""]
    first = fixed_width(
        {
            (1, 5): code,
            (6, 10): "00100",
            (11, 11): record_id,
            (12, 91): pieces[0],
            (92, 119): record.short_description,
            (230, 230): getattr(record, "coverage_code", ""),
            (257, 259): getattr(record, "betos", ""),
            (269, 276): ymd(record.added_on),
            (277, 284): ymd(record.effective_on),
            (285, 292): ymd(record.ended_on),
            (293, 293): record.action_code,
        }
    )
    more = str(int(record_id) + 1)
    rest = [
        fixed_width({(1, 5): code, (6, 10): f"{n * 100:05d}", (11, 11): more, (12, 91): piece})
        for n, piece in enumerate(pieces[1:], start=2)
    ]
    return [first, *rest]


TXT_DISCLAIMER = [
    "***Disclaimers" + "\t" * 45,
    "\t" * 45,
    "*Inclusion or exclusion of a procedure, supply, product, or service does not imply any health insurance "
    "coverage or reimbursement policy.\xa0" + "\t" * 45,
    "",
    "",
]


def txt_bytes(release=OCT_2025, *, trim=False):
    lines = [line for record in release["codes"] for line in txt_lines(record, "3")]
    lines += [line for record in release["modifiers"] for line in txt_lines(record, "7")]
    if trim:
        # Newer files trim the trailing filler: first lines end at column 293.
        lines = [line.rstrip() for line in lines]
    return "\r\n".join(TXT_DISCLAIMER + lines + [""]).encode("cp1252")


def zip_bytes(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def release_zip(data_name, data):
    """A zip laid out like CMS's: the data file among the readme and record layout."""
    return zip_bytes(
        {
            "HCPC2025_OCT_README.txt": b"This file contains no CPT codes.\r\n",
            "HCPC2025_OCT_Recordlayout.txt": b"CMS RIF REPORT\r\n",
            data_name: data,
        }
    )


def with_codes(*changes, drop=(), release=OCT_2025):
    """A copy of a release with some codes replaced (by code) and some dropped."""
    replaced = {record.code: record for record in changes}
    codes = [replaced.pop(r.code, r) for r in release["codes"] if r.code not in drop]
    return {"codes": codes + list(replaced.values()), "modifiers": release["modifiers"]}


# --- Parsing -----------------------------------------------------------------

FORMS = {
    "xlsx": lambda: (xlsx_bytes(), "HCPC2025_OCT_ANWEB.xlsx"),
    "xlsx with disclaimer rows and number-typed dates": lambda: (
        xlsx_bytes(disclaimer_rows=9, integer_dates=True),
        "HCPC2025_OCT_ANWEB.xlsx",
    ),
    "txt": lambda: (txt_bytes(), "HCPC2025_OCT_ANWEB.txt"),
    "txt with trimmed filler": lambda: (txt_bytes(trim=True), "HCPC2025_OCT_ANWEB.txt"),
    "zip holding the txt": lambda: (
        release_zip("HCPC2025_OCT_ANWEB.txt", txt_bytes()),
        "october-2025-alpha-numeric-hcpcs-file.zip",
    ),
    "zip holding the xlsx": lambda: (
        release_zip("HCPC2025_OCT_ANWEB.xlsx", xlsx_bytes()),
        "october-2025-alpha-numeric-hcpcs-file.zip",
    ),
}


@pytest.mark.parametrize("form", FORMS)
def test_every_published_form_reads_to_the_same_records(form):
    data, name = FORMS[form]()

    release = parse_hcpcs_file(data, name)

    assert release.codes == tuple(OCT_2025["codes"])
    assert release.modifiers == tuple(OCT_2025["modifiers"])
    assert release.name == "HCPC2025_OCT_ANWEB"
    assert release.effective_on == date(2025, 10, 1)


def test_continuation_lines_rebuild_the_long_description_in_sequence_order_with_single_spaces():
    first, *rest = txt_lines(OCT_2025["codes"][1], "3")
    assert len(rest) == 2
    # CMS sometimes starts a continuation piece with a blank; the order on disk may not be the sequence order.
    rest[0] = rest[0][:11] + " " + rest[0][11:90] + rest[0][91:]
    data = "\r\n".join([first, rest[1], rest[0]]).encode("cp1252")

    (record,) = parse_hcpcs_file(data, "HCPC2025_OCT_ANWEB.txt").codes

    assert record.long_description == WOUND_CARE
    assert record.short_description == "Spec absorpt drg >16<=48 w/b"


def test_modifier_continuation_lines_are_joined_too():
    long_modifier = ModifierRecord(
        "AT",
        "Acute treatment (this modifier should be used when reporting service 98940, 98941, 98942)",
        "Acute treatment",
    )
    lines = txt_lines(long_modifier, "7")
    assert [line[10] for line in lines] == ["7", "8"]

    release = parse_hcpcs_file("\r\n".join(lines).encode(), "x.txt")

    assert release.modifiers == (long_modifier,)
    assert release.codes == ()


def test_the_txt_is_read_as_windows_1252_and_skips_disclaimer_lines():
    accented = HcpcsRecord("J9999", "Drug for the patient’s use – per 1 mg")  # bytes 0x92 and 0x96 on disk
    data = txt_bytes({"codes": [accented], "modifiers": []})

    release = parse_hcpcs_file(data, "HCPC2025_OCT_ANWEB.txt")

    assert release.codes[0].long_description == "Drug for the patient’s use – per 1 mg"
    assert release.skipped_lines == 2  # the two disclaimer lines with words on them


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (lambda: xlsx_bytes(), "HCPC2025_OCT_ANWEB.xlsx", "HCPC2025_OCT_ANWEB"),
        (lambda: xlsx_bytes(sheet="HCPC2025_OCT_ANWEB"), "upload.xlsx", "HCPC2025_OCT_ANWEB"),
        (lambda: txt_bytes(), "HCPC2026_JAN_ANWEB_01122026.txt", "HCPC2026_JAN_ANWEB_01122026"),
        (lambda: txt_bytes(), "codes.txt", "codes"),
        (lambda: release_zip("HCPC2025_OCT_ANWEB_v2.txt", txt_bytes()), "october.zip", "HCPC2025_OCT_ANWEB_v2"),
    ],
    ids=["xlsx file name", "xlsx sheet name", "txt with a date stamp", "txt without ANWEB", "zip member name"],
)
def test_the_release_is_named_after_the_file_or_the_zip_member(data, name, expected):
    assert parse_hcpcs_file(data(), name).name == expected


def test_notes_below_the_workbook_data_and_a_bom_before_the_txt_are_passed_over():
    book = Workbook()
    book.active.append(XLSX_HEADER)
    book.active.append(["A4648", "0010", "3", "Tissue marker, implantable, any type, each"])
    book.active.append([])
    book.active.append(["*End of file"])
    out = io.BytesIO()
    book.save(out)

    workbook = parse_hcpcs_file(out.getvalue(), "HCPC2025_OCT_ANWEB.xlsx")
    text = parse_hcpcs_file(b"\xef\xbb\xbf" + txt_bytes().split(b"\r\n", len(TXT_DISCLAIMER))[-1], "x.txt")

    assert [record.code for record in workbook.codes] == ["A4648"]
    assert workbook.skipped_lines == 1
    assert [record.code for record in text.codes] == ["A4648", "A6204", "G9631"]


def test_the_format_comes_from_the_bytes_not_the_file_name():
    assert parse_hcpcs_file(xlsx_bytes(), "HCPC2025_OCT_ANWEB.txt").source_format == "xlsx"
    assert parse_hcpcs_file(txt_bytes(), "HCPC2025_OCT_ANWEB.xlsx").source_format == "txt"
    assert parse_hcpcs_file(release_zip("HCPC2025_OCT_ANWEB.xlsx", xlsx_bytes()), "a.txt").source_format == "zip/xlsx"


def test_a_zip_with_both_forms_is_read_from_its_txt():
    data = zip_bytes(
        {
            "HCPC2025_OCT_ANWEB.xlsx": xlsx_bytes(),
            "HCPC2025_OCT_ANWEB_Transaction Report.xlsx": b"not the data",
            "HCPC2025_OCT_ANWEB.txt": txt_bytes(),
        }
    )

    assert parse_hcpcs_file(data, "october.zip").source_format == "zip/txt"


def test_a_release_without_a_quarter_in_its_name_takes_effect_on_its_latest_action_date():
    release = parse_hcpcs_file(txt_bytes(), "HCPC2019_CONTR_ANWEB.txt")

    assert release.effective_on == date(2025, 10, 1)


BAD_FILES = {
    "empty": (b"", "is empty"),
    "random bytes": (bytes(range(256)) * 8, "no HCPCS records"),
    "a pdf": (b"%PDF-1.7\n1 0 obj << >> endobj\n", "no HCPCS records"),
    "an old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ".xls"),
    "a broken zip": (b"PK\x03\x04" + b"\x00" * 100, "not a readable zip"),
    "a zip without a data file": (zip_bytes({"README.txt": b"hello"}), "no HCPCS data file"),
    "a workbook without the header": (None, "no sheet has a HCPCS header row"),
    "a txt with a bad date": (
        fixed_width({(1, 5): "A4648", (6, 10): "00100", (11, 11): "3", (12, 20): "Marker", (269, 276): "20251340"}),
        "'20251340' is not a date",
    ),
    "a continuation line without its first line": (
        fixed_width({(1, 5): "A4648", (6, 10): "00200", (11, 11): "4", (12, 20): "Marker"}),
        "has no first line",
    ),
    "a code twice": (
        "\r\n".join([fixed_width({(1, 5): "A4648", (6, 10): "00100", (11, 11): "3", (12, 20): "Marker"})] * 2),
        "appears twice",
    ),
}


def workbook_without_header():
    book = Workbook()
    book.active.append(["Code", "Description"])
    book.active.append(["A4648", "Tissue marker"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_file_that_is_not_a_hcpcs_release_gets_a_clear_message(case):
    data, message = BAD_FILES[case]
    data = workbook_without_header() if data is None else data
    data = data.encode() if isinstance(data, str) else data

    with pytest.raises(HcpcsFileError, match=re.escape(message)):
        parse_hcpcs_file(data, "HCPC2025_OCT_ANWEB.txt")


def test_a_zip_that_unpacks_past_the_limit_is_refused(monkeypatch):
    bomb = zip_bytes({"HCPC2025_OCT_ANWEB.txt": b" " * 200_000})
    assert len(bomb) < 2_000
    monkeypatch.setattr(importers, "MAX_UNCOMPRESSED_BYTES", 100_000)

    with pytest.raises(HcpcsFileError, match="limit"):
        parse_hcpcs_file(bomb, "october.zip")


# --- The database ------------------------------------------------------------


@pytest.fixture
def before_any_import(db):
    """A database with no CMS rows and no modifiers: the shipped fixtures hold staff-written
    modifiers, and each test here sets up the ones it needs."""
    Modifier.objects.all().delete()
    Modifier.history.all().delete()
    HcpcsCode.objects.all().delete()


fresh = pytest.mark.usefixtures("before_any_import")


def import_release(release=OCT_2025, *, name="HCPC2025_OCT_ANWEB.txt", today=None):
    return apply_release(parse_hcpcs_file(txt_bytes(release), name), today=today)


@fresh
def test_a_first_import_adds_every_code_and_modifier():
    result = import_release()

    assert result.codes == Counts(added=3)
    assert result.modifiers == Counts(added=2)
    marker = HcpcsCode.objects.get(code="A4648")
    assert (marker.long_description, marker.betos, marker.release) == (
        "Tissue marker, implantable, any type, each",
        "I1E",
        "HCPC2025_OCT_ANWEB",
    )
    assert HcpcsCode.objects.get(code="G9631").ended_on == date(2022, 12, 31)
    left = Modifier.objects.get(code="LT")
    assert (left.code_set, left.official_description, left.plain_language) == ("HCPCS2", LT_TEXT, "")


@fresh
def test_importing_the_same_file_twice_changes_nothing_the_second_time(django_assert_max_num_queries):
    import_release()

    with django_assert_max_num_queries(6):  # reads and savepoints only: no row is written
        result = import_release()

    assert result.codes == Counts(unchanged=3)
    assert result.modifiers == Counts(unchanged=2)


@fresh
def test_a_new_release_counts_what_was_added_changed_and_ended():
    import_release()
    january = with_codes(
        HcpcsRecord(
            "A4648",
            "Tissue marker, implantable, any type, each",
            "Implantable tissue marker",
            added_on=date(2008, 1, 1),
            effective_on=date(2026, 1, 1),
            ended_on=date(2025, 12, 31),
            action_code="D",
            coverage_code="C",
            betos="I1E",
        ),
        HcpcsRecord(
            "A2040",
            "Skin substitute, new product, per sq cm",
            "Skin sub new",
            added_on=date(2026, 1, 1),
            effective_on=date(2026, 1, 1),
            action_code="A",
        ),
        drop=["A6204"],
    )

    result = import_release(january, name="HCPC2026_JAN_ANWEB.txt")

    assert result.codes == Counts(added=1, ended=2, unchanged=1)
    assert HcpcsCode.objects.get(code="A4648").ended_on == date(2025, 12, 31)
    assert HcpcsCode.objects.get(code="G9631").release == "HCPC2026_JAN_ANWEB"
    assert import_release(january, name="HCPC2026_JAN_ANWEB.txt").codes == Counts(unchanged=4)


@fresh
def test_a_code_that_leaves_the_file_is_kept_and_ended_the_day_before_the_new_release():
    import_release()

    import_release(with_codes(drop=["A6204"]), name="HCPC2026_JAN_ANWEB.txt")

    gone = HcpcsCode.objects.get(code="A6204")
    assert gone.ended_on == date(2025, 12, 31)
    assert gone.long_description == WOUND_CARE
    assert gone.release == "HCPC2025_OCT_ANWEB"


@fresh
def test_a_code_that_leaves_a_file_of_unknown_date_is_ended_today():
    import_release()
    undated = {"codes": [HcpcsRecord("A4648", "Tissue marker, implantable, any type, each")], "modifiers": []}

    result = import_release(undated, name="codes.txt", today=date(2026, 2, 3))

    assert result.codes == Counts(changed=1, ended=1, unchanged=1)
    assert HcpcsCode.objects.get(code="A6204").ended_on == date(2026, 2, 3)
    assert HcpcsCode.objects.get(code="G9631").ended_on == date(2022, 12, 31)


@fresh
def test_an_ended_code_that_comes_back_is_active_again():
    import_release()
    import_release(with_codes(drop=["A6204"]), name="HCPC2026_JAN_ANWEB.txt")

    result = import_release(name="HCPC2026_APR_ANWEB.txt")

    assert result.codes == Counts(changed=1, unchanged=2)
    assert HcpcsCode.objects.get(code="A6204").ended_on is None


@fresh
def test_an_older_release_is_refused_and_changes_nothing():
    january = with_codes(
        HcpcsRecord("A2040", "Skin substitute, new product, per sq cm", added_on=date(2026, 1, 1), action_code="A")
    )
    import_release(january, name="HCPC2026_JAN_ANWEB.txt")

    with pytest.raises(HcpcsFileError, match="takes effect on 2025-10-01, but codes CMS added on 2026-01-01"):
        import_release(name="HCPC2025_OCT_ANWEB.txt")
    assert HcpcsCode.objects.get(code="A2040").ended_on is None
    assert set(HcpcsCode.objects.values_list("release", flat=True)) == {"HCPC2026_JAN_ANWEB"}


@fresh
def test_staff_words_on_modifiers_are_never_touched():
    Modifier.objects.create(code="LT", code_set="HCPCS2", plain_language="Done on the left side of your body.")
    Modifier.objects.create(code="25", code_set="CPT", plain_language="A separate visit on the same day.")
    Modifier.objects.create(code="ZZ", code_set="HCPCS2", plain_language="Typed by staff, not from a CMS file.")

    first = import_release()
    again = import_release(with_codes(), name="HCPC2026_JAN_ANWEB.txt")

    assert first.modifiers == Counts(added=1, changed=1)
    assert again.modifiers == Counts(unchanged=2)
    left = Modifier.objects.get(code="LT")
    assert left.plain_language == "Done on the left side of your body."
    assert (left.official_description, left.release) == (LT_TEXT, "HCPC2026_JAN_ANWEB")
    assert Modifier.objects.get(code="25").official_description == ""
    assert Modifier.objects.get(code="ZZ").ended_on is None
    assert Modifier.objects.get(code="JW").plain_language == ""


@fresh
def test_a_modifier_that_leaves_the_file_is_kept_and_ended():
    import_release()
    only_jw = {"codes": OCT_2025["codes"], "modifiers": OCT_2025["modifiers"][:1]}

    result = import_release(only_jw, name="HCPC2026_JAN_ANWEB.txt")

    assert result.modifiers == Counts(ended=1, unchanged=1)
    assert Modifier.objects.get(code="LT").ended_on == date(2025, 12, 31)


@fresh
def test_a_file_without_modifiers_or_without_codes_leaves_the_other_kind_alone():
    import_release()

    codes_only = import_release({"codes": OCT_2025["codes"], "modifiers": []}, name="HCPC2026_JAN_ANWEB.txt")
    modifiers_only = import_release({"codes": [], "modifiers": OCT_2025["modifiers"]}, name="HCPC2026_JAN_ANWEB.txt")

    assert codes_only.modifiers == Counts()
    assert modifiers_only.codes == Counts()
    assert not Modifier.objects.filter(ended_on__isnull=False).exists()
    assert list(HcpcsCode.objects.filter(ended_on__isnull=False).values_list("code", flat=True)) == ["G9631"]


@fresh
def test_import_edits_to_modifiers_show_in_their_history():
    import_release()

    record = Modifier.objects.get(code="LT").history.get()

    assert record.history_change_reason == "import_hcpcs HCPC2025_OCT_ANWEB"


# --- The command -------------------------------------------------------------


def run_command(source):
    out = io.StringIO()
    call_command("import_hcpcs", str(source), stdout=out)
    return out.getvalue()


@fresh
def test_the_command_imports_a_path_and_prints_the_counts_on_one_line(tmp_path):
    path = tmp_path / "october-2025-alpha-numeric-hcpcs-file.zip"
    path.write_bytes(release_zip("HCPC2025_OCT_ANWEB.xlsx", xlsx_bytes()))

    output = run_command(path)

    assert output == (
        "HCPC2025_OCT_ANWEB: codes 3 added, 0 changed, 0 ended, 0 unchanged; "
        "modifiers 2 added, 0 changed, 0 ended, 0 unchanged\n"
    )


@fresh
@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7 not a code file", "no HCPCS records"),
        (b"PK\x03\x04garbage", "not a readable zip"),
    ],
    ids=["a pdf", "a broken zip"],
)
def test_the_command_turns_bad_bytes_into_a_command_error(tmp_path, data, message):
    path = tmp_path / "HCPC2025_OCT_ANWEB.txt"
    path.write_bytes(data)

    with pytest.raises(CommandError, match=message):
        run_command(path)
    assert not HcpcsCode.objects.exists()


@fresh
def test_the_command_says_when_the_path_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_command(tmp_path / "missing.xlsx")


class Files(BaseHTTPRequestHandler):
    """Serves the tests' files; /stream/... sends no Content-Length, so only counting the bytes can stop it."""

    files: dict = {}

    def do_GET(self):
        streamed = self.path.startswith("/stream/")
        data = self.files.get(self.path.removeprefix("/stream"))
        if data is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        if not streamed:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # The importer hangs up on a file over its limit, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def cms_website():
    """A local stand-in for cms.gov on 127.0.0.1 and a free port."""
    Files.files = {
        "/files/zip/october-2025-alpha-numeric-hcpcs-file.zip": release_zip("HCPC2025_OCT_ANWEB.txt", txt_bytes()),
        "/files/huge.zip": bytes(300_000),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@fresh
def test_the_command_downloads_a_url(cms_website):
    output = run_command(f"{cms_website}/files/zip/october-2025-alpha-numeric-hcpcs-file.zip")

    assert output.startswith("HCPC2025_OCT_ANWEB: codes 3 added")
    assert HcpcsCode.objects.count() == 3


@fresh
@pytest.mark.parametrize(
    "path, message",
    [
        ("/files/huge.zip", "the download is 300,000 bytes; the limit is 100,000"),
        ("/stream/files/huge.zip", "over the limit of 100,000 bytes"),
        ("/files/missing.zip", "404"),
    ],
    ids=["declared too large", "streamed too large", "not found"],
)
def test_the_command_refuses_a_download_that_is_too_large_or_missing(cms_website, monkeypatch, path, message):
    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 100_000)

    with pytest.raises(CommandError, match=message):
        run_command(cms_website + path)
    assert not HcpcsCode.objects.exists()


def test_only_web_urls_are_downloaded():
    with pytest.raises(HcpcsFileError, match="only http"):
        importers.read_source("file:///etc/passwd")


# --- The real CMS files, when ../shared/data/hcpcs/ is present ---------------

needs_cms_files = pytest.mark.skipif(not HCPCS_DATA.is_dir(), reason=f"{HCPCS_DATA} is not present")


@needs_cms_files
@fresh
def test_the_real_october_2025_workbook_imports_every_code_and_modifier():
    started = time.perf_counter()
    release = parse_hcpcs_file(REAL_XLSX.read_bytes(), REAL_XLSX.name)
    first = apply_release(release)
    elapsed = time.perf_counter() - started

    assert (release.name, release.effective_on) == ("HCPC2025_OCT_ANWEB", date(2025, 10, 1))
    assert first.codes == Counts(added=8463)
    assert first.modifiers == Counts(added=383)
    marker = HcpcsCode.objects.get(code="A4648")
    assert "tissue marker" in marker.long_description.lower()
    assert marker.short_description == "Implantable tissue marker"
    ureter = HcpcsCode.objects.get(code="G9631")
    # CMS dates a discontinuation's action the day after the last usable day.
    assert (ureter.ended_on, ureter.effective_on) == (date(2022, 12, 31), date(2023, 1, 1))
    assert HcpcsCode.objects.filter(ended_on__isnull=False).count() == 1205
    # Three of the date cells CMS stored as numbers rather than text.
    assert HcpcsCode.objects.get(code="J9333").effective_on == date(2025, 10, 1)
    assert HcpcsCode.objects.get(code="L6034").added_on == date(2025, 10, 1)
    assert HcpcsCode.objects.get(code="C9088").ended_on == date(2025, 9, 30)
    assert Modifier.objects.get(code="LT").official_description == LT_TEXT
    assert Modifier.objects.filter(ended_on__isnull=False).count() == 20
    assert not HcpcsCode.objects.filter(code__startswith="D").exists()
    print(f"\nparsed and imported the real XLSX in {elapsed:.1f} s")

    second = apply_release(release)

    assert second.codes == Counts(unchanged=8463)
    assert second.modifiers == Counts(unchanged=383)


@needs_cms_files
def test_the_real_2019_txt_sample_parses_to_its_published_counts():
    release = parse_hcpcs_file(REAL_TXT.read_bytes(), REAL_TXT.name)
    codes = {record.code: record for record in release.codes}

    assert len(release.codes) == 6440
    assert len(release.modifiers) == 360
    assert release.name == "HCPC2019_CONTR_ANWEB"
    # Five lines on disk; the last piece starts with a blank that must not double the space.
    assert codes["G0501"].long_description == (
        "Resource-intensive services for patients for whom the use of specialized mobility-assistive technology "
        "(such as adjustable height chairs or tables, patient lift, and adjustable padded leg supports) is "
        "medically necessary and used during the provision of an office/outpatient, evaluation and management "
        "visit (list separately in addition to primary service)"
    )
    assert codes["G0501"].short_description == "Resource-inten svc during ov"
    assert codes["A4648"].long_description == "Tissue marker, implantable, any type, each"
