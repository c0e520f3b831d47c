"""Medicare's national fee schedule: reading the CMS file, storing it, and the words patients see."""

import io
import threading
import time
import zipfile
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from billexplain.coding import fees, readability
from billexplain.coding.fees import (
    FeeCounts,
    FeeFileError,
    FeeRecord,
    apply_fees,
    medicare_prices,
    parse_csv,
    parse_fee_file,
    price_note,
    year_from_name,
)
from billexplain.coding.models import MedicareFee

ROOT = Path(__file__).resolve().parent.parent
REAL_PPRRVU = ROOT.parent / "shared" / "data" / "fees" / "pfs-2025-rvu25d" / "PPRRVU2025_Oct_no_descriptors.csv"

# --- A small PPRRVU file, laid out as CMS lays it out ----------------------

# CMS's header runs over five lines: fragments stacked above the row that starts with HCPCS.
CMS_HEADER = "".join(
    line + "\n"
    for line in (
        ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
        ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
        ",, ,,,,,,,,,,,,,,,,,,,,,,,,,NON-FACILITY,FACILITY,",
        ",,,NOT USED,,,,,,,,,,,,,,,,,,,,,PHYSICIAN,,DIAGNOSTIC,PE USED,PE USED,MP USED",
        ",,,FOR,,,NON-FAC,,FACILITY ,,,,,,,,,,,,,,,,SUPERVISION OF,,IMAGING,FOR OPPS,FOR OPPS,FOR OPPS",
        ",,STATUS,MEDICARE ,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,INTRA,"
        "POST,MULT,BILAT,ASST,CO-,TEAM,ENDO,CONV,DIAGNOSTIC,CALCULATION,FAMILY,PAYMENT,PAYMENT,PAYMENT",
        "HCPCS,MOD,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,OP,OP,OP,"
        "PROC,SURG,SURG,SURG,SURG,BASE,FACTOR,PROCEDURES,FLAG,INDICATOR,AMOUNT,AMOUNT,AMOUNT",
    )
)


def cms_row(code, mod, status, non_facility_total, facility_total, *, nf_na="", f_na="", not_used="", cf="32.3465"):
    """One 30-column PPRRVU row; the columns the import does not read hold CMS's usual filler."""
    cells = [code, mod, status, not_used, "0.00", "0.00", nf_na, "0.00", f_na, "0.00"]
    cells += [non_facility_total, facility_total, "0", "XXX", "0.00", "0.00", "0.00", "0", "0", "0", "0", "0", ""]
    cells += [cf, "09", "0", "99", "0.00", "0.00", "0.00"]
    return ",".join(cells)


# Rows copied from the CY2025 October file (RVU25D), one or two for each status code.
ROWS = [
    cms_row("99213", "", "A", "2.75", "1.97"),  # office visit, established patient
    cms_row("71046", "", "A", "1.01", "1.01", f_na="NA"),  # chest X-ray, whole service
    cms_row("71046", "26", "A", "0.31", "0.31"),
    cms_row("71046", "TC", "A", "0.70", "0.70", f_na="NA"),
    cms_row("11004", "", "A", "16.91", "16.91", nf_na="NA"),  # a hospital-only surgery
    cms_row("11055", "", "R", "2.10", "0.46"),
    cms_row("D0120", "", "R", "0.00", "0.00"),
    cms_row("36591", "", "T", "0.83", "0.83", f_na="NA"),
    cms_row("80053", "", "X", "0.00", "0.00"),
    cms_row("A0425", "", "X", "0.00", "0.00"),
    cms_row("G0071", "", "X", "0.00", "0.00"),
    cms_row("V5362", "", "N", "0.00", "0.00"),
    cms_row("22526", "", "N", "55.84", "9.83", not_used="+"),  # RVUs shown, yet "not used for Medicare payment"
    cms_row("A4550", "", "B", "0.00", "0.00"),
    cms_row("A4211", "", "P", "0.00", "0.00"),
    cms_row("0591T", "", "C", "0.00", "0.00"),
    cms_row("J1100", "", "E", "0.00", "0.00"),
    cms_row("90296", "", "E", "0.00", "0.00"),
    cms_row("3074F", "", "I", "0.00", "0.00"),
    cms_row("27215", "", "I", "18.20", "18.20", nf_na="NA", not_used="+"),
    cms_row("G8427", "", "M", "0.00", "0.00"),
    cms_row("00100", "", "J", "0.00", "0.00"),
]
SMALL_CSV = (CMS_HEADER + "\n".join(ROWS) + "\n,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n").encode()
SMALL_NAME = "PPRRVU2025_Oct.csv"


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / SMALL_NAME
    path.write_bytes(SMALL_CSV)
    return path


@pytest.fixture
def rvu_package(tmp_path):
    """The zip CMS publishes: the PPRRVU file beside the GPCI and locality files."""
    path = tmp_path / "rvu25d.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("RVU25D.pdf", b"%PDF-1.7 readme")
        archive.writestr("GPCI2025.csv", "Medicare Administrative Contractor (MAC),State,Locality Number\n")
        archive.writestr(SMALL_NAME, SMALL_CSV)
    return path


@pytest.fixture
def schedule():
    return parse_csv(SMALL_CSV, SMALL_NAME)


@pytest.fixture
def loaded_fees(db, schedule):
    apply_fees(schedule)
    return schedule


def amounts(schedule):
    return {(r.code, r.modifier): (r.non_facility_amount, r.facility_amount) for r in schedule.records}


# --- Reading the file ------------------------------------------------------


def test_it_prices_99213_as_its_total_rvus_times_the_conversion_factor(schedule):
    # By hand from the CY2025 file: 99213 has non-facility total 2.75 and facility total 1.97 RVUs.
    # 2.75 x 32.3465 = 88.952875 -> $88.95; 1.97 x 32.3465 = 63.722605 -> $63.72.
    assert amounts(schedule)["99213", ""] == (Decimal("88.95"), Decimal("63.72"))


@pytest.mark.parametrize(
    "code, modifier, non_facility, facility",
    [
        ("71046", "", "32.67", None),  # 1.01 x CF; no facility price: the hospital bills the technical part
        ("71046", "26", "10.03", "10.03"),  # 0.31 x CF
        ("71046", "TC", "22.64", None),  # 0.70 x CF
        ("11004", "", None, "546.98"),  # 16.91 x CF; never done in an office
        ("11055", "", "67.93", "14.88"),  # restricted, but paid from its RVUs when covered
        ("36591", "", "26.85", None),  # injection status T
        ("22526", "", None, None),  # RVUs printed, but status N and "not used for Medicare payment"
        ("27215", "", None, None),
        ("80053", "", None, None),
        ("D0120", "", None, None),
    ],
)
def test_it_prices_only_what_medicare_pays_from_this_schedule(schedule, code, modifier, non_facility, facility):
    expected = tuple(Decimal(v) if v else None for v in (non_facility, facility))
    assert amounts(schedule)[code, modifier] == expected


def test_it_reads_the_header_that_cms_splits_over_several_lines(schedule):
    assert schedule.year == 2025
    assert schedule.conversion_factor == Decimal("32.3465")
    assert len(schedule.records) == len(ROWS)
    assert schedule.priced == 7
    assert schedule.records[0] == FeeRecord("99213", "", "A", Decimal("88.95"), Decimal("63.72"))


def test_it_uses_the_conversion_factor_written_in_the_file():
    data = (CMS_HEADER + cms_row("99213", "", "A", "2.75", "1.97", cf="10.0000")).encode()
    assert amounts(parse_csv(data, SMALL_NAME))["99213", ""] == (Decimal("27.50"), Decimal("19.70"))


def test_it_falls_back_to_the_documented_2025_conversion_factor_when_the_file_has_none():
    data = b"HCPCS,MOD,STATUS CODE,NON-FACILITY TOTAL,FACILITY TOTAL\n99213,,A,2.75,1.97\n"
    schedule = parse_csv(data, "fees.csv", year=2025)
    assert schedule.conversion_factor == Decimal("32.3465")
    assert amounts(schedule)["99213", ""] == (Decimal("88.95"), Decimal("63.72"))


def test_it_refuses_a_year_without_a_known_conversion_factor():
    data = b"HCPCS,MOD,STATUS CODE,NON-FACILITY TOTAL,FACILITY TOTAL\n99213,,A,2.75,1.97\n"
    with pytest.raises(FeeFileError, match="no CONV FACTOR column"):
        parse_csv(data, "fees.csv", year=2031)


def test_it_reads_a_file_saved_by_excel_with_a_byte_order_mark_and_windows_line_ends():
    data = b"\xef\xbb\xbf" + (CMS_HEADER + ROWS[0]).replace("\n", "\r\n").encode("cp1252")
    assert amounts(parse_csv(data, SMALL_NAME))["99213", ""] == (Decimal("88.95"), Decimal("63.72"))


@pytest.mark.parametrize(
    "name, year",
    [
        ("PPRRVU2025_Oct.csv", 2025),
        ("PPRRVU2025_Oct_no_descriptors.csv", 2025),
        ("PPRRVU25_JAN.csv", 2025),
        ("rvu25d.zip", 2025),
        ("RVU26A.zip", 2026),
        ("fees.csv", None),
    ],
)
def test_it_tells_the_year_from_the_cms_file_name(name, year):
    assert year_from_name(name) == year


def test_it_asks_for_the_year_when_the_name_does_not_say():
    with pytest.raises(FeeFileError, match="--year"):
        parse_csv(SMALL_CSV, "fees.csv")


def test_it_finds_the_pprrvu_file_inside_the_cms_zip(rvu_package):
    schedule = parse_fee_file(rvu_package.read_bytes(), rvu_package.name)
    assert schedule.name == SMALL_NAME
    assert len(schedule.records) == len(ROWS)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"code,price\n99213,88.95\n", "no header row starting with HCPCS"),
        (b"HCPCS,MOD,STATUS CODE\n99213,,A\n", "no NON-FACILITY TOTAL, FACILITY TOTAL column"),
        ((CMS_HEADER + ROWS[0] + "\n" + ROWS[0]).encode(), "99213  appears twice"),
        ((CMS_HEADER + cms_row("99213", "", "A", "2.7x", "1.97")).encode(), "'2.7x' is not a number"),
        ((CMS_HEADER + cms_row("99213", "", "A", "-2.75", "1.97")).encode(), "not a usable number"),
        ((CMS_HEADER + cms_row("99213", "2", "A", "2.75", "1.97")).encode(), "not a modifier"),
        (CMS_HEADER.encode(), "no fee schedule rows"),
        (b"PK\x03\x04 not really a zip", "not a readable zip"),
    ],
)
def test_it_explains_what_is_wrong_with_a_file_it_cannot_read(data, message):
    with pytest.raises(FeeFileError, match=message):
        parse_fee_file(data, SMALL_NAME)


def test_it_takes_the_year_from_the_zip_name_when_the_member_name_has_none():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("PPRRVU_Oct.csv", SMALL_CSV)
    assert parse_fee_file(buffer.getvalue(), "rvu25d.zip").year == 2025


def test_it_says_what_a_zip_without_a_pprrvu_file_holds(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("GPCI2025.csv", "x")
    with pytest.raises(FeeFileError, match="no PPRRVU .csv file; it holds GPCI2025.csv"):
        parse_fee_file(buffer.getvalue(), "rvu25d.zip")


def test_it_skips_footnotes_that_are_not_codes():
    data = (CMS_HEADER + ROWS[0] + "\nCPT codes and descriptions only are copyright AMA,,,\n").encode()
    schedule = parse_csv(data, SMALL_NAME)
    assert (len(schedule.records), schedule.skipped_lines) == (1, 1)


# --- Storing it ------------------------------------------------------------


def test_it_stores_every_row_and_counts_them(db, schedule):
    result = apply_fees(schedule)
    assert result.counts == FeeCounts(added=len(ROWS))
    assert MedicareFee.objects.count() == len(ROWS)
    fee = MedicareFee.objects.get(code="71046", modifier="TC")
    assert (fee.status_code, fee.non_facility_amount, fee.facility_amount) == ("A", Decimal("22.64"), None)
    assert (fee.year, fee.source) == (2025, SMALL_NAME)
    assert str(result) == (
        f"{SMALL_NAME} (2025, conversion factor 32.3465): {len(ROWS)} rows, 7 with a Medicare price; "
        f"{len(ROWS)} added, 0 changed, 0 removed, 0 unchanged"
    )


def test_importing_the_same_file_twice_changes_nothing(loaded_fees, django_assert_max_num_queries):
    before = list(MedicareFee.objects.values_list())
    with django_assert_max_num_queries(6):
        result = apply_fees(loaded_fees)
    assert result.counts == FeeCounts(unchanged=len(ROWS))
    assert list(MedicareFee.objects.values_list()) == before


def test_a_newer_release_changes_amounts_removes_dropped_rows_and_relabels_the_rest(loaded_fees):
    rows = [cms_row("99213", "", "A", "2.80", "2.00"), *ROWS[1:-1]]  # 99213 repriced; 00100 dropped
    newer = parse_csv((CMS_HEADER + "\n".join(rows)).encode(), "PPRRVU2025_Oct_corrected.csv")
    result = apply_fees(newer)
    assert result.counts == FeeCounts(changed=1, removed=1, unchanged=len(ROWS) - 2)
    assert MedicareFee.objects.get(code="99213").non_facility_amount == Decimal("90.57")
    assert not MedicareFee.objects.filter(code="00100").exists()
    assert set(MedicareFee.objects.values_list("source", flat=True)) == {"PPRRVU2025_Oct_corrected.csv"}


def test_it_refuses_an_earlier_release_of_a_year_already_loaded(loaded_fees):
    with pytest.raises(FeeFileError, match="earlier release"):
        apply_fees(parse_csv(SMALL_CSV, "PPRRVU2025_Jul.csv"))
    assert set(MedicareFee.objects.values_list("source", flat=True)) == {SMALL_NAME}


def test_each_year_is_kept_apart(loaded_fees):
    apply_fees(parse_csv(CMS_HEADER.encode() + ROWS[0].encode(), "PPRRVU2026_Jan.csv", year=2026))
    assert MedicareFee.objects.filter(year=2025).count() == len(ROWS)
    assert MedicareFee.objects.filter(year=2026).count() == 1


# --- The words patients see ------------------------------------------------


@pytest.mark.parametrize(
    "code, status, expected",
    [
        ("80053", "X", "Medicare pays labs under a different schedule (the Clinical Laboratory Fee Schedule)"),
        ("A0425", "X", "Medicare pays for ambulance rides under a different schedule."),
        ("G0071", "X", "By law, Medicare pays for this outside its doctor fee schedule"),
        ("V5362", "N", "Medicare does not cover this service"),
        ("A4550", "B", "Paid as part of another service."),
        ("A4211", "P", "Paid as part of another service, or under a different schedule"),
        ("36591", "T", "Paid as part of another service."),
        ("00100", "J", "Anesthesia is paid by time units, so there is no single price."),
        ("0591T", "C", "Medicare has no national price for this."),
        ("J1100", "E", "Medicare pays for most drugs from a separate drug price list"),
        ("90296", "E", "Medicare pays for this outside its doctor fee schedule"),
        ("3074F", "I", "This code reports quality information. It usually has no charge"),
        ("27215", "I", "Medicare does not use this code."),
        ("G8427", "M", "This code reports quality information. Medicare does not pay for it on its own."),
        ("D0120", "R", "Medicare covers dental care only in rare cases"),
        ("0275T", "R", "Medicare covers this only in some cases, and then sets the price case by case."),
        ("99999", "Z", "Medicare lists no national price for this in its doctor fee schedule."),
    ],
)
def test_codes_without_a_price_say_why_in_plain_words(code, status, expected):
    note = price_note(code, status, None, None, year=2025)
    assert note.startswith(expected)
    assert "$" not in note


@pytest.mark.parametrize(
    "status, non_facility, facility, starts, also",
    [
        ("A", "88.95", "63.72", "Medicare's national price for this in 2025.", ""),
        ("R", "67.93", "14.88", "Medicare covers this only in some cases. When it does", ""),
        ("T", "26.85", None, "Medicare pays this price only when the same provider bills nothing else", "no facility"),
        ("A", None, "546.98", "Medicare's national price", "There is no office price."),
    ],
)
def test_priced_codes_say_this_is_context_and_that_private_prices_differ(status, non_facility, facility, starts, also):
    note = price_note(
        "12345", status, non_facility and Decimal(non_facility), facility and Decimal(facility), year=2025
    )
    assert note.startswith(starts)
    assert also in note
    assert note.endswith("This is context, not a check of your bill. Private insurers pay different prices.")


def test_a_part_of_a_service_says_which_part():
    assert price_note("71046", "A", Decimal("10.03"), Decimal("10.03"), year=2025, modifier="26").startswith(
        "The doctor's part only"
    )
    assert price_note("71046", "A", Decimal("22.64"), None, year=2025, modifier="TC").startswith(
        "The equipment and staff part only."
    )


def every_note():
    yield fees.ABOUT_MEDICARE_PRICES
    for code, status in [(r.split(",")[0], r.split(",")[2]) for r in ROWS] + [("0275T", "R"), ("99999", "Z")]:
        for non_facility, facility in [(None, None), (Decimal(1), Decimal(1)), (Decimal(1), None), (None, Decimal(1))]:
            for modifier in ("", "26", "TC", "53"):
                yield price_note(code, status, non_facility, facility, year=2025, modifier=modifier)


@pytest.mark.parametrize("note", sorted(set(every_note())))
def test_every_note_reads_at_grade_8_or_below_and_gives_no_verdict(note):
    assert readability.grade(note) <= 8
    for verdict in ("overcharg", "too much", "too high", "fair price", "you should", "wrong", "error"):
        assert verdict not in note.lower()


# --- Reading prices for a bill ---------------------------------------------


def test_it_looks_up_any_number_of_codes_in_one_query_and_then_keeps_them(loaded_fees, django_assert_num_queries):
    codes = [row.split(",")[0] for row in ROWS] + ["99999", "E11.65", "0450"]
    with django_assert_num_queries(2):  # whether the kept rows are current, then the fees
        prices = medicare_prices(codes)
    assert set(prices) == {row.split(",")[0] for row in ROWS}
    with django_assert_num_queries(1):
        assert medicare_prices(codes) == prices


def test_a_price_holds_the_amounts_the_year_the_status_and_a_note(loaded_fees):
    price = medicare_prices([" 99213 "])["99213"]
    assert (price.non_facility_amount, price.facility_amount) == (Decimal("88.95"), Decimal("63.72"))
    assert (price.year, price.status_code, price.modifier, price.source) == (2025, "A", "", SMALL_NAME)
    assert price.has_price
    assert price.note.startswith("Medicare's national price for this in 2025.")
    assert price.parts == ()


def test_a_billed_line_with_modifier_26_or_tc_gets_the_price_of_that_part(loaded_fees):
    xray = medicare_prices(["71046"])["71046"]
    assert [part.modifier for part in xray.parts] == ["26", "TC"]
    assert xray.for_modifiers(["26"]).non_facility_amount == Decimal("10.03")
    assert xray.for_modifiers(["tc", "RT"]).non_facility_amount == Decimal("22.64")
    assert xray.for_modifiers(["59"]) is xray


def test_codes_medicare_does_not_price_here_come_back_with_a_note_and_no_amounts(loaded_fees):
    lab = medicare_prices(["80053"])["80053"]
    assert not lab.has_price
    assert lab.note.startswith("Medicare pays labs under a different schedule")


def test_it_shows_the_newest_year_unless_asked_for_another(loaded_fees):
    apply_fees(parse_csv((CMS_HEADER + cms_row("99213", "", "A", "2.80", "2.00")).encode(), "PPRRVU2026_Jan.csv"))
    assert medicare_prices(["99213"])["99213"].year == 2026
    assert medicare_prices(["99213"], year=2025)["99213"].non_facility_amount == Decimal("88.95")
    assert medicare_prices(["11004"])["11004"].year == 2025


def test_no_codes_need_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert medicare_prices(["", "  "]) == {}


# --- The command -----------------------------------------------------------


def run_import(*args):
    out = io.StringIO()
    call_command("import_fees", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_imports_a_csv_and_prints_counts(small_file):
    output = run_import(str(small_file))
    assert f"{len(ROWS)} added, 0 changed, 0 removed, 0 unchanged" in output
    assert f"0 added, 0 changed, 0 removed, {len(ROWS)} unchanged" in run_import(str(small_file))


@pytest.mark.django_db
def test_the_command_imports_the_zip_cms_publishes(rvu_package):
    assert f"{SMALL_NAME} (2025, conversion factor 32.3465)" in run_import(str(rvu_package))
    assert MedicareFee.objects.count() == len(ROWS)


@pytest.mark.django_db
def test_the_command_takes_the_year_when_the_name_does_not_say_it(tmp_path):
    path = tmp_path / "fees.csv"
    path.write_bytes(SMALL_CSV)
    with pytest.raises(CommandError, match="--year"):
        run_import(str(path))
    assert "(2025, " in run_import(str(path), "--year", "2025")


@pytest.mark.django_db
def test_the_command_downloads_from_a_url(tmp_path):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(SMALL_CSV)))
            self.end_headers()
            self.wfile.write(SMALL_CSV)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        output = run_import(f"http://127.0.0.1:{server.server_port}/files/{SMALL_NAME}")
    finally:
        server.shutdown()
        server.server_close()
    assert f"{len(ROWS)} added" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, data, message",
    [
        ("missing.csv", None, "cannot read the file"),
        ("PPRRVU2025_Oct.csv", b"not,a,fee,file\n", "no header row starting with HCPCS"),
    ],
)
def test_the_command_fails_with_a_clear_message(tmp_path, name, data, message):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        run_import(str(path))
    assert not MedicareFee.objects.exists()


# --- The real CMS file, when this machine has it ----------------------------


@pytest.mark.django_db
@pytest.mark.skipif(not REAL_PPRRVU.exists(), reason=f"{REAL_PPRRVU} is not on this machine")
def test_the_real_cy2025_file_imports_quickly_and_prices_99213_as_cms_does(capsys):
    started = time.perf_counter()
    output = run_import(str(REAL_PPRRVU))
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nimport_fees {REAL_PPRRVU.name}: {output.strip()} in {elapsed:.2f} s")

    # SOURCE.md: 19,090 data rows, 16,852 distinct codes; priced = status A, R or T with RVUs.
    assert "19090 rows, 9133 with a Medicare price; 19090 added, 0 changed, 0 removed, 0 unchanged" in output
    assert MedicareFee.objects.filter(modifier="").count() == 16851
    assert MedicareFee.objects.values("code").distinct().count() == 16852
    prices = medicare_prices(["99213", "99214", "99203", "71046", "45378", "G2211", "80053", "00100"])
    assert (prices["99213"].non_facility_amount, prices["99213"].facility_amount) == (
        Decimal("88.95"),
        Decimal("63.72"),
    )
    assert (prices["99214"].non_facility_amount, prices["99214"].facility_amount) == (
        Decimal("125.18"),
        Decimal("93.80"),
    )
    assert prices["99203"].non_facility_amount == Decimal("109.01")
    assert prices["71046"].non_facility_amount == Decimal("32.67")
    assert [p.non_facility_amount for p in prices["71046"].parts] == [Decimal("10.03"), Decimal("22.64")]
    assert (prices["45378"].non_facility_amount, prices["45378"].facility_amount) == (
        Decimal("327.67"),
        Decimal("177.26"),
    )
    assert prices["G2211"].non_facility_amount == Decimal("15.53")
    assert prices["80053"].note.startswith("Medicare pays labs under a different schedule")
    assert prices["00100"].note.startswith("Anesthesia is paid by time units")
    assert elapsed < 20, f"the import took {elapsed:.1f} s"

    started = time.perf_counter()
    assert "0 added, 0 changed, 0 removed, 19090 unchanged" in run_import(str(REAL_PPRRVU))
    with capsys.disabled():
        print(f"import_fees again (nothing to change): {time.perf_counter() - started:.2f} s")
