"""How fast billexplain reads bills and serves patients: `make bench`.

Prints one table. Each figure is the median of several runs. Each ratio compares two
figures measured side by side in this same run (their runs interleaved), so a busy
machine slows both sides alike. A row with a target says PASS or FAIL.

It is a measurement, not a test: it exits 0 unless something crashes (a section
that crashes prints ERROR in its row, the others still run, and the exit code is 1).

Everything it makes lives in a temporary folder and is removed at the end: the
synthetic bills (reportlab), a throwaway SQLite database with the fixtures (and the
CMS HCPCS file when the import can be timed), collected static files, and a gunicorn
on a free port of 127.0.0.1 driven by wrk. The app runs as in production: DEBUG off,
a throwaway SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 (and BILL_MAX_PAGES=100, so that the
100-page bill is read at all, and RATELIMIT_EXPLAIN lifted, so that wrk's thousands of
posts from one address are explained, not answered "please wait").

In-process times are CPU seconds by default: on an idle machine they equal wall-clock
seconds for this single-threaded work, and on a shared one other people's jobs do not
inflate them. HTTP figures are wall-clock, with the server's CPU per request beside them.

    .venv/bin/python tests/bench/bench.py               # the whole table, 4 to 5 minutes
    .venv/bin/python tests/bench/bench.py --quick       # fewer runs, to check the script
    .venv/bin/python tests/bench/bench.py --only text   # one section (import, pdf, memory, text, ocr, http)
"""

import argparse
import contextlib
import gc
import http.client
import io
import json
import os
import random
import re
import resource
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HCPCS_FILE = ROOT.parent / "shared" / "data" / "hcpcs" / "HCPC2025_OCT_ANWEB.xlsx"
IMPORT_COMMAND = ROOT / "billexplain" / "coding" / "management" / "commands" / "import_hcpcs.py"
OCR_MODULE = ROOT / "billexplain" / "bills" / "ocr.py"
PYTHON = sys.executable
WRK = shutil.which("wrk") or "/usr/bin/wrk"

# --- synthetic itemized hospital bills -------------------------------------------------

# (revenue code, code as it is billed, description, unit charge, most units). An empty
# code is a line that bills no CPT/HCPCS code (pharmacy lines often do not).
SERVICES = [
    ("0450", "99285-25", "EMERGENCY DEPT VISIT HIGH SEVERITY", 2964.00, 1),
    ("0450", "99284", "EMERGENCY DEPT VISIT MOD SEVERITY", 1850.00, 1),
    ("0510", "99213-25", "CLINIC VISIT EST PATIENT LOW", 212.00, 1),
    ("0762", "G0378", "OBSERVATION ROOM PER HOUR", 140.00, 24),
    ("0300", "36415", "VENIPUNCTURE ROUTINE", 28.00, 3),
    ("0301", "80053", "COMPREHENSIVE METABOLIC PANEL", 212.00, 2),
    ("0305", "85025", "CBC WITH AUTO DIFF", 96.00, 2),
    ("0301", "84484", "TROPONIN QUANTITATIVE", 126.00, 3),
    ("0301", "83880", "NATRIURETIC PEPTIDE BNP", 211.00, 1),
    ("0307", "81001", "URINALYSIS AUTO W SCOPE", 44.00, 1),
    ("0306", "87635", "SARS-COV-2 AMPLIFIED PROBE", 190.00, 1),
    ("0324", "71046", "CHEST XRAY 2 VIEWS", 318.00, 1),
    ("0320", "73610-RT", "XRAY ANKLE COMPLETE 3 VIEWS", 274.00, 1),
    ("0350", "70450", "CT HEAD WO CONTRAST", 2140.00, 1),
    ("0352", "74177", "CT ABD PELVIS W CONTRAST", 4320.00, 1),
    ("0255", "Q9967", "CONTRAST LOCM 300-399 PER ML", 5.50, 100),
    ("0730", "93005", "ECG TRACING ONLY", 244.00, 2),
    ("0483", "93306", "ECHO TTE COMPLETE W DOPPLER", 1740.00, 1),
    ("0260", "96360", "IV HYDRATION INITIAL 31-60 MIN", 402.00, 1),
    ("0260", "96374", "IV PUSH SINGLE INITIAL DRUG", 318.00, 1),
    ("0260", "96375 59", "IV PUSH EACH ADDL SEQUENTIAL", 176.00, 3),
    ("0636", "J2405 JZ", "ONDANSETRON HCL INJ PER 1 MG", 22.00, 4),
    ("0636", "J1100", "DEXAMETHASONE SOD PHOS INJ 1 MG", 12.50, 10),
    ("0636", "J1885", "KETOROLAC TROMETHAMINE INJ 15 MG", 31.00, 2),
    ("0636", "J2270", "MORPHINE SULFATE INJ UP TO 10 MG", 48.00, 2),
    ("0636", "J0696", "CEFTRIAXONE SODIUM INJ PER 250 MG", 39.00, 4),
    ("0636", "J1644:JZ", "HEPARIN SODIUM PER 1000 UNITS", 12.00, 5),
    ("0258", "J7030", "NORMAL SALINE SOLUTION 1000 CC", 118.00, 2),
    ("0258", "J7120", "RINGERS LACTATE UP TO 1000 CC", 121.00, 1),
    ("0270", "A6402", "GAUZE STERILE PAD 16 SQ IN", 4.25, 6),
    ("0270", "A4550", "SURGICAL TRAY", 86.00, 1),
    ("0410", "94640", "NEBULIZER TREATMENT", 156.00, 2),
    ("0460", "94760", "PULSE OXIMETRY SINGLE", 58.00, 1),
    ("0450", "12002", "SIMPLE REPAIR WOUND 2.6-7.5 CM", 688.00, 1),
    ("0250", "", "ASPIRIN 81MG CHEW TAB", 1.50, 4),
    ("0250", "", "ACETAMINOPHEN 500MG TAB", 0.90, 2),
    ("0250", "", "METFORMIN 500MG TAB", 1.70, 2),
]
LINES_PER_PAGE = 35
HOSPITAL = "SAINT BRENDAN REGIONAL MEDICAL CENTER"


@dataclass(frozen=True)
class Item:
    day: date
    rev: str
    code: str
    description: str
    units: int
    charge: float

    @property
    def billed_code(self):
        return bool(self.code)


def bill_items(count, seed=2025):
    """A deterministic itemized bill: `count` lines over a few days of a stay."""
    rng = random.Random(seed)
    start = date(2025, 3, 12)
    items = []
    for index in range(count):
        rev, code, description, price, most = rng.choice(SERVICES)
        units = rng.randint(1, most)
        items.append(
            Item(start + timedelta(days=index * 3 // max(count, 1)), rev, code, description, units, price * units)
        )
    return items


def money(value):
    return f"{value:,.2f}"


def header_lines(page, pages):
    return [
        f"{HOSPITAL}        ITEMIZED STATEMENT OF HOSPITAL SERVICES",
        "1400 Orchard Lane, Springfield, IL 62704        Customer service (217) 555-0148",
        "Patient: Dana R. Whitfield    Account # 4471203    Guarantor # 88213    Claim 61742",
        f"Admit 03/12/2025    Discharge 03/15/2025    Statement date 03/20/2025    Page {page} of {pages}",
    ]


def bill_pdf(items, lines_per_page=LINES_PER_PAGE, font_size=8.5):
    """The items as an itemized statement PDF, `lines_per_page` table lines a page."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    width, height = letter
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=letter, invariant=1)
    chunks = [items[i : i + lines_per_page] for i in range(0, len(items), lines_per_page)] or [[]]
    step = min(16.0, (height - 150) / max(lines_per_page, 1))
    for number, chunk in enumerate(chunks, start=1):
        y = height - 40
        sheet.setFont("Helvetica-Bold", 11)
        for text in header_lines(number, len(chunks)):
            sheet.drawString(36, y, text)
            sheet.setFont("Helvetica", 9)
            y -= 13
        y -= 10
        sheet.setFont("Helvetica-Bold", font_size)
        for x, label in ((36, "Date"), (96, "Rev"), (130, "CPT/HCPCS"), (200, "Description")):
            sheet.drawString(x, y, label)
        sheet.drawRightString(470, y, "Units")
        sheet.drawRightString(570, y, "Charge")
        sheet.setFont("Helvetica", font_size)
        for item in chunk:
            y -= step
            sheet.drawString(36, y, item.day.strftime("%m/%d/%Y"))
            sheet.drawString(96, y, item.rev)
            sheet.drawString(130, y, item.code)
            sheet.drawString(200, y, item.description)
            sheet.drawRightString(470, y, str(item.units))
            sheet.drawRightString(570, y, money(item.charge))
        y -= step * 1.5
        sheet.drawString(380, y, "Page total")
        sheet.drawRightString(570, y, money(sum(item.charge for item in chunk)))
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def bill_text(items, lines_per_page=LINES_PER_PAGE):
    """The same bill as a patient pastes it: a text table, page headers included."""
    chunks = [items[i : i + lines_per_page] for i in range(0, len(items), lines_per_page)] or [[]]
    out = []
    for number, chunk in enumerate(chunks, start=1):
        out.extend(header_lines(number, len(chunks)))
        out.append(f"{'Date':<12}{'Rev':<6}{'CPT/HCPCS':<11}{'Description':<36}{'Units':>6}{'Charge':>12}")
        for item in chunk:
            day = item.day.strftime("%m/%d/%Y")
            out.append(
                f"{day:<12}{item.rev:<6}{item.code:<11}{item.description:<36}{item.units:>6}{money(item.charge):>12}"
            )
        out.append(f"{'Page total':>65}{money(sum(item.charge for item in chunk)):>12}")
        out.append("")
    return "\n".join(out) + "\n"


def text_of_size(size):
    """Pasted bill text of at most `size` characters, cut at a line end."""
    items = bill_items(size // 60 + LINES_PER_PAGE, seed=size)
    text = bill_text(items)
    while len(text) < size:
        text += text
    return text[: text.rfind("\n", 0, size) + 1]


# --- timing helpers --------------------------------------------------------------------


def cpu_seconds():
    """CPU seconds of this process and of the children it has waited for (tesseract, manage.py).

    On an idle machine they equal wall seconds for this single-threaded work; on a shared
    one, other people's jobs do not inflate them."""
    children = os.times()  # in clock ticks (10 ms); process_time has nanoseconds
    return time.process_time() + children.children_user + children.children_system


CLOCKS = {"cpu": cpu_seconds, "wall": time.perf_counter}
CLOCK = "cpu"  # --wall switches the in-process figures to wall-clock seconds


def interleaved(functions, runs, clock=None):
    """Median seconds of each function, the functions taking turns run after run."""
    now = CLOCKS[clock or CLOCK]
    times = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            gc.collect()
            start = now()
            function()
            times[name].append(now() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def seconds(value):
    if value is None:
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} s"


def ratio(value, reference):
    if not reference:
        return "-"
    r = value / reference
    return f"{r:.2f}x" if r < 10 else f"{r:.0f}x"


def verdict(ok):
    return "PASS" if ok else "FAIL"


class Table:
    COLUMNS = ("measure", "median", "compared with", "its median", "ratio", "target", "result")

    def __init__(self):
        self.rows = []
        self.notes = []
        self.crashed = False

    def add(self, measure, value, against="", reference="", rate="", target="", result=""):
        self.rows.append((measure, value, against, reference, rate, target, result))

    def section(self, title):
        self.rows.append((title,))

    def error(self, title, error):
        self.crashed = True
        self.add(title, "ERROR", result="ERROR")
        self.notes.append(f"{title}: {type(error).__name__}: {error}")
        traceback.print_exc(file=sys.stderr)

    def render(self):
        full = [row for row in self.rows if len(row) > 1]
        widths = [max(len(str(row[i])) for row in [self.COLUMNS, *full]) for i in range(len(self.COLUMNS))]
        line = "  ".join("-" * w for w in widths)
        out = ["  ".join(c.ljust(w) for c, w in zip(self.COLUMNS, widths, strict=True)), line]
        for row in self.rows:
            if len(row) == 1:
                out.append(f"[{row[0]}]")
            else:
                out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        out.append(line)
        out.extend(f"* {note}" for note in self.notes)
        return "\n".join(out)


def finish_start_up_threads():
    """The app loads some data in background threads at start-up; let them finish before timing."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(timeout=120)


def say(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- the environment the app runs in -----------------------------------------------------


def production_env(workdir, database):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="billexplain.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),  # throwaway, for this run only
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{database}",
        STATIC_ROOT=str(workdir / "static"),
        SECURE_SSL_REDIRECT="false",  # plain HTTP on 127.0.0.1
        BILL_MAX_PAGES="100",  # the 100-page bill must be read; production's default limit is lower
        BILL_PARSE_SECONDS="120",  # and parsed in its child process without hitting the CPU limit
        RATELIMIT_EXPLAIN="1000000/m",  # wrk is one client posting thousands of bills: measure the work, not the 429s
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env, *args, timeout=600):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def checked(process):
    if process.returncode != 0:
        tail = (process.stderr or process.stdout or "").strip().splitlines()[-3:]
        raise RuntimeError(" / ".join(tail) or f"exit code {process.returncode}")
    return process


def prepare_database(env):
    checked(manage(env, "migrate", "--verbosity", "0"))
    fixtures = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
    if fixtures:
        checked(manage(env, "loaddata", "--verbosity", "0", *fixtures))


# --- sections ----------------------------------------------------------------------------


def bench_import(table, args, workdir, base_db):
    """Times `manage.py import_hcpcs` on fresh copies of the migrated database; returns the imported one."""
    title = "CMS HCPCS import (full XLSX)"
    if not HCPCS_FILE.exists():
        table.add(title, "skipped", target="< 30 s", result="SKIP")
        table.notes.append(f"HCPCS import skipped: {HCPCS_FILE} is absent.")
        return None
    if not IMPORT_COMMAND.exists():
        table.add(title, "skipped", target="< 30 s", result="SKIP")
        table.notes.append("HCPCS import skipped: `manage.py import_hcpcs` does not exist yet.")
        return None
    say("importing the CMS HCPCS file")
    times, database = [], None
    for run in range(args.import_runs):
        database = workdir / f"import-{run}.sqlite3"
        shutil.copyfile(base_db, database)
        env = production_env(workdir, database)
        start = CLOCKS[CLOCK]()
        checked(manage(env, "import_hcpcs", str(HCPCS_FILE), timeout=300))
        times.append(CLOCKS[CLOCK]() - start)
        if sum(times) > 45:  # keep the whole bench near five minutes
            break
    median = statistics.median(times)
    table.add(f"{title}, into SQLite", seconds(median), target="< 30 s", result=verdict(median < 30))
    table.notes.append(
        f"HCPCS import: `manage.py import_hcpcs {HCPCS_FILE.name}` as a fresh process (Django start-up included), "
        f"median of {len(times)}; the benchmarks below run on the imported database."
    )
    return database


def read_with_pdfplumber(data):
    import pdfplumber

    words = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words += len(page.extract_words())
            page.close()
    return words


def read_with_pdfium(data):
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        characters = 0
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            characters += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return characters
    finally:
        document.close()


def bench_pdf(table, args, bills):
    from billexplain.bills.explain import explain_file

    explain_file("warm-up.pdf", bills[1][0])  # imports, database connection, caches
    for pages, runs in args.pdf_sizes:
        say(f"PDF, {pages} pages")
        data, expected = bills[pages]
        last = {}
        medians = interleaved(
            {
                "explain": lambda data=data, last=last: last.update(result=explain_file("bill.pdf", data)),
                "words": lambda data=data: read_with_pdfplumber(data),
                "pdfium": lambda data=data: read_with_pdfium(data),
            },
            runs,
        )
        ours, words, floor = medians["explain"], medians["words"], medians["pdfium"]
        label = f"PDF {pages} p: explain_file ({seconds(ours / pages)}/page)"
        target, result = "", ""
        if pages == 20:
            target, result = "<= 1.3x", verdict(ours / words <= 1.3)
        table.add(label, seconds(ours), "pdfplumber extract_words", seconds(words), ratio(ours, words), target, result)
        table.add("", "", "pypdfium2 text (floor)", seconds(floor), ratio(ours, floor))
        found = len(last["result"].items)
        if found != expected:
            table.notes.append(f"PDF {pages} pages: explain found {found} line items of the {expected} billed.")
    table.notes.append(
        f"PDF bills: synthetic itemized statements, {LINES_PER_PAGE} lines a page (date, rev code, CPT/HCPCS "
        "with modifiers, description, units, charge) under a header with ZIP, phone and account numbers; "
        "pdfplumber reads every page with extract_words and closes it; runs per size: "
        + ", ".join(f"{p} p x{r}" for p, r in args.pdf_sizes)
        + "."
    )


def memory_kib(field):
    """VmRSS (now) or VmHWM (peak) of this process, in KiB; None where /proc is missing.
    Not ru_maxrss: Linux carries it over from the parent that forked us, and ours is large."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_memory():
    """Start VmHWM again from the current RSS (Linux 4.0+), so the next peak is the bill's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_memory_child(path):
    """Run in a fresh process: peak resident memory of explaining one PDF."""
    import django

    django.setup()
    from billexplain.bills.explain import explain_file, explain_text

    explain_text("03/14/2025 99213 Office visit $150.00")  # imports and the database connection
    finish_start_up_threads()
    start_up_peak, before = memory_kib("VmHWM"), memory_kib("VmRSS")
    if before is None or not reset_peak_memory():
        start_up_peak = before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = explain_file("bill.pdf", Path(path).read_bytes())
    bill_peak = memory_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"start_up_peak": start_up_peak, "before": before, "bill_peak": bill_peak, "items": len(result.items)}
        )
    )


def bench_memory(table, args, env, path):
    say("peak memory, 100 pages")
    runs = []
    for _ in range(args.memory_runs):
        process = checked(
            subprocess.run(
                [PYTHON, __file__, "--peak-memory", str(path)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        )
        runs.append(json.loads(process.stdout.strip().splitlines()[-1]))

    def mib(key):
        return statistics.median(run[key] for run in runs) / 1024

    bill_peak, before, start_up_peak = mib("bill_peak"), mib("before"), mib("start_up_peak")
    peak = max(bill_peak, start_up_peak)
    table.add(
        "PDF 100 p: peak RSS while explaining it",
        f"{bill_peak:.0f} MiB",
        "RSS of the started app before it",
        f"{before:.0f} MiB",
        f"+{bill_peak - before:.0f} MiB",
    )
    table.add(
        "PDF 100 p: peak RSS of the whole process",
        f"{peak:.0f} MiB",
        "its peak during start-up",
        f"{start_up_peak:.0f} MiB",
        "",
        "< 300 MB",
        verdict(peak * 1024 * 1024 < 300e6),
    )
    table.notes.append(
        "Peak memory: a fresh Python process sets Django up, explains one small bill and lets start-up threads "
        "finish (the app loads the ICD-10 list then); VmRSS/VmHWM from /proc, the peak reset before the bill; "
        f"median of {len(runs)}."
    )


NAIVE = re.compile(r"\b(?:\d{5}|[A-V]\d{4})\b")


def bench_text(table, args):
    from billexplain.bills.explain import explain_text

    for size, runs in args.text_sizes:
        say(f"pasted text, {size:,} characters")
        text = text_of_size(size)
        medians = interleaved(
            {"explain": lambda text=text: explain_text(text), "naive": lambda text=text: NAIVE.findall(text)}, runs
        )
        label = {10_000: "10 KB", 100_000: "100 KB", 1_000_000: "1 MB"}.get(size, f"{size:,} chars")
        target, result = "", ""
        if size == 1_000_000:
            target, result = "< 1 s", verdict(medians["explain"] < 1)
        table.add(
            f"Text {label}: explain_text",
            seconds(medians["explain"]),
            "naive regex over the text",
            seconds(medians["naive"]),
            ratio(medians["explain"], medians["naive"]),
            target,
            result,
        )
    table.notes.append(
        "Pasted text: the same synthetic bill as a text table, repeated to size (1 MB = 1,000,000 characters, "
        "the app's limit); naive regex = \\b(\\d{5}|[A-V]\\d{4})\\b, for scale only."
    )


def scanned_pdf(data):
    """Page 1 of a bill as an image-only PDF, as a scanner makes it (300 dpi)."""
    import pypdfium2
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        image = page.render(scale=300 / 72).to_pil().convert("L")
        page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=letter, invariant=1)
    sheet.drawImage(ImageReader(image), 0, 0, width=letter[0], height=letter[1])
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def bench_ocr(table, args, one_page):
    title = "OCR: explain_file of a scanned page"
    if not OCR_MODULE.exists():
        table.add(title, "skipped", target="<= 4 s/page", result="SKIP")
        table.notes.append("OCR skipped: billexplain/bills/ocr.py does not exist yet.")
        return
    say("OCR of a scanned page")
    from billexplain.bills.explain import explain_file

    data, expected = one_page
    scan = scanned_pdf(data)
    found = len(explain_file("scan.pdf", scan).items)
    median = interleaved({"ocr": lambda: explain_file("scan.pdf", scan)}, args.ocr_runs)["ocr"]
    table.add(
        f"{title} (s/page)",
        seconds(median),
        "same page with its text layer",
        "",
        "",
        "<= 4 s/page",
        verdict(median <= 4),
    )
    note = f"OCR: page 1 of the bill rendered at 300 dpi into an image-only PDF; explain found {found} of {expected}."
    if not found:
        note += " No code found: explain_file may not call OCR yet, so the time may not include it."
    table.notes.append(note)


# --- HTTP under gunicorn -----------------------------------------------------------------

LUA = """
local threads = {}
wrk.method = %(method)s
%(body)s
%(headers)s
local marker = %(marker)s
local expect = %(expect)s

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  missing = 0
end

function response(status, headers, body)
  if expect then
    if status ~= expect then bad = bad + 1 end
  elseif status < 200 or status > 299 then
    bad = bad + 1
  elseif marker and not string.find(body, marker, 1, true) then
    missing = missing + 1
  end
end

function done(summary, latency, requests)
  local b, m = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    m = m + t:get("missing")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p99_us\\": %%d, " ..
    "\\"non2xx\\": %%d, \\"missing\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration, math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
    b, m, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(value):
    if value is None:
        return "nil"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_script(path, method="GET", body_file=None, headers=None, marker=None, expect=None):
    body = ""
    if body_file:
        body = f'local f = assert(io.open({lua_string(str(body_file))}, "rb"))\nwrk.body = f:read("*a")\nf:close()'
    lines = "\n".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in (headers or {}).items())
    path.write_text(
        LUA
        % {
            "method": lua_string(method),
            "body": body,
            "headers": lines,
            "marker": lua_string(marker),
            "expect": "nil" if expect is None else str(int(expect)),
        },
        encoding="utf-8",
    )
    return path


def run_wrk(url, script, seconds_, connections, threads=2):
    process = subprocess.run(
        [WRK, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds_}s", "--timeout", "10s"]
        + ["-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds_ + 60,
        check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            result = json.loads(line[len("BENCHJSON ") :])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            return result
    raise RuntimeError(f"wrk printed no result: {process.stdout[-300:]} {process.stderr[-300:]}")


def wait_until_idle(access_log, quiet=1.0, longest=60):
    """Return once the access log has not grown for `quiet` seconds."""
    deadline = time.monotonic() + longest
    size = -1
    while time.monotonic() < deadline:
        now = access_log.stat().st_size if access_log.exists() else 0
        if now == size:
            return
        size = now
        time.sleep(quiet)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def start_gunicorn(env, workdir, port):
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
            # No recycling: thousands of trivial requests would restart every worker mid-run.
            "GUNICORN_MAX_REQUESTS": "0",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stop() can end every worker too
    )
    process.log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _, _ = http_get(port, "/")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop(process)
    tail = (workdir / "gunicorn.log").read_text(errors="replace").strip().splitlines()[-5:]
    raise RuntimeError("gunicorn did not start: " + " / ".join(tail))


def stop(process):
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(20)
    # A worker stuck in a request outlives a killed master: end the whole group we started.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.log.close()


def csrf_token(port):
    status, headers, _ = http_get(port, "/")
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("csrftoken="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"GET / gave no csrftoken cookie (status {status})")


def multipart(fields, files, boundary):
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content_type, data) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_cpu(pid, reaped_children=False):
    # /proc/PID/stat after the command name: state is field 0, utime 11, stime 12, cutime 13, cstime 14
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def server_cpu(master):
    """CPU seconds gunicorn has used: the master, its live workers, and the workers it replaced."""
    total = _process_cpu(master, reaped_children=True)
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        # a worker being replaced may be gone: its time moves to the master's reaped children
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += _process_cpu(child)
    return total


def served(access_log):
    return access_log.read_bytes().count(b"\n") if access_log.exists() else 0


def bench_http(table, args, env, workdir, typical):
    from urllib.parse import urlencode

    text, pdf, marker = typical
    say("collecting static files and starting gunicorn")
    checked(manage(env, "collectstatic", "--noinput", "--verbosity", "0"))
    manifest = json.loads((Path(env["STATIC_ROOT"]) / "staticfiles.json").read_text())
    static_path = "/static/" + manifest["paths"]["css/site.css"]
    port = free_port()
    access_log = workdir / "access.log"
    server = start_gunicorn(env, workdir, port)
    try:
        token = csrf_token(port)
        posting = {"Cookie": f"csrftoken={token}", "X-CSRFToken": token}
        if args.htmx:
            posting["HX-Request"] = "true"
        text_body = workdir / "text.body"
        text_body.write_text(urlencode({"text": text}), encoding="ascii")
        boundary = "----billexplainbench" + secrets.token_hex(8)
        pdf_body = workdir / "pdf.body"
        pdf_body.write_bytes(multipart({}, {"file": ("bill.pdf", "application/pdf", pdf)}, boundary))
        scripts = {
            "static": wrk_script(workdir / "static.lua"),
            "home": wrk_script(workdir / "home.lua", marker="<form"),
            "healthz": wrk_script(workdir / "healthz.lua", marker="ok"),
            "text": wrk_script(
                workdir / "text.lua",
                "POST",
                text_body,
                {**posting, "Content-Type": "application/x-www-form-urlencoded"},
                marker,
            ),
            "pdf": wrk_script(
                workdir / "pdf.lua",
                "POST",
                pdf_body,
                {**posting, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                marker,
            ),
        }
        base = f"http://127.0.0.1:{port}"
        plan = [
            ("static", base + static_path, 16),
            ("healthz", base + "/healthz", 16),
            ("home", base + "/", 16),
            ("text", base + "/", 16),
            ("pdf", base + "/", 16),
            ("pdf1", base + "/", 1),
        ]
        results = {name: [] for name, _, _ in plan}
        reading = {"wall": [], "cpu": []}
        wait_until_idle(access_log)
        for round_ in range(args.http_rounds):
            say(f"wrk round {round_ + 1} of {args.http_rounds}")
            for name, url, connections in plan:
                script = scripts["pdf" if name == "pdf1" else name]
                cpu, count = server_cpu(server.pid), served(access_log)
                # A PDF request takes a good part of a second: give those rows enough time to finish many.
                duration = args.http_seconds * (2 if name.startswith("pdf") else 1)
                result = run_wrk(url, script, duration, connections)
                # Requests wrk left queued are still being served: let them finish before the next row.
                wait_until_idle(access_log)
                result["cpu_per_request"] = (server_cpu(server.pid) - cpu) / max(served(access_log) - count, 1)
                results[name].append(result)
            # pdfplumber reading the uploaded page, in this process, between the rounds
            for clock in reading:
                reading[clock].append(interleaved({"read": lambda: read_with_pdfplumber(pdf)}, 3, clock=clock)["read"])
    finally:
        stop(server)

    def summary(name):
        runs = results[name]
        return {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50_us"] for r in runs) / 1e6,
            "p99": statistics.median(r["p99_us"] for r in runs) / 1e6,
            "cpu": statistics.median(r["cpu_per_request"] for r in runs),
            "non2xx": sum(r["non2xx"] for r in runs),
            "missing": sum(r["missing"] for r in runs),
            "socket_errors": sum(r["socket_errors"] for r in runs),
        }

    s = {name: summary(name) for name in results}

    def shape(x):
        bad = f", non-2xx {x['non2xx']}"
        if x["missing"]:
            bad += f", no code in {x['missing']}"
        if x["socket_errors"]:
            bad += f", socket errors {x['socket_errors']}"
        return f"{x['rps']:.0f} req/s, p50 {seconds(x['p50'])}, p99 {seconds(x['p99'])}{bad}"

    def cpu(x):
        return f"{seconds(x['cpu'])} CPU/req"

    trivial = s["healthz"]
    table.add("HTTP 16c: GET /healthz = trivial view", shape(trivial), "server CPU per request", cpu(trivial))
    table.add("HTTP 16c: GET static CSS (WhiteNoise)", shape(s["static"]), "server CPU per request", cpu(s["static"]))
    table.add(
        "HTTP 16c: GET / (home page)",
        shape(s["home"]),
        "trivial view (/healthz)",
        f"{trivial['rps']:.0f} req/s",
        f"{s['home']['rps'] / trivial['rps']:.0%}",
    )
    text_ok = s["text"]["non2xx"] == 0 and s["text"]["missing"] == 0 and s["text"]["socket_errors"] == 0
    share = s["text"]["rps"] / trivial["rps"]
    table.add(
        "HTTP 16c: POST text of the typical bill",
        shape(s["text"]),
        "trivial view (/healthz)",
        f"{trivial['rps']:.0f} req/s",
        f"{share:.1%}",
        ">= 5%",
        verdict(share >= 0.05 and text_ok),
    )
    table.add(
        "",
        "",
        "static CSS (WhiteNoise)",
        f"{s['static']['rps']:.0f} req/s",
        f"{s['text']['rps'] / s['static']['rps']:.1%}",
    )
    table.add(
        "", "", "GET / (home page)", f"{s['home']['rps']:.0f} req/s", f"{s['text']['rps'] / s['home']['rps']:.1%}"
    )
    table.add(
        "",
        cpu(s["text"]),
        "trivial's server CPU per request",
        cpu(trivial),
        f"{trivial['cpu'] / s['text']['cpu']:.1%}" if s["text"]["cpu"] else "-",
    )
    table.add(
        "HTTP 16c: POST text, p99 latency",
        seconds(s["text"]["p99"]),
        target="< 250 ms",
        result=verdict(s["text"]["p99"] < 0.25 and text_ok),
    )
    table.add("HTTP 16c: POST PDF upload (1 page)", shape(s["pdf"]), "server CPU per request", cpu(s["pdf"]))
    read_wall, read_cpu = statistics.median(reading["wall"]), statistics.median(reading["cpu"])
    pdf_ok = s["pdf1"]["non2xx"] == 0 and s["pdf1"]["missing"] == 0 and s["pdf1"]["socket_errors"] == 0
    table.add(
        "HTTP 1c: POST PDF upload, p50 per request",
        seconds(s["pdf1"]["p50"]),
        "pdfplumber reads its page (wall)",
        seconds(read_wall),
        ratio(s["pdf1"]["p50"], read_wall),
        "<= 1.3x",
        verdict(s["pdf1"]["p50"] / read_wall <= 1.3 and pdf_ok),
    )
    table.add(
        "", cpu(s["pdf1"]), "pdfplumber reads its page (CPU)", seconds(read_cpu), ratio(s["pdf1"]["cpu"], read_cpu)
    )
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    boots = len(re.findall(rb"Booting worker", (workdir / "gunicorn.log").read_bytes()))
    table.notes.append(
        f"HTTP: gunicorn.conf.py ({config['workers']} {config['worker_class']} workers, {boots} booted; "
        "GUNICORN_MAX_REQUESTS=0 so that no worker restarts mid-run), DEBUG off, SQLite, on 127.0.0.1 with wrk on "
        f"the same {os.cpu_count()} cores; {args.http_rounds} rounds of {args.http_seconds} s per row (PDF rows "
        f"{2 * args.http_seconds} s), rounds "
        "interleaved; 16c = 16 connections over 2 wrk threads, 1c = one connection. Latencies are wall-clock. "
        "Server CPU per request = CPU seconds of gunicorn's processes (/proc) over the requests its access log "
        "counts: unlike req/s it does not change with other jobs on the machine. The trivial view for the "
        "target is /healthz (all middleware, routing, a plain response, no database); a static file through "
        "WhiteNoise is shown beside it. The explain rate limit is lifted for the run (RATELIMIT_EXPLAIN). "
        f"The typical bill: {text.count(chr(10))} text "
        f"lines ({len(text) / 1000:.1f} KB, 70 line items = 2 printed pages); the PDF holds the same 70 items on "
        f"one dense page ({len(pdf) / 1000:.1f} KB). Posts send the csrftoken cookie and X-CSRFToken header"
        + (" and HX-Request (the htmx partial a browser gets)." if args.htmx else " (the whole page, no htmx).")
    )


# --- main ----------------------------------------------------------------------------------


SECTIONS = ("import", "pdf", "memory", "text", "ocr", "http")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and shorter wrk runs, to check the script")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    parser.add_argument("--full-page", dest="htmx", action="store_false", help="post without HX-Request")
    parser.add_argument("--wall", action="store_true", help="time in-process work in wall-clock, not CPU, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database) and say where")
    parser.add_argument("--peak-memory", metavar="PDF", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sections = set(args.only or SECTIONS)
    if args.quick:
        args.pdf_sizes = [(1, 3), (5, 2), (20, 1), (100, 1)]
        args.text_sizes = [(10_000, 3), (100_000, 2), (1_000_000, 1)]
        args.memory_runs, args.import_runs, args.ocr_runs = 1, 1, 1
        args.http_rounds, args.http_seconds = 1, 2
    else:
        args.pdf_sizes = [(1, 7), (5, 5), (20, 5), (100, 3)]
        args.text_sizes = [(10_000, 7), (100_000, 5), (1_000_000, 5)]
        args.memory_runs, args.import_runs, args.ocr_runs = 3, 3, 3
        args.http_rounds, args.http_seconds = 3, 3
    return args


def run_section(table, title, function, *arguments):
    try:
        function(table, *arguments)
    except Exception as error:
        table.error(title, error)


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.peak_memory:
        peak_memory_child(args.peak_memory)
        return 0

    global CLOCK
    CLOCK = "wall" if args.wall else "cpu"
    began, load_before = time.perf_counter(), os.getloadavg()
    table = Table()
    workdir = Path(tempfile.mkdtemp(prefix="billexplain-bench-"))
    try:
        say("making the synthetic bills")
        bills = {}
        for pages, _ in args.pdf_sizes:
            items = bill_items(pages * LINES_PER_PAGE, seed=pages)
            bills[pages] = (bill_pdf(items), sum(item.billed_code for item in items))
        typical_items = bill_items(2 * LINES_PER_PAGE, seed=7)
        first_code = next(item.code for item in typical_items if item.code)
        typical = (
            bill_text(typical_items),
            bill_pdf(typical_items, lines_per_page=2 * LINES_PER_PAGE, font_size=7),
            f'id="code-{re.split(r"[-: ]", first_code)[0]}"',
        )
        big = workdir / "bill-100.pdf"
        big.write_bytes(bills[max(bills)][0])

        say("migrating a throwaway SQLite database and loading the fixtures")
        base_db = workdir / "base.sqlite3"
        prepare_database(production_env(workdir, base_db))

        imported = None
        if "import" in args.sections:
            table.section("Import")
            try:
                imported = bench_import(table, args, workdir, base_db)
            except Exception as error:
                table.error("CMS HCPCS import", error)
        env = production_env(workdir, imported or base_db)
        os.environ.update(env)
        import django

        django.setup()
        finish_start_up_threads()

        if args.sections & {"pdf", "memory"}:
            table.section("PDF")
        if "pdf" in args.sections:
            run_section(table, "PDF explain", bench_pdf, args, bills)
        if "memory" in args.sections:
            run_section(table, "PDF 100 p: peak memory", bench_memory, args, env, big)
        if "text" in args.sections:
            table.section("Pasted text")
            run_section(table, "Pasted text", bench_text, args)
        if "ocr" in args.sections:
            table.section("OCR")
            run_section(table, "OCR", bench_ocr, args, bills[1])
        if "http" in args.sections:
            table.section("HTTP (gunicorn + wrk)")
            if not Path(WRK).exists():
                table.add("HTTP", "skipped", result="SKIP")
                table.notes.append("HTTP skipped: wrk is not installed (apt-get install -y wrk).")
            else:
                from django.db import connections

                connections.close_all()
                run_section(table, "HTTP", bench_http, args, env, workdir, typical)
    finally:
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    load_after = os.getloadavg()
    busy = max(load_before[0], load_after[0]) > (os.cpu_count() or 1)
    table.notes.append(
        f"Whole run: {time.perf_counter() - began:.0f} s on {os.cpu_count()} cores; load average "
        f"{load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end"
        + (
            ": other jobs were competing for the cores, so trust the ratios and CPU figures over req/s and latencies"
            if busy
            else ""
        )
        + (" (--quick: fewer runs, figures are rough)." if args.quick else ".")
    )
    clock = "wall-clock seconds" if args.wall else "CPU seconds (self + waited-for children; --wall for wall-clock)"
    print(
        f"billexplain bench, {date.today().isoformat()}: medians; ratios measured side by side in this run; "
        f"in-process times in {clock}"
    )
    print(table.render())
    return 1 if table.crashed else 0


if __name__ == "__main__":
    sys.exit(main())
