"""The CMS Alpha-Numeric HCPCS file -> records, and records -> the database.

CMS publishes each quarterly release as a zip holding the same data twice: an
Excel workbook (one row per code) and a fixed-width TXT whose long descriptions
run over continuation lines. Both forms, and the zip itself, are read here; the
record layout is in ../shared/data/hcpcs/SOURCE.md.

Parsing is pure (bytes in, frozen dataclasses out) and never imports the ORM, so
it can be tested and reused without a database. `apply_release` is the one
function that writes, and it imports the models when it runs.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit
from urllib.request import Request, urlopen

# A release zip is about 2 MB and its TXT about 6 MB; these bounds leave a wide
# margin while refusing a hostile file before it fills memory.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DOWNLOAD_TIMEOUT_SECONDS = 60  # for each wait on the network
DOWNLOAD_DEADLINE_SECONDS = 300  # for the whole download, so a trickling server cannot hold us
BATCH_SIZE = 500

PROCEDURE = "procedure"
MODIFIER = "modifier"


class HcpcsFileError(ValueError):
    """The bytes are not a CMS HCPCS file we can read; the message says why."""


@dataclass(frozen=True, slots=True)
class HcpcsRecord:
    """One HCPCS Level II procedure or supply code (record id 3)."""

    code: str
    long_description: str
    short_description: str = ""
    added_on: date | None = None
    effective_on: date | None = None
    ended_on: date | None = None
    action_code: str = ""
    coverage_code: str = ""
    betos: str = ""


@dataclass(frozen=True, slots=True)
class ModifierRecord:
    """One HCPCS Level II modifier (record id 7)."""

    code: str
    long_description: str
    short_description: str = ""
    added_on: date | None = None
    effective_on: date | None = None
    ended_on: date | None = None
    action_code: str = ""


@dataclass(frozen=True)
class HcpcsRelease:
    """Everything read from one CMS file."""

    name: str
    source_format: str
    codes: tuple[HcpcsRecord, ...]
    modifiers: tuple[ModifierRecord, ...]
    skipped_lines: int = 0

    @property
    def effective_on(self) -> date | None:
        """The day the release takes effect, when the name or the data tell us.

        Quarterly names carry it ("HCPC2025_OCT_ANWEB" -> 2025-10-01). Otherwise the
        latest action effective date in the file is the release's own date: CMS
        dates every add, change and discontinuation in a release to that day.
        """
        match = _QUARTER_IN_NAME.search(self.name.upper())
        if match:
            return date(int(match["year"]), _QUARTER_MONTHS[match["month"]], 1)
        dates = [r.effective_on for r in (*self.codes, *self.modifiers) if r.effective_on]
        return max(dates, default=None)


@dataclass(frozen=True)
class Counts:
    added: int = 0
    changed: int = 0
    ended: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.added} added, {self.changed} changed, {self.ended} ended, {self.unchanged} unchanged"


@dataclass(frozen=True)
class ImportResult:
    release: str
    codes: Counts
    modifiers: Counts

    def __str__(self):
        return f"{self.release}: codes {self.codes}; modifiers {self.modifiers}"


_QUARTER_IN_NAME = re.compile(r"(?P<year>(?:19|20)\d\d)_?(?P<month>JAN|APR|JUL|OCT)")
_QUARTER_MONTHS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
_PROCEDURE_CODE = re.compile(r"[A-Z0-9]{5}")
_MODIFIER_CODE = re.compile(r"[A-Z0-9]{2}")
_DATE = re.compile(r"\d{8}")

# ---------------------------------------------------------------------------
# Reading a path or a URL
# ---------------------------------------------------------------------------


def read_source(source: str, *, limit: int | None = None) -> tuple[str, bytes]:
    """Return (file name, bytes) for a local path or an http(s) URL."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", source):
        name = unquote(PurePosixPath(urlsplit(source).path).name)
        return name, download(source, limit=limit)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > limit:
            raise HcpcsFileError(f"the file is {size:,} bytes; the limit is {limit:,}")
        return path.name, path.read_bytes()
    except OSError as error:
        raise HcpcsFileError(f"cannot read the file: {error.strerror}") from None


def download(url: str, *, limit: int = MAX_FILE_BYTES, timeout: float = DOWNLOAD_TIMEOUT_SECONDS) -> bytes:
    """Fetch a URL into memory, refusing anything larger than `limit` bytes."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise HcpcsFileError("only http:// and https:// URLs can be downloaded")
    request = Request(url, headers={"User-Agent": "billexplain-import-hcpcs"})  # noqa: S310 (scheme checked above)
    chunks, total = [], 0
    deadline = time.monotonic() + DOWNLOAD_DEADLINE_SECONDS
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise HcpcsFileError(f"the download is {int(declared):,} bytes; the limit is {limit:,}")
            # The declared length may be absent or false: count what actually arrives.
            while chunk := response.read(1024 * 1024):
                total += len(chunk)
                if total > limit:
                    raise HcpcsFileError(f"the download is over the limit of {limit:,} bytes")
                if time.monotonic() > deadline:
                    raise HcpcsFileError(f"the download took longer than {DOWNLOAD_DEADLINE_SECONDS} seconds")
                chunks.append(chunk)
    except HTTPError as error:
        raise HcpcsFileError(f"the server answered {error.code} {error.reason}") from None
    except URLError as error:
        raise HcpcsFileError(f"cannot download: {error.reason}") from None
    except (TimeoutError, OSError) as error:
        raise HcpcsFileError(f"cannot download: {error}") from None
    return b"".join(chunks)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def parse_hcpcs_file(data: bytes, name: str = "") -> HcpcsRelease:
    """Read a release zip, an XLSX or a fixed-width TXT, told apart by their bytes."""
    if not data:
        raise HcpcsFileError("the file is empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise HcpcsFileError("this is an old Excel .xls workbook: use the .xlsx or .txt file from the CMS zip")
    if data.startswith(b"PK"):
        archive = _open_zip(data)
        if "[Content_Types].xml" in archive.namelist():
            return parse_xlsx(data, name)
        return _parse_zip(archive, name)
    return parse_txt(data, name)


def parse_zip(data: bytes, name: str = "") -> HcpcsRelease:
    """Read the CMS release zip: its data member is the one named ...ANWEB..."""
    return _parse_zip(_open_zip(data), name)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise HcpcsFileError(f"the file starts like a zip but is not a readable zip ({error})") from None


def _parse_zip(archive: zipfile.ZipFile, name: str) -> HcpcsRelease:
    member = _data_member(archive)
    if member.file_size > MAX_UNCOMPRESSED_BYTES:
        raise HcpcsFileError(
            f"{member.filename} unpacks to {member.file_size:,} bytes; the limit is {MAX_UNCOMPRESSED_BYTES:,}"
        )
    data = _read_member(archive, member, MAX_UNCOMPRESSED_BYTES)
    inner = parse_hcpcs_file(data, PurePosixPath(member.filename).name)
    return HcpcsRelease(
        name=inner.name,
        source_format=f"zip/{inner.source_format}",
        codes=inner.codes,
        modifiers=inner.modifiers,
        skipped_lines=inner.skipped_lines,
    )


def _data_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    candidates = []
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or "__MACOSX" in path.parts or path.name.startswith("."):
            continue
        if "ANWEB" in path.name.upper() and path.suffix.lower() in (".txt", ".xlsx"):
            candidates.append(info)
    if not candidates:
        names = ", ".join(archive.namelist()[:10]) or "nothing"
        raise HcpcsFileError(f"the zip holds no HCPCS data file (a .txt or .xlsx named ...ANWEB...); it holds {names}")
    # The TXT is the record layout CMS documents and fills ACT EFF DT where older
    # workbooks left it blank. Among same-type members the plainest name wins,
    # so a "..._ANWEB_Transaction Report.xlsx" never beats the data file.
    return min(
        candidates,
        key=lambda info: (
            PurePosixPath(info.filename).suffix.lower() != ".txt",
            " " in info.filename,
            len(info.filename),
            info.filename,
        ),
    )


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    chunks, total = [], 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1024 * 1024):
                total += len(chunk)
                if total > limit:
                    raise HcpcsFileError(f"{member.filename} unpacks to more than {limit:,} bytes")
                chunks.append(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        raise HcpcsFileError(f"cannot unpack {member.filename} ({error})") from None
    return b"".join(chunks)


# One physical line (TXT) or row (XLSX), before continuation lines are merged.
@dataclass(frozen=True, slots=True)
class _Line:
    where: str
    code: str
    sequence: int
    record_id: str
    description: str
    short_description: str = ""
    coverage_code: str = ""
    betos: str = ""
    added: str = ""
    effective: str = ""
    terminated: str = ""
    action_code: str = ""


_FIRST_LINE = {"3": PROCEDURE, "7": MODIFIER}
_CONTINUATION = {"4": PROCEDURE, "8": MODIFIER}


def _assemble(lines: Iterable[_Line]) -> tuple[tuple[HcpcsRecord, ...], tuple[ModifierRecord, ...]]:
    firsts: dict[tuple[str, str], _Line] = {}
    pieces: dict[tuple[str, str], list[tuple[int, str]]] = {}
    orphans: dict[tuple[str, str], str] = {}
    for line in lines:
        kind = _FIRST_LINE.get(line.record_id) or _CONTINUATION[line.record_id]
        _check_code(kind, line)
        key = (kind, line.code)
        if line.record_id in _FIRST_LINE:
            if key in firsts:
                raise HcpcsFileError(f"{line.where}: {line.code.strip()} appears twice (first at {firsts[key].where})")
            firsts[key] = line
        else:
            orphans.setdefault(key, line.where)
        pieces.setdefault(key, []).append((line.sequence, line.description))
    for key, where in orphans.items():
        if key not in firsts:
            raise HcpcsFileError(f"{where}: a continuation line for {key[1].strip()} has no first line")

    codes, modifiers = [], []
    for key, first in firsts.items():
        # Pieces are word-wrapped with their edge blanks trimmed: a single space rejoins them.
        parts = (text.strip() for _, text in sorted(pieces[key], key=lambda piece: piece[0]))
        description = " ".join(part for part in parts if part)
        common = {
            "code": first.code.strip(),
            "long_description": description,
            "short_description": _check_length(first, "short description", first.short_description, 40),
            "added_on": _date(first.added, first.where),
            "effective_on": _date(first.effective, first.where),
            "ended_on": _date(first.terminated, first.where),
            "action_code": _check_length(first, "action code", first.action_code, 1),
        }
        if key[0] == PROCEDURE:
            codes.append(
                HcpcsRecord(
                    **common,
                    coverage_code=_check_length(first, "coverage code", first.coverage_code, 1),
                    betos=_check_length(first, "BETOS", first.betos, 3),
                )
            )
        else:
            modifiers.append(ModifierRecord(**common))
    if not codes and not modifiers:
        raise HcpcsFileError("no HCPCS records found")
    return tuple(codes), tuple(modifiers)


def _check_code(kind: str, line: _Line) -> None:
    if kind == PROCEDURE:
        ok = _PROCEDURE_CODE.fullmatch(line.code)
    else:
        ok = _MODIFIER_CODE.fullmatch(line.code.strip()) and line.code[:-2].strip() == ""
    if not ok:
        raise HcpcsFileError(f"{line.where}: {line.code.strip()!r} is not a HCPCS {kind} code")


def _check_length(line: _Line, label: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise HcpcsFileError(f"{line.where}: the {label} {value[:50]!r} is longer than {limit} characters")
    return value


def _date(text: str, where: str) -> date | None:
    if not text or set(text) == {"0"}:
        return None
    if _DATE.fullmatch(text):
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise HcpcsFileError(f"{where}: {text!r} is not a date (YYYYMMDD)")


def _release_name(*names: str) -> str:
    """The first name carrying CMS's ANWEB token, else the first name given."""
    stems = [PurePosixPath(n).stem.strip() for n in names if n and n.strip()]
    for stem in stems:
        if "ANWEB" in stem.upper():
            return stem[:40]
    return (stems[0] if stems else "unnamed HCPCS file")[:40]


# --- Fixed-width TXT -------------------------------------------------------

# A record line: code (procedure "A4648" or modifier "   LT"), sequence, record id.
_TXT_RECORD = re.compile(r"(?:[A-Z0-9]{5}|   [A-Z0-9]{2})\d{5}[3478]")


def _columns(line: str, first: int, last: int) -> str:
    """Columns first..last, 1-based and inclusive as in the CMS record layout."""
    return line[first - 1 : last].strip()


def parse_txt(data: bytes, name: str = "") -> HcpcsRelease:
    """Read the fixed-width TXT; lines that are not records (disclaimers, blanks) are skipped."""
    data = data.removeprefix(b"\xef\xbb\xbf")  # a BOM added by an editor would hide the first record
    try:
        # Windows-1252 names the curly quotes and dashes of SAS-on-Windows output;
        # a byte it leaves undefined means the file is plain Latin-1.
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    skipped = 0
    lines = []
    # Split on LF only: str.splitlines() would also split on U+0085 (NEL), byte 0x85 in Latin-1.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not _TXT_RECORD.match(line):
            skipped += bool(line.strip())
            continue
        where = f"line {number}"
        record_id = line[10]
        if record_id in _CONTINUATION:
            lines.append(_Line(where, line[:5], int(line[5:10]), record_id, _columns(line, 12, 91)))
            continue
        lines.append(
            _Line(
                where,
                code=line[:5],
                sequence=int(line[5:10]),
                record_id=record_id,
                description=_columns(line, 12, 91),
                short_description=_columns(line, 92, 119),
                coverage_code=_columns(line, 230, 230),
                betos=_columns(line, 257, 259),
                added=_columns(line, 269, 276),
                effective=_columns(line, 277, 284),
                terminated=_columns(line, 285, 292),
                action_code=_columns(line, 293, 293),
            )
        )
    if not lines:
        raise HcpcsFileError("no HCPCS records found: this is not a CMS HCPCS .txt, .xlsx or release .zip")
    codes, modifiers = _assemble(lines)
    return HcpcsRelease(_release_name(name), "txt", codes, modifiers, skipped)


# --- XLSX ------------------------------------------------------------------

# Header cells, compared with everything but letters and digits removed.
_XLSX_COLUMNS = {
    "code": ("HCPC", "HCPCS", "HCPCSCODE"),
    "sequence": ("SEQNUM",),
    "record_id": ("RECID",),
    "description": ("LONGDESCRIPTION",),
    "short_description": ("SHORTDESCRIPTION",),
    "coverage_code": ("COV",),
    "betos": ("BETOS",),
    "added": ("ADDDT",),
    "effective": ("ACTEFFDT",),
    "terminated": ("TERMDT",),
    "action_code": ("ACTIONCD",),
}
_XLSX_REQUIRED = ("code", "record_id", "description")
_HEADER_SEARCH_ROWS = 30


def parse_xlsx(data: bytes, name: str = "") -> HcpcsRelease:
    """Read the CMS workbook: one row per code, the header somewhere near the top."""
    archive = _open_zip(data)
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise HcpcsFileError(f"the workbook unpacks to {unpacked:,} bytes; the limit is {MAX_UNCOMPRESSED_BYTES:,}")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken workbook
        raise HcpcsFileError(f"cannot open the workbook ({type(error).__name__}: {error})") from None
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            found = _find_header(rows)
            if found is None:
                continue
            header_number, columns = found
            read = list(_xlsx_lines(rows, columns, header_number + 1))
            lines = [line for line in read if line is not None]
            if not lines:
                raise HcpcsFileError(f"sheet {sheet.title!r} has a header but no HCPCS records")
            codes, modifiers = _assemble(lines)
            return HcpcsRelease(_release_name(name, sheet.title), "xlsx", codes, modifiers, len(read) - len(lines))
    except HcpcsFileError:
        raise
    except Exception as error:  # a damaged sheet fails while streaming, not at open
        raise HcpcsFileError(f"cannot read the workbook ({type(error).__name__}: {error})") from None
    finally:
        workbook.close()
    raise HcpcsFileError("no sheet has a HCPCS header row (HCPC, RECID, LONG DESCRIPTION)")


def _find_header(rows: Iterator[tuple]) -> tuple[int, dict[str, int]] | None:
    wanted = {alias: key for key, aliases in _XLSX_COLUMNS.items() for alias in aliases}
    for number, row in enumerate(rows, start=1):
        if number > _HEADER_SEARCH_ROWS:
            return None
        columns: dict[str, int] = {}
        for index, cell in enumerate(row):
            key = wanted.get(re.sub(r"[^A-Z0-9]", "", str(cell or "").upper()))
            if key and key not in columns:
                columns[key] = index
        if all(key in columns for key in _XLSX_REQUIRED):
            return number, columns
    return None


def _xlsx_lines(rows: Iterator[tuple], columns: dict[str, int], first_number: int) -> Iterator[_Line | None]:
    """A _Line per data row; None for a row that holds words but no record id (a note)."""
    for number, row in enumerate(rows, start=first_number):
        values = {key: _cell_text(row[index] if index < len(row) else None) for key, index in columns.items()}
        record_id = values["record_id"]
        if not record_id:
            if any(values.values()):
                yield None
            continue
        if record_id not in _FIRST_LINE and record_id not in _CONTINUATION:
            raise HcpcsFileError(f"row {number}: RECID {record_id!r} is not 3, 4, 7 or 8")
        code = values["code"]
        # Modifiers sit in the HCPC cell with three leading spaces ("   LT"); keep the TXT shape.
        code = code if len(code) != 2 else code.rjust(5)
        sequence = values.get("sequence", "")
        yield _Line(
            where=f"row {number}",
            code=code,
            sequence=int(sequence) if sequence.isdigit() else 0,
            record_id=record_id,
            description=values["description"],
            short_description=values.get("short_description", ""),
            coverage_code=values.get("coverage_code", ""),
            betos=values.get("betos", ""),
            added=values.get("added", ""),
            effective=values.get("effective", ""),
            terminated=values.get("terminated", ""),
            action_code=values.get("action_code", ""),
        )


def _cell_text(value) -> str:
    """Cells are text, but a few dates and ids arrive as numbers or Excel dates."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# ---------------------------------------------------------------------------
# Writing to the database
# ---------------------------------------------------------------------------

_CODE_FIELDS = (
    "long_description",
    "short_description",
    "added_on",
    "effective_on",
    "ended_on",
    "action_code",
    "coverage_code",
    "betos",
)


@dataclass
class _Tally:
    added: int = 0
    changed: int = 0
    ended: int = 0
    unchanged: int = 0
    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    refresh: list = field(default_factory=list)

    def counts(self) -> Counts:
        return Counts(self.added, self.changed, self.ended, self.unchanged)


def apply_release(release: HcpcsRelease, *, today: date | None = None) -> ImportResult:
    """Bring the database in line with one CMS release, in one transaction.

    Added: new codes. Ended: a code that gained a termination date, or one that
    left the file (kept, ended the day before this release takes effect, else
    today). Changed: any other difference in the official fields. Unchanged:
    the rest; they are re-labelled with this release without counting as
    changes, so a second import of the same file writes nothing. Nothing is
    deleted, and staff-written modifier text is never touched. A release older
    than the codes already loaded is refused (HcpcsFileError).
    """
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from billexplain.coding.models import CodeSet, HcpcsCode, Modifier

    effective = release.effective_on
    left_on = effective - timedelta(days=1) if effective else (today or timezone.localdate())
    reason = f"import_hcpcs {release.name}"[:100]

    with transaction.atomic():
        # An older file would end every code added since it and put back old wording:
        # patients would read "ended" on codes still in use.
        newest = HcpcsCode.objects.aggregate(newest=Max("added_on"))["newest"]
        if effective and newest and effective < newest:
            raise HcpcsFileError(
                f"{release.name} takes effect on {effective}, but codes CMS added on {newest} are already loaded; "
                "import a release at least that recent"
            )
        codes = _tally_codes(release, HcpcsCode, left_on)
        HcpcsCode.objects.bulk_create(codes.create, batch_size=BATCH_SIZE)
        HcpcsCode.objects.bulk_update(codes.update, [*_CODE_FIELDS, "release"], batch_size=BATCH_SIZE)
        _relabel(HcpcsCode, codes.refresh, release.name)

        modifiers = _tally_modifiers(release, Modifier, CodeSet.HCPCS2, left_on)
        fields = ["official_description", "ended_on", "release"]
        if hasattr(Modifier, "history"):
            # Staff see modifier history in the admin: say that the import made these edits.
            from simple_history.utils import bulk_create_with_history, bulk_update_with_history

            bulk_create_with_history(modifiers.create, Modifier, batch_size=BATCH_SIZE, default_change_reason=reason)
            bulk_update_with_history(
                modifiers.update, Modifier, fields, batch_size=BATCH_SIZE, default_change_reason=reason
            )
        else:
            Modifier.objects.bulk_create(modifiers.create, batch_size=BATCH_SIZE)
            Modifier.objects.bulk_update(modifiers.update, fields, batch_size=BATCH_SIZE)
        _relabel(Modifier, modifiers.refresh, release.name)

    return ImportResult(release.name, codes.counts(), modifiers.counts())


def _tally_codes(release: HcpcsRelease, model, left_on: date) -> _Tally:
    tally = _Tally()
    existing = model.objects.in_bulk()
    for record in release.codes:
        values = {name: getattr(record, name) for name in _CODE_FIELDS}
        row = existing.pop(record.code, None)
        if row is None:
            tally.create.append(model(code=record.code, release=release.name, **values))
            tally.added += 1
        else:
            _compare(tally, row, values, release.name)
    # A file without a single procedure code (a modifiers-only extract) says nothing about codes.
    for row in existing.values() if release.codes else ():
        _left_the_file(tally, row, left_on)
    return tally


def _tally_modifiers(release: HcpcsRelease, model, code_set: str, left_on: date) -> _Tally:
    tally = _Tally()
    existing = model.objects.in_bulk()
    for record in release.modifiers:
        values = {"official_description": record.long_description, "ended_on": record.ended_on}
        row = existing.pop(record.code, None)
        if row is None:
            tally.create.append(
                model(code=record.code, code_set=code_set, plain_language="", release=release.name, **values)
            )
            tally.added += 1
        else:
            _compare(tally, row, values, release.name)
    for row in existing.values() if release.modifiers else ():
        # Only a modifier an earlier CMS file brought in can leave one; rows staff
        # typed (no release) and CPT modifiers are not ours to end.
        if row.code_set == code_set and row.release:
            _left_the_file(tally, row, left_on)
    return tally


def _compare(tally: _Tally, row, values: dict, release_name: str) -> None:
    if all(getattr(row, name) == value for name, value in values.items()):
        tally.unchanged += 1
        if row.release != release_name:
            tally.refresh.append(row.pk)
        return
    newly_ended = row.ended_on is None and values["ended_on"] is not None
    for name, value in values.items():
        setattr(row, name, value)
    row.release = release_name
    tally.update.append(row)
    if newly_ended:
        tally.ended += 1
    else:
        tally.changed += 1


def _left_the_file(tally: _Tally, row, left_on: date) -> None:
    if row.ended_on is not None:
        tally.unchanged += 1
        return
    row.ended_on = left_on
    tally.update.append(row)
    tally.ended += 1


def _relabel(model, keys: list, release_name: str) -> None:
    for start in range(0, len(keys), BATCH_SIZE):
        model.objects.filter(pk__in=keys[start : start + BATCH_SIZE]).update(release=release_name)
