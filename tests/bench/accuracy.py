"""How well does `manage.py explain` find the procedure and supply codes on bills with known answers?

    .venv/bin/python tests/bench/accuracy.py [-v] [--from-jsonl PATH] [--corpus own|shared|degraded]

Run from the project root (`make accuracy`). For each corpus, the project's own `tests/data/bills/` and
`../shared/bills/` (skipped when absent), it runs `manage.py explain --json` once over all the corpus's
files and scores the JSON Lines it prints against the corpus's `truth.csv`:

- unique codes per document: true positives, false positives and misses summed over documents, giving
  precision, recall and F1 (a code counts as found when it appears in `codes` or in `line_items`);
- line-item recall: per document, the multiset of (code, modifiers in order) in truth matched against
  `line_items`;
- documents with no codes in truth: how many had anything found on them (those codes are also false
  positives).

`--corpus degraded` (not run by default: about five minutes of OCR) scores the own corpus's PDFs again as a
scanner or a phone gives them back (tests/renders.py): scanned at 96 dpi, scanned askew and soft at 150 dpi,
and each page photographed as a JPEG. The renders are made in a temporary folder and deleted after.

Next to ours it prints a naive baseline measured the same way: the pattern `\\b(\\d{5}|[A-V]\\d{4})\\b` over the
document's text (pdfplumber text of every page for PDFs, the raw text of pasted text, nothing for images).

A measurement, not a test: scores never change the exit status. It exits 1 only when the explain command
itself failed (non-zero exit or output that is not JSON Lines), 0 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OWN_DIR = ROOT / "tests" / "data" / "bills"
SHARED_DIR = ROOT.parent / "shared" / "bills"
BILL_SUFFIXES = {".pdf", ".txt", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".heic"}
TEXT_LAYER_MIN_CHARS = 20
NAIVE_PATTERN = re.compile(r"\b(\d{5}|[A-V]\d{4})\b")
FAMILY_ORDER = [
    "hospital_itemized",
    "professional",
    "eob",
    "msn",
    "dme",
    "ambulance",
    "dental",
    "lab",
    "pharmacy",
    "letter",
    "summary",
]

Item = tuple[str, tuple[str, ...]]  # (code, modifiers in printed order)


# ---------------------------------------------------------------------------------------------
# pure scoring
# ---------------------------------------------------------------------------------------------


def normalize_code(value: object) -> str:
    return str(value or "").strip().upper()


def parse_modifiers(value: str) -> tuple[str, ...]:
    """`"25|59"` -> `("25", "59")`; empty -> `()`."""
    return tuple(m.strip().upper() for m in value.split("|") if m.strip())


def read_truth(rows: Iterable[dict[str, str]]) -> dict[str, list[Item]]:
    """truth.csv rows -> {file name: [(code, modifiers), ...]} in file order."""
    truth: dict[str, list[Item]] = {}
    for row in rows:
        truth.setdefault(row["file"].strip(), []).append(
            (normalize_code(row["code"]), parse_modifiers(row.get("modifiers") or ""))
        )
    return truth


@dataclass(frozen=True)
class Found:
    """What a tool reported for one document."""

    codes: frozenset[str] = frozenset()
    items: tuple[Item, ...] = ()


def found_from_json(obj: dict) -> Found:
    """One object of `manage.py explain --json` -> Found."""
    items = tuple(
        (normalize_code(item.get("code")), tuple(normalize_code(m) for m in item.get("modifiers") or ()))
        for item in obj.get("line_items") or ()
    )
    codes = {normalize_code(c.get("code")) for c in obj.get("codes") or ()} | {code for code, _ in items}
    return Found(frozenset(codes - {""}), items)


@dataclass
class DocScore:
    name: str
    group: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    items_expected: int = 0
    items_matched: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    missed_items: list[Item] = field(default_factory=list)

    @property
    def has_codes(self) -> bool:
        return self.tp + self.fn > 0

    @property
    def found_any(self) -> bool:
        return self.tp + self.fp > 0


def score(truth_items: list[Item], found: Found, name: str = "", group: str = "", items: bool = True) -> DocScore:
    """Score one document: unique codes, and (if `items`) line items as a multiset of (code, modifiers)."""
    expected = {code for code, _ in truth_items}
    doc = DocScore(name, group)
    doc.tp = len(expected & found.codes)
    doc.missed = sorted(expected - found.codes)
    doc.false = sorted(found.codes - expected)
    doc.fn, doc.fp = len(doc.missed), len(doc.false)
    if items:
        want, got = Counter(truth_items), Counter(found.items)
        doc.items_expected = sum(want.values())
        doc.items_matched = sum(min(n, got[key]) for key, n in want.items())
        doc.missed_items = sorted((want - got).elements())
    return doc


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Totals:
    docs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    items_expected: int = 0
    items_matched: int = 0
    empty_docs: int = 0  # documents with no codes in truth
    empty_flagged: int = 0  # ... on which something was found

    def add(self, doc: DocScore) -> Totals:
        self.docs += 1
        self.tp += doc.tp
        self.fp += doc.fp
        self.fn += doc.fn
        self.items_expected += doc.items_expected
        self.items_matched += doc.items_matched
        if not doc.has_codes:
            self.empty_docs += 1
            self.empty_flagged += doc.found_any
        return self

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def item_recall(self) -> float | None:
        return ratio(self.items_matched, self.items_expected)


def totals(docs: Iterable[DocScore]) -> Totals:
    result = Totals()
    for doc in docs:
        result.add(doc)
    return result


def naive_codes(text: str) -> frozenset[str]:
    """The baseline: every 5-digit number and every letter A-V followed by 4 digits, as whole words."""
    return frozenset(NAIVE_PATTERN.findall(text))


def match_outputs(objects: list[dict], names: list[str], args: list[str] | None = None) -> dict[str, dict]:
    """Pair explain's objects with documents: by the argument given, its file name, or failing both, by order."""
    by_key: dict[str, dict] = {}
    for obj in objects:
        key = str(obj.get("file", ""))
        by_key.setdefault(key, obj)
        by_key.setdefault(Path(key).name, obj)
    args = args or names
    paired = {}
    for name, arg in zip(names, args, strict=True):
        obj = by_key.get(arg, by_key.get(name))
        if obj is not None:
            paired[name] = obj
    if not paired and len(objects) == len(names) and not any("file" in o for o in objects):
        paired = dict(zip(names, objects, strict=True))
    return paired


def parse_jsonl(text: str) -> tuple[list[dict], list[str]]:
    """JSON Lines -> (objects, lines that were not JSON objects)."""
    objects, bad = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            objects.append(obj)
        else:
            bad.append(line)
    return objects, bad


# ---------------------------------------------------------------------------------------------
# reading corpora and running the command
# ---------------------------------------------------------------------------------------------


@dataclass
class Document:
    name: str
    path: Path
    group: str
    text: str = ""


@dataclass
class Corpus:
    folder: Path
    documents: list[Document]
    truth: dict[str, list[Item]]
    groups: list[str]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def document_text(path: Path) -> str:
    """What the naive baseline reads: pdfplumber's text of every page, the raw text, or nothing for images."""
    if path.suffix.lower() == ".txt":
        return path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() != ".pdf":
        return ""
    import pdfplumber

    parts = []
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                parts.append(page.extract_text() or "")
                page.close()
    except Exception:  # noqa: BLE001 - a locked or broken PDF gives the baseline no text, as it gives us none
        return ""
    return "\n".join(parts)


def bill_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in BILL_SUFFIXES and p.name.lower() != "readme.txt"
    )


def load_own(folder: Path) -> Corpus:
    families = {r["file"]: r["family"] for r in read_csv(folder / "families.csv")}
    absent = sorted(set(families) - {p.name for p in bill_files(folder)})
    if absent:
        print(f"  note: families.csv names {len(absent)} file(s) not in the folder: {' '.join(absent)}")
    documents = []
    for path in bill_files(folder):
        if path.name not in families:
            print(f"  note: {path.name} is not in families.csv; scored as family 'other'")
        documents.append(Document(path.name, path, families.get(path.name, "other"), document_text(path)))
    groups = [f for f in FAMILY_ORDER if f in families.values()]
    groups += sorted({d.group for d in documents} - set(groups))
    return Corpus(folder, documents, read_truth(read_csv(folder / "truth.csv")), groups)


def load_shared(folder: Path) -> Corpus:
    documents = []
    for path in bill_files(folder):
        text = document_text(path)
        has_layer = path.suffix.lower() == ".txt" or len("".join(text.split())) >= TEXT_LAYER_MIN_CHARS
        documents.append(Document(path.name, path, "text layer" if has_layer else "scans/images", text))
    return Corpus(folder, documents, read_truth(read_csv(folder / "truth.csv")), ["text layer", "scans/images"])


DEGRADED = ("96 dpi scan", "150 dpi askew", "phone photo")


def degraded_renders(own: Path, folder: Path) -> Corpus:
    """The own corpus's PDFs rendered into `folder` as DEGRADED says, with the own truth for each render."""
    from tests.renders import phone_photos, rescanned, tilted_scan

    own_truth = read_csv(own / "truth.csv")
    rows, documents = [], []

    def add(path: Path, group: str, source: str, page: int | None = None) -> None:
        documents.append(Document(path.name, path, group))
        for row in own_truth:
            if row["file"] == source and (page is None or int(row["page"]) == page):
                rows.append({**row, "file": path.name})

    for pdf in (p for p in bill_files(own) if p.suffix.lower() == ".pdf"):
        for group, suffix, data in (
            (DEGRADED[0], "96dpi", rescanned(pdf, 96)),
            (DEGRADED[1], "askew", tilted_scan(pdf)),
        ):
            path = folder / f"{pdf.stem}.{suffix}.pdf"
            path.write_bytes(data)
            add(path, group, pdf.name)
        for page, data in enumerate(phone_photos(pdf), start=1):
            path = folder / f"{pdf.stem}.p{page}.jpg"
            path.write_bytes(data)
            add(path, DEGRADED[2], pdf.name, page)
    return Corpus(folder, documents, read_truth(rows), list(DEGRADED))


def _arg(path: Path) -> str:
    """The path as given to explain: relative to the project root when it can be."""
    resolved = path.resolve()
    for base, prefix in ((ROOT, Path()), (ROOT.parent, Path(".."))):
        try:
            return str(prefix / resolved.relative_to(base))
        except ValueError:
            continue
    return str(resolved)


def run_explain(paths: list[Path], timeout: float, jobs: int = 1) -> tuple[list[dict], str | None, float]:
    """Run explain over all files, in `jobs` processes side by side -> (objects, error or None, seconds)."""
    shares = [paths[start::jobs] for start in range(max(1, jobs))]
    started = time.perf_counter()
    running = [
        subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "manage.py", "explain", "--json", *[_arg(p) for p in share]],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for share in shares
        if share
    ]
    outputs = []
    for process in running:
        try:
            outputs.append(process.communicate(timeout=max(1.0, timeout - (time.perf_counter() - started))))
        except subprocess.TimeoutExpired:
            for other in running:
                other.kill()
                other.communicate()
            return [], f"explain did not finish in {timeout:.0f} s", time.perf_counter() - started
    seconds = time.perf_counter() - started
    done = subprocess.CompletedProcess(
        [],
        max(process.returncode for process in running),
        "".join(out for out, _ in outputs),
        "".join(err for _, err in outputs),
    )
    objects, bad = parse_jsonl(done.stdout)
    error = None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        error = f"explain exited {done.returncode}: {last}"
    elif bad:
        error = f"explain printed {len(bad)} line(s) that are not JSON objects, e.g. {str(bad[0])[:80]!r}"
    return objects, error, seconds


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


HEADER = (
    f"{'group':<18} {'docs':>4} {'codes':>5} | {'ours P':>6} {'R':>5} {'F1':>5} {'items R':>13} "
    f"{'empty':>5} | {'naive P':>7} {'R':>5} {'F1':>5} {'empty':>5}"
)


def table_row(label: str, ours: Totals | None, naive: Totals) -> str:
    if ours is None:
        mine = f"{'not measured':>39}"
    else:
        items = f"{ours.items_matched}/{ours.items_expected} {fmt(ours.item_recall)}"
        mine = (
            f"{fmt(ours.precision):>6} {fmt(ours.recall):>5} {fmt(ours.f1):>5} {items:>13} "
            f"{f'{ours.empty_flagged}/{ours.empty_docs}':>5}"
        )
    return (
        f"{label:<18} {naive.docs:>4} {naive.tp + naive.fn:>5} | {mine} | {fmt(naive.precision):>7} "
        f"{fmt(naive.recall):>5} {fmt(naive.f1):>5} {f'{naive.empty_flagged}/{naive.empty_docs}':>5}"
    )


def describe(doc: DocScore) -> str:
    parts = []
    if doc.missed:
        parts.append("missed " + " ".join(doc.missed))
    if doc.false:
        parts.append("false " + " ".join(doc.false))
    if doc.missed_items:
        parts.append("items missed " + " ".join(c + (f"[{','.join(m)}]" if m else "") for c, m in doc.missed_items))
    return f"  {doc.name}: " + "; ".join(parts)


def report(
    corpus: Corpus,
    ours: list[DocScore] | None,
    naive: list[DocScore],
    verbose: int,
    extra_groups: dict[str, set[str]] | None = None,
) -> None:
    print(HEADER)
    print("-" * len(HEADER))

    def print_rows(rows: Iterable[tuple[str, set[str]]]) -> None:
        for label, names in rows:
            if names:
                mine = totals(d for d in ours if d.name in names) if ours is not None else None
                print(table_row(label, mine, totals(d for d in naive if d.name in names)))
        print("-" * len(HEADER))

    print_rows((g, {d.name for d in corpus.documents if d.group == g}) for g in corpus.groups)
    if extra_groups:
        print_rows(extra_groups.items())
    print(table_row("overall", totals(ours) if ours is not None else None, totals(naive)))
    if verbose and ours is not None:
        wrong = [describe(d) for d in ours if d.missed or d.false or d.missed_items]
        print("ours, per document:" if wrong else "ours: nothing missed, nothing false")
        print("\n".join(wrong))
    if verbose > 1:
        wrong = [describe(d) for d in naive if d.missed or d.false]
        print("naive, per document:")
        print("\n".join(wrong))


def measure(
    corpus: Corpus, objects: list[dict] | None, args: list[str]
) -> tuple[list[DocScore] | None, list[DocScore], list[str]]:
    names = [d.name for d in corpus.documents]
    unknown = sorted(set(corpus.truth) - set(names))
    notes = [f"truth.csv names {len(unknown)} file(s) not in the folder: {' '.join(unknown)}"] if unknown else []
    naive = [
        score(corpus.truth.get(d.name, []), Found(naive_codes(d.text)), d.name, d.group, items=False)
        for d in corpus.documents
    ]
    if objects is None:
        return None, naive, notes
    paired = match_outputs(objects, names, args)
    if names and not paired:
        notes.append("no output matched any file of this corpus: not measured")
        return None, naive, notes
    absent = [n for n in names if n not in paired]
    if absent:
        notes.append(f"no output for {len(absent)} file(s), scored as nothing found: {' '.join(absent)}")
    ours = [
        score(
            corpus.truth.get(d.name, []),
            found_from_json(paired[d.name]) if d.name in paired else Found(),
            d.name,
            d.group,
        )
        for d in corpus.documents
    ]
    return ours, naive, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score manage.py explain against bills with known codes.")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="list each document's misses and false positives (-vv: the baseline's too)",
    )
    parser.add_argument(
        "--from-jsonl",
        type=Path,
        action="append",
        metavar="PATH",
        help="score these JSON Lines (explain's output) instead of running explain",
    )
    parser.add_argument(
        "--corpus", choices=["own", "shared", "degraded"], action="append", help="only this corpus (repeatable)"
    )
    parser.add_argument("--own-dir", type=Path, default=OWN_DIR)
    parser.add_argument("--shared-dir", type=Path, default=SHARED_DIR)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for one explain run")
    parser.add_argument("--jobs", type=int, default=1, help="explain runs side by side, each over a share of the files")
    args = parser.parse_args(argv)

    given: list[dict] | None = None
    if args.from_jsonl:
        given = []
        for path in args.from_jsonl:
            objects, bad = parse_jsonl(path.read_text(encoding="utf-8"))
            if bad:
                print(f"{path}: {len(bad)} line(s) are not JSON objects, ignored")
            given += objects

    failed = False
    wanted = args.corpus or ["own", "shared"]
    scratch = tempfile.TemporaryDirectory(prefix="billexplain-degraded-")
    corpora = (
        ("own", args.own_dir, load_own),
        ("shared", args.shared_dir, load_shared),
        ("degraded", args.own_dir, lambda own: degraded_renders(own, Path(scratch.name))),
    )
    for which, folder, loader in corpora:
        if which not in wanted:
            continue
        print()
        if not (folder / "truth.csv").exists():
            print(f"corpus {_arg(folder)}: absent, skipped")
            continue
        print(f"corpus {_arg(folder)}" + (", scanned and photographed" if which == "degraded" else ""))
        corpus = loader(folder)
        rows = sum(len(v) for v in corpus.truth.values())
        print(f"  {len(corpus.documents)} documents, {rows} truth rows")
        paths = [d.path for d in corpus.documents]
        if given is not None:
            objects, error = given, None
            print(f"  explain output read from {', '.join(str(p) for p in args.from_jsonl)}")
        else:
            objects, error, seconds = run_explain(paths, args.timeout, args.jobs)
            print(f"  explain --json over {len(paths)} files: {seconds:.1f} s")
        if error:
            print(f"  {error}")
            failed = True
        ours, naive, notes = measure(corpus, objects if (objects or not error) else None, [_arg(p) for p in paths])
        for note in notes:
            print(f"  {note}")
        extra = None
        if which == "own":
            extra = {
                "pasted text": {d.name for d in corpus.documents if d.path.suffix.lower() == ".txt"},
                "PDF": {d.name for d in corpus.documents if d.path.suffix.lower() == ".pdf"},
            }
        report(corpus, ours, naive, args.verbose, extra)
    scratch.cleanup()
    print()
    print(
        "P, R, F1: unique codes per document, summed over documents.  items R: line items (code + modifiers) "
        "found / in truth.\nempty: documents with no codes on which something was found / such documents.  "
        "naive: \\b(\\d{5}|[A-V]\\d{4})\\b over the text."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
