"""What Medicare pays nationally for a code: the CMS Physician Fee Schedule (PFS).

CMS publishes the schedule as relative value units (RVUs) in the PPRRVU file of
each RVU package (record layout: the package readme, RVU25D.pdf; our copy and its
provenance: ../shared/data/fees/SOURCE.md). The national, unadjusted payment is

    total RVUs x conversion factor, rounded to cents

with the non-facility total for a doctor's office and the facility total for a
hospital or surgery center (which then sends its own bill as well). Only status
codes A, R and T are paid from these RVUs; every other status means Medicare
pays some other way or not at all, and the note says which in plain words.

Parsing is pure (bytes in, frozen dataclasses out). `apply_fees` writes, in one
transaction; `medicare_prices` reads, from what each worker keeps. Both import the ORM when they
run, so parsing can be tested and reused without a database.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePosixPath

from django.utils.translation import gettext, gettext_noop

from billexplain.coding.importers import HcpcsFileError, _open_zip, _read_member

# The PPRRVU CSV is about 2 MB and the whole RVU package zip about 10 MB.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
BATCH_SIZE = 500

# Used only when a file has no CONV FACTOR column (RVU25D.pdf and every row of PPRRVU2025_Oct agree).
DOCUMENTED_CONVERSION_FACTORS = {2025: Decimal("32.3465")}

# "Only RVUs associated with status codes of A, R, or T are used for Medicare payment" (RVU25D.pdf).
PAID_STATUSES = frozenset("ART")
GLOBAL = ""  # the modifier of the row that prices the whole service
PARTS = ("26", "TC", "53")  # modifier rows with their own price: professional, technical, stopped early

CENT = Decimal("0.01")


class FeeFileError(HcpcsFileError):
    """The bytes are not a CMS PPRRVU file we can read; the message says why."""


@dataclass(frozen=True, slots=True)
class FeeRecord:
    """One row of the PPRRVU file: a code, or a code with modifier 26, TC or 53."""

    code: str
    modifier: str
    status_code: str
    non_facility_amount: Decimal | None  # None: Medicare pays no fee schedule amount in an office
    facility_amount: Decimal | None  # None: none in a hospital or surgery center


@dataclass(frozen=True)
class FeeSchedule:
    """Everything read from one PPRRVU file."""

    name: str
    year: int
    conversion_factor: Decimal
    records: tuple[FeeRecord, ...]
    skipped_lines: int = 0

    @property
    def priced(self) -> int:
        return sum(1 for r in self.records if r.non_facility_amount is not None or r.facility_amount is not None)


@dataclass(frozen=True)
class FeeCounts:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.added} added, {self.changed} changed, {self.removed} removed, {self.unchanged} unchanged"


@dataclass(frozen=True)
class FeeImportResult:
    schedule: str
    year: int
    conversion_factor: Decimal
    rows: int
    priced: int
    counts: FeeCounts

    def __str__(self):
        return (
            f"{self.schedule} ({self.year}, conversion factor {self.conversion_factor}): {self.rows} rows, "
            f"{self.priced} with a Medicare price; {self.counts}"
        )


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

# Column names as CMS spells them once the header fragments above the HCPCS row are joined.
_COLUMNS = {
    "code": ("HCPCS",),
    "modifier": ("MOD", "MODIFIER"),
    "status": ("STATUS CODE", "STATUS"),
    "not_used": ("NOT USED FOR MEDICARE PAYMENT",),
    "non_facility_total": ("NON-FACILITY TOTAL", "TOTAL NON-FACILITY RVUS", "NON-FAC TOTAL"),
    "non_facility_na": ("NON-FAC NA INDICATOR", "NON-FACILITY NA INDICATOR"),
    "facility_total": ("FACILITY TOTAL", "TOTAL FACILITY RVUS"),
    "facility_na": ("FACILITY NA INDICATOR",),
    "conversion_factor": ("CONV FACTOR", "CONVERSION FACTOR"),
}
_REQUIRED = ("code", "modifier", "status", "non_facility_total", "facility_total")
_CODE = re.compile(r"[A-Z0-9]{5}")
_MODIFIER = re.compile(r"(?:[A-Z0-9]{2})?")
_YEAR_IN_NAME = re.compile(r"(?:PPRRVU|RVU)(?P<year>20\d\d|\d\d)(?!\d)", re.IGNORECASE)
_QUARTER_IN_NAME = re.compile(r"(?<![A-Z])(?P<month>JAN|APR|JUL|OCT)(?![A-Z])", re.IGNORECASE)
_QUARTERS = {"JAN": 1, "APR": 2, "JUL": 3, "OCT": 4}


def parse_fee_file(data: bytes, name: str = "", *, year: int | None = None) -> FeeSchedule:
    """Read a PPRRVU CSV, or the CMS RVU package zip holding one."""
    if not data:
        raise FeeFileError("the file is empty")
    if data.startswith(b"PK"):
        year = year or year_from_name(name)  # rvu25d.zip names the year even when its member does not
        try:
            archive = _open_zip(data)
            member = _pprrvu_member(archive)
            if member.file_size > MAX_UNCOMPRESSED_BYTES:
                raise FeeFileError(
                    f"{member.filename} unpacks to {member.file_size:,} bytes; the limit is {MAX_UNCOMPRESSED_BYTES:,}"
                )
            data = _read_member(archive, member, MAX_UNCOMPRESSED_BYTES)
        except FeeFileError:
            raise
        except HcpcsFileError as error:  # the shared zip helpers speak for the HCPCS import
            raise FeeFileError(str(error)) from None
        name = PurePosixPath(member.filename).name
    return parse_csv(data, name, year=year)


def _pprrvu_member(archive):
    candidates = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and "__MACOSX" not in PurePosixPath(info.filename).parts
        and PurePosixPath(info.filename).name.upper().startswith("PPRRVU")
        and info.filename.lower().endswith(".csv")
    ]
    if not candidates:
        names = ", ".join(archive.namelist()[:10]) or "nothing"
        raise FeeFileError(f"the zip holds no PPRRVU .csv file; it holds {names}")
    return min(candidates, key=lambda info: (len(info.filename), info.filename))


def parse_csv(data: bytes, name: str = "", *, year: int | None = None) -> FeeSchedule:
    """Read the PPRRVU CSV: banner lines, a header split over several rows, then one row per code."""
    year = year or year_from_name(name)
    if year is None:
        raise FeeFileError(f"cannot tell the year from the name {name!r}: give the year (--year 2025)")
    rows = list(csv.reader(io.StringIO(_decode(data))))
    header_at, columns = _find_header(rows)
    documented = DOCUMENTED_CONVERSION_FACTORS.get(year)
    if "conversion_factor" not in columns and documented is None:
        raise FeeFileError(f"the file has no CONV FACTOR column and we know no conversion factor for {year}")

    records, seen, factors, skipped = [], {}, Counter(), 0
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = _Cells(row, columns, number)
        code = cells.get("code").upper()
        if not code and not any(cell.strip() for cell in row):
            continue
        if not _CODE.fullmatch(code):
            skipped += 1  # CMS footnotes and copyright lines
            continue
        modifier = cells.get("modifier").upper()
        if not _MODIFIER.fullmatch(modifier):
            raise FeeFileError(f"line {number}: {modifier!r} is not a modifier")
        if (code, modifier) in seen:
            raise FeeFileError(f"line {number}: {code} {modifier} appears twice (first on line {seen[code, modifier]})")
        seen[code, modifier] = number
        factor = cells.decimal("conversion_factor") if "conversion_factor" in columns else None
        factor = factor or documented
        if factor is None:
            raise FeeFileError(f"line {number}: no conversion factor")
        factors[factor] += 1
        status = cells.get("status").upper()
        paid = status in PAID_STATUSES and not cells.get("not_used")
        records.append(
            FeeRecord(
                code=code,
                modifier=modifier,
                status_code=status[:1],
                non_facility_amount=_amount(paid, cells, "non_facility_total", "non_facility_na", factor),
                facility_amount=_amount(paid, cells, "facility_total", "facility_na", factor),
            )
        )
    if not records:
        raise FeeFileError("no fee schedule rows found under the header")
    return FeeSchedule(
        name=(PurePosixPath(name).name or "unnamed PPRRVU file")[:100],
        year=year,
        conversion_factor=factors.most_common(1)[0][0],
        records=tuple(records),
        skipped_lines=skipped,
    )


def year_from_name(name: str) -> int | None:
    """PPRRVU2025_Oct.csv, PPRRVU25_JAN.csv and rvu25d.zip all name 2025."""
    match = _YEAR_IN_NAME.search(PurePosixPath(name).name)
    if not match:
        return None
    year = int(match["year"])
    return year + 2000 if year < 100 else year


def _decode(data: bytes) -> str:
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # CMS writes its CSVs on Windows; the only non-ASCII bytes are in banner and descriptor text.
        return data.decode("cp1252", errors="replace")


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The row starting with HCPCS, its column names completed by the fragments stacked above it."""
    at = next((i for i, row in enumerate(rows[:100]) if row and row[0].strip().upper() == "HCPCS"), None)
    if at is None:
        raise FeeFileError("no header row starting with HCPCS in the first 100 lines: is this a PPRRVU file?")
    stack = [rows[at]]
    for above in reversed(rows[:at]):
        if not any(cell.strip() for cell in above):
            break
        stack.insert(0, above)
    names = [
        " ".join(" ".join(r[i] for r in stack if i < len(r) and r[i].strip()).upper().split())
        for i in range(len(rows[at]))
    ]
    columns = {}
    for key, aliases in _COLUMNS.items():
        exact = [i for i, n in enumerate(names) if n in aliases]
        # A banner fragment above a column adds words in front of its name.
        ending = [i for i, n in enumerate(names) if any(n.endswith(" " + a) for a in aliases)]
        found = exact or (ending if len(ending) == 1 else [])
        if found:
            columns[key] = found[0]
    missing = [_COLUMNS[key][0] for key in _REQUIRED if key not in columns]
    if missing:
        raise FeeFileError(f"the header has no {', '.join(missing)} column")
    return at, columns


@dataclass(frozen=True, slots=True)
class _Cells:
    row: list[str]
    columns: dict[str, int]
    number: int = 0

    def get(self, key: str) -> str:
        at = self.columns.get(key)
        return self.row[at].strip() if at is not None and at < len(self.row) else ""

    def decimal(self, key: str) -> Decimal | None:
        text = self.get(key)
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise FeeFileError(f"line {self.number}: {text!r} is not a number ({key.replace('_', ' ')})") from None
        if not value.is_finite() or value < 0:
            raise FeeFileError(f"line {self.number}: {text!r} is not a usable number ({key.replace('_', ' ')})")
        return value


def _amount(paid: bool, cells: _Cells, total_key: str, na_key: str, factor: Decimal) -> Decimal | None:
    total = cells.decimal(total_key)
    if not paid or not total or cells.get(na_key).upper() == "NA":
        # NA: "rarely or never performed" in that setting, and CMS lists no price there.
        return None
    return (total * factor).quantize(CENT, rounding=ROUND_HALF_UP)


def _quarter(name: str) -> int | None:
    match = _QUARTER_IN_NAME.search(PurePosixPath(name).stem.replace("_", " "))
    return _QUARTERS[match["month"].upper()] if match else None


# ---------------------------------------------------------------------------
# Writing to the database
# ---------------------------------------------------------------------------

_FEE_FIELDS = ("status_code", "non_facility_amount", "facility_amount")


def apply_fees(schedule: FeeSchedule) -> FeeImportResult:
    """Make the database hold exactly this file's fees for its year, in one transaction.

    Added: rows new for the year. Changed: a different status or amount. Removed:
    rows of that year the file no longer has (fees are reference data, never
    edited by staff). Unchanged rows are only re-labelled with this file's name,
    so a second import of the same file changes nothing. A file from an earlier
    quarter of a year already loaded from a later one is refused.
    """
    from django.db import transaction

    from billexplain.coding.models import MedicareFee

    with transaction.atomic():
        existing = {(fee.code, fee.modifier): fee for fee in MedicareFee.objects.filter(year=schedule.year)}
        loaded_from = {fee.source for fee in existing.values()}
        newer = [s for s in loaded_from if (_quarter(s) or 0) > (_quarter(schedule.name) or 5)]
        if newer:
            raise FeeFileError(
                f"{schedule.name} is an earlier release than {newer[0]}, which is already loaded for {schedule.year}"
            )
        create, update, unchanged = [], [], 0
        for record in schedule.records:
            values = {name: getattr(record, name) for name in _FEE_FIELDS}
            fee = existing.pop((record.code, record.modifier), None)
            if fee is None:
                create.append(
                    MedicareFee(
                        code=record.code, modifier=record.modifier, year=schedule.year, source=schedule.name, **values
                    )
                )
            elif all(getattr(fee, name) == value for name, value in values.items()):
                unchanged += 1
            else:
                for name, value in values.items():
                    setattr(fee, name, value)
                fee.source = schedule.name
                update.append(fee)
        MedicareFee.objects.bulk_create(create, batch_size=BATCH_SIZE)
        MedicareFee.objects.bulk_update(update, [*_FEE_FIELDS, "source"], batch_size=BATCH_SIZE)
        removed = [fee.pk for fee in existing.values()]
        for start in range(0, len(removed), BATCH_SIZE):
            MedicareFee.objects.filter(pk__in=removed[start : start + BATCH_SIZE]).delete()
        # Every row left for the year is now this file's.
        MedicareFee.objects.filter(year=schedule.year).exclude(source=schedule.name).update(source=schedule.name)

    counts = FeeCounts(added=len(create), changed=len(update), removed=len(removed), unchanged=unchanged)
    return FeeImportResult(
        schedule.name, schedule.year, schedule.conversion_factor, len(schedule.records), schedule.priced, counts
    )


# ---------------------------------------------------------------------------
# Reading, for the page: our own words, in one query
# ---------------------------------------------------------------------------

ABOUT_MEDICARE_PRICES = gettext_noop(
    "These are Medicare's national prices. They are shown to give you a sense of scale, not to judge your bill. "
    "Private insurers pay their own prices, which differ. The office price is for care in a doctor's office. "
    "The facility price is for care in a hospital or surgery center, which also sends its own bill."
)

CONTEXT = gettext_noop("This is context, not a check of your bill. Private insurers pay different prices.")

PRICED_NOTES = {
    "A": gettext_noop(
        "Medicare's national price for this in %(year)s. It counts what Medicare pays and the part the patient pays."
    ),
    "R": gettext_noop(
        "Medicare covers this only in some cases. When it does, this is its national price for %(year)s."
    ),
    "T": gettext_noop(
        "Medicare pays this price only when the same provider bills nothing else that day. "
        "If they do, it is paid as part of the other service."
    ),
}
NO_OFFICE_PRICE = gettext_noop("There is no office price. This is almost always done in a hospital or surgery center.")
NO_FACILITY_PRICE = gettext_noop(
    "There is no facility price. In a hospital or surgery center, the facility bills for this work."
)

LAB = gettext_noop(
    "Medicare pays labs under a different schedule (the Clinical Laboratory Fee Schedule). So there is no price here."
)
AMBULANCE = gettext_noop("Medicare pays for ambulance rides under a different schedule. So there is no price here.")
DRUG = gettext_noop("Medicare pays for most drugs from a separate drug price list, so there is no price here.")
DENTAL = gettext_noop("Medicare covers dental care only in rare cases, so there is no price here.")
QUALITY_CODE = gettext_noop(
    "This code reports quality information. It usually has no charge, and Medicare does not pay for it."
)
NOT_LISTED = gettext_noop("Medicare lists no national price for this in its doctor fee schedule.")

UNPRICED_NOTES = {
    "B": gettext_noop("Paid as part of another service. Medicare does not pay for it on its own."),
    "C": gettext_noop(
        "Medicare has no national price for this. "
        "The company that handles Medicare claims in each area sets the price, case by case."
    ),
    "E": gettext_noop("Medicare pays for this outside its doctor fee schedule, so there is no price here."),
    "I": gettext_noop("Medicare does not use this code. It pays for the service under a different code."),
    "J": gettext_noop("Anesthesia is paid by time units, so there is no single price."),
    "M": gettext_noop("This code reports quality information. Medicare does not pay for it on its own."),
    "N": gettext_noop("Medicare does not cover this service, so there is no Medicare price."),
    "P": gettext_noop(
        "Paid as part of another service, or under a different schedule (like the one for medical supplies). "
        "There is no price for it on its own here."
    ),
    "R": gettext_noop("Medicare covers this only in some cases, and then sets the price case by case."),
    "T": gettext_noop("Paid as part of another service. Medicare does not pay for it on its own."),
    "X": gettext_noop("By law, Medicare pays for this outside its doctor fee schedule, so there is no price here."),
}

PART_NOTES = {
    "26": gettext_noop("The doctor's part only: reading the results and writing the report."),
    "TC": gettext_noop("The equipment and staff part only."),
    "53": gettext_noop("The price when the doctor stopped the procedure early."),
}


def price_note(
    code: str, status: str, non_facility: Decimal | None, facility: Decimal | None, *, year: int, modifier: str = ""
) -> str:
    """What a patient should know about this code's Medicare price, in our own words, in the active language."""
    sentences = [PART_NOTES[modifier]] if modifier in PART_NOTES else []
    if non_facility is not None or facility is not None:
        sentences.append(PRICED_NOTES.get(status, PRICED_NOTES["A"]))
        if non_facility is None:
            sentences.append(NO_OFFICE_PRICE)
        if facility is None:
            sentences.append(NO_FACILITY_PRICE)
        sentences.append(CONTEXT)
    else:
        sentences.append(_unpriced_note(code, status))
    return " ".join(gettext(sentence) % {"year": year} for sentence in sentences)


def _unpriced_note(code: str, status: str) -> str:
    if status == "X" and code.isdigit() and code.startswith("8"):
        return LAB
    if status == "X" and code.startswith("A0"):
        return AMBULANCE
    if status == "E" and code.startswith("J"):
        return DRUG
    if status == "R" and code.startswith("D"):
        return DENTAL
    if status in ("I", "M") and code[:4].isdigit() and code.endswith("F"):
        return QUALITY_CODE
    return UNPRICED_NOTES.get(status, NOT_LISTED)


@dataclass(frozen=True, slots=True)
class MedicarePrice:
    """Medicare's national fee for one code (modifier "" = the whole service) in one year."""

    code: str
    modifier: str
    year: int
    status_code: str
    non_facility_amount: Decimal | None  # in a doctor's office
    facility_amount: Decimal | None  # in a hospital or surgery center (the facility bills separately)
    note: str
    source: str
    parts: tuple[MedicarePrice, ...] = ()  # the same code with 26, TC or 53, when CMS prices those apart

    @property
    def has_price(self) -> bool:
        return self.non_facility_amount is not None or self.facility_amount is not None

    def for_modifiers(self, modifiers: Iterable[str]) -> MedicarePrice:
        """The price that fits a billed line: its 26, TC or 53 part when the line carries that modifier."""
        wanted = {m.strip().upper() for m in modifiers}
        return next((part for part in self.parts if part.modifier in wanted), self)


def _fee_query(codes):
    from billexplain.coding.models import MedicareFee

    return MedicareFee.objects.filter(code__in=codes).values_list(
        "code", "modifier", "year", "status_code", "non_facility_amount", "facility_amount", "source"
    )


def _fee_rows(codes):
    """Each code's rows in the schedule (every year and modifier), as tuples."""
    by_code = {}
    for row in _fee_query(codes):
        by_code.setdefault(row[0], []).append(row)
    return {code: tuple(rows) for code, rows in by_code.items()}


def medicare_prices(codes: Iterable[str], *, year: int | None = None, kept=None) -> dict[str, MedicarePrice]:
    """Code -> its Medicare price (the newest year loaded, unless `year` is given).

    Codes are matched upper-cased and stripped; a code the schedule does not list
    is left out. Each price carries its 26/TC/53 rows in `parts`. The rows come from
    what this worker keeps (coding/reference.py; `kept`, a snapshot the caller read already),
    or from one query for a given year.
    """
    from billexplain.coding import reference

    wanted = {code.strip().upper() for code in codes if code and code.strip()}
    if not wanted:
        return {}
    if year is None:
        by_code = (reference.current() if kept is None else kept).rows("fees", sorted(wanted), _fee_rows)
        rows = [row for code_rows in by_code.values() for row in code_rows]
    else:
        rows = _fee_query(wanted).filter(year=year)
    by_year: dict[str, dict[int, dict[str, MedicarePrice]]] = {}
    for code, modifier, row_year, status, non_facility, facility, source in rows:
        note = price_note(code, status, non_facility, facility, year=row_year, modifier=modifier)
        price = MedicarePrice(code, modifier, row_year, status, non_facility, facility, note, source)
        by_year.setdefault(code, {}).setdefault(row_year, {})[modifier] = price

    prices = {}
    for code, years in by_year.items():
        rows_of_year = years[max(years)]
        whole = rows_of_year.get(GLOBAL)
        if whole is None:
            continue  # CMS lists every code's global row; a lone part row is not a price for the code
        parts = tuple(rows_of_year[m] for m in PARTS if m in rows_of_year)
        prices[code] = replace(whole, parts=parts)
    return prices
