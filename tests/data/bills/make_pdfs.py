"""Build the PDF bills of the project's test corpus, and keep truth.csv honest about them.

    .venv/bin/python tests/data/bills/make_pdfs.py            # rebuild the PDFs, compare truth.csv
    .venv/bin/python tests/data/bills/make_pdfs.py --write-truth   # ... and rewrite their truth rows
    .venv/bin/python tests/data/bills/make_pdfs.py --check-codes   # every truth code exists (CMS files)

Every person, provider, address and number here is invented (phone numbers use 555-01xx).
The procedure and supply codes are real: CPT codes from the CMS fee schedule file, HCPCS Level II
codes active in the CMS October 2025 file, CDT codes from the ADA's published list.

Each table row that prints a billed code says so (`... => CODE MODS` in `parse_rows`), so the truth
rows of a PDF come from the same data that draws it, with the page it landed on. The output is byte-for-byte
the same on every run (reportlab's invariant mode), so the PDFs can live in git.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
PAGE_W, PAGE_H = letter
TRUTH_FIELDS = ["file", "code", "kind", "modifiers", "page", "note"]


@dataclass(frozen=True)
class Code:
    """A billed code as the truth records it (plain 5 characters), whatever way it is printed."""

    code: str
    mods: tuple[str, ...] = ()
    note: str = ""


def code(spec: str, note: str = "") -> Code:
    """`code("99213 25 59")` -> Code("99213", ("25", "59"))."""
    parts = spec.split()
    return Code(parts[0], tuple(parts[1:]), note)


@dataclass
class Col:
    header: str
    x: float
    align: str = "left"  # left | right
    font: str = "Helvetica"


@dataclass
class Row:
    cells: list[str]
    codes: list[Code] = field(default_factory=list)
    bold: bool = False


def row(*cells: str, c: str | None = None, note: str = "", bold: bool = False) -> Row:
    return Row(list(cells), [code(c, note)] if c else [], bold)


def parse_rows(spec: str) -> list[Row]:
    """Table rows written as text, one row a line:

        cell | cell | ... => CODE MOD MOD  # note for truth.csv

    `\\n` breaks a cell into lines; a line ending in a backslash goes on on the next line; a line that starts
    with `#` adds a note to the row above; `**` at the start makes the row bold; missing cells at the end are
    empty. `=> ...` is the billed code the row prints, as truth.csv records it.
    """
    rows: list[Row] = []
    pending = ""
    for raw in spec.strip().splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1]
            continue
        pending = ""
        if not line:
            continue
        if line.startswith("#"):
            last = rows[-1].codes[-1]
            rows[-1].codes[-1] = Code(last.code, last.mods, line[1:].strip())
            continue
        bold = line.startswith("**")
        line, _, note = line.removeprefix("**").partition("  #")
        cells, _, truth = line.partition(" => ")
        values = [cell.strip().replace("\\n", "\n") for cell in cells.split("|")]
        rows.append(Row(values, [code(truth.strip(), note.strip())] if truth.strip() else [], bold))
    return rows


class Cursor:
    """Where `Pdf.at` starts writing lines of text."""

    def __init__(self, pdf: Pdf, x: float, y: float, size: float, leading: float, font: str):
        self.pdf, self.x, self.y, self.size, self.leading, self.font = pdf, x, y, size, leading, font

    def lines(self, text: str) -> float:
        for line in text.strip().splitlines():
            if line.strip():
                self.pdf.text(self.x, self.y, line.strip(), self.size, self.font)
            self.y -= self.leading
        return self.y


class Pdf:
    """A thin layer over a reportlab canvas that knows its page number and records truth rows."""

    def __init__(self, name: str, page_header=None):
        self.name = name
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=letter, invariant=1, pageCompression=1)
        self.canvas.setTitle(name)
        self.canvas.setAuthor("billexplain test corpus")
        self.page = 1
        self.truth: list[dict[str, str]] = []
        self.page_header = page_header
        if page_header:
            page_header(self)

    # drawing -------------------------------------------------------------------------------
    def text(self, x: float, y: float, s: str, size: float = 8, font: str = "Helvetica", align: str = "left"):
        c = self.canvas
        c.setFont(font, size)
        if align == "right":
            c.drawRightString(x, y, s)
        elif align == "center":
            c.drawCentredString(x, y, s)
        else:
            c.drawString(x, y, s)

    def at(self, x: float, y: float, size: float = 8, leading: float | None = None, font: str = "Helvetica"):
        """`pdf.at(x, y, size).lines(text)` writes the text's lines downwards and returns the next y."""
        return Cursor(self, x, y, size, leading or size * 1.3, font)

    def rule(self, y: float, x0: float = 36, x1: float = PAGE_W - 36, width: float = 0.5):
        self.canvas.setLineWidth(width)
        self.canvas.line(x0, y, x1, y)

    def box(self, x: float, y: float, w: float, h: float, width: float = 0.5):
        self.canvas.setLineWidth(width)
        self.canvas.rect(x, y, w, h)

    def new_page(self):
        self.canvas.showPage()
        self.page += 1
        if self.page_header:
            self.page_header(self)

    def mark(self, c: Code):
        kind = "cpt" if c.code[0].isdigit() else "hcpcs2"
        self.truth.append(
            {
                "file": self.name,
                "code": c.code,
                "kind": kind,
                "modifiers": "|".join(c.mods),
                "page": str(self.page),
                "note": c.note,
            }
        )

    def table(
        self,
        cols: list[Col],
        rows: list[Row],
        y: float,
        size: float = 7.5,
        leading: float | None = None,
        bottom: float = 60,
        top: float = 700,
        header_font: str = "Helvetica-Bold",
        rules: bool = True,
    ) -> float:
        """Draw a table; cells may hold several lines (\\n). Breaks pages below `bottom`."""
        leading = leading or size * 1.35

        def header(y: float) -> float:
            depth = max(len(col.header.split("\n")) for col in cols)
            for col in cols:
                for i, part in enumerate(col.header.split("\n")):
                    self.text(col.x, y - i * leading, part, size, header_font, col.align)
            y -= (depth - 1) * leading
            if rules:
                self.rule(y - 3)
            return y - leading - 2

        y = header(y)
        for r in rows:
            depth = max(len(cell.split("\n")) for cell in r.cells)
            if y - (depth - 1) * leading < bottom:
                self.new_page()
                y = header(top)
            if len(r.cells) > len(cols):
                raise ValueError(f"{self.name}: row has more cells than the table has columns: {r.cells}")
            for col, cell in zip(cols, r.cells + [""] * (len(cols) - len(r.cells)), strict=True):
                font = "Helvetica-Bold" if r.bold else col.font
                for i, part in enumerate(cell.split("\n")):
                    if part:
                        self.text(col.x, y - i * leading, part, size, font, col.align)
            for c in r.codes:
                self.mark(c)
            y -= depth * leading
        return y

    def save(self) -> bytes:
        self.canvas.save()
        return self.buffer.getvalue()


def width(s: str, size: float, font: str = "Helvetica") -> float:
    return stringWidth(s, font, size)


# ---------------------------------------------------------------------------------------------
# hospital itemized statements
# ---------------------------------------------------------------------------------------------


def hosp_er_itemized(pdf: Pdf):
    """UB-04 style ER itemization: 6-character zero-padded codes, NDC lines, revenue codes."""
    pdf.text(36, 752, "GRANITE PEAKS MEDICAL CENTER", 13, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        1800 Foothill Blvd, Salt Lake City, UT 84108-1256
        Patient Financial Services 801-555-0177  |  Fed Tax ID 87-0412296  |  NPI 1396058817
    """)
    pdf.text(576, 752, "ITEMIZED STATEMENT", 11, "Helvetica-Bold", "right")
    pdf.text(576, 738, "Page 1 of 1", 8, align="right")
    pdf.at(36, 706, 8, 11).lines("""
        Patient: Cassius D. Ellingboe-Nakamura        Patient ID: 84108        DOB: 04/19/1988
        Guarantor: same   Address: 2417 E Blaine Ave, Salt Lake City, UT 84108
        Account No: 72131        Admit: 06/21/25 23:40   Discharge: 06/22/25 04:15   Type of bill: 0131
        Primary payer: Wasatch Mutual PPO   Group 00718   Subscriber 3307159920   Claim ref 25173-0077
        Diagnosis codes: S0181XA  S0990XA  S0083XA  W010XXA  Y92009
    """)
    cols = [
        Col("Date", 36),
        Col("Rev", 80),
        Col("CPT/HCPCS", 108),
        Col("Mod", 160),
        Col("Description", 184),
        Col("NDC", 368),
        Col("Units", 470, "right"),
        Col("Charge", 540, "right"),
    ]
    rows = parse_rows(r"""
        06/21/25 | 0450 | 099285 | 25 | ER VISIT LEVEL 5 HIGH SEVERITY |  | 1 | 3,218.00 => 99285 25
            # printed zero-padded 099285
        06/21/25 | 0352 | 070450 |  | CT HEAD W/O CONTRAST |  | 1 | 2,964.00 => 70450  # printed zero-padded 070450
        06/21/25 | 0352 | 070486 |  | CT MAXILLOFACIAL W/O CONTRAST |  | 1 | 2,711.00 => 70486
            # printed zero-padded 070486
        06/21/25 | 0352 | 072125 |  | CT CERVICAL SPINE W/O CONTRAST |  | 1 | 3,044.00 => 72125
            # printed zero-padded 072125
        06/21/25 | 0300 | 036415 |  | VENIPUNCTURE ROUTINE |  | 1 | 34.00 => 36415  # printed zero-padded 036415
        06/21/25 | 0301 | 080053 |  | COMPREHENSIVE METABOLIC PANEL |  | 1 | 212.00 => 80053
            # printed zero-padded 080053
        06/21/25 | 0305 | 085025 |  | CBC WITH AUTO DIFF |  | 1 | 118.00 => 85025  # printed zero-padded 085025
        06/21/25 | 0450 | 012011 |  | SIMPLE REPAIR FACE 2.5CM OR LESS |  | 1 | 688.00 => 12011
            # printed zero-padded 012011
        06/21/25 | 0260 | 096374 |  | IV PUSH SINGLE OR INITIAL DRUG |  | 1 | 402.00 => 96374
            # printed zero-padded 096374
        06/21/25 | 0260 | 096375 |  | IV PUSH EACH ADDL SEQUENTIAL |  | 1 | 188.00 => 96375
            # printed zero-padded 096375
        06/21/25 | 0636 | 0J2270 |  | MORPHINE SULFATE UP TO 10MG | N400409189001 | 1 | 46.00 => J2270
            # printed zero-padded 0J2270; N4 NDC in its own column
        06/21/25 | 0636 | 0J2405 |  | ONDANSETRON HCL PER 1MG | N400409475503 | 4 | 72.00 => J2405
            # printed zero-padded 0J2405; N4 NDC in its own column
        06/21/25 | 0258 | 0J7030 |  | SODIUM CHLORIDE 0.9% 1000ML | N400338004904 | 1 | 96.00 => J7030
            # printed zero-padded 0J7030; N4 NDC in its own column
        06/21/25 | 0250 |  |  | BACITRACIN OINTMENT 1GM PKT | 00168-0111-31 | 1 | 7.25
        06/21/25 | 0270 |  |  | SUTURE KIT LACERATION |  | 1 | 64.00
        06/21/25 | 0272 | 0A4550 |  | SURGICAL TRAY |  | 1 | 148.00 => A4550  # printed zero-padded 0A4550
    """)
    y = pdf.table(cols, rows, 636)
    pdf.rule(y + 4)
    y = pdf.table(
        [Col("", 368), Col("", 540, "right")],
        parse_rows(r"""
            ** TOTAL CHARGES | 14012.25
            INSURANCE PAYMENTS | 0.00
            ADJUSTMENTS | 0.00
            ** AMOUNT DUE FROM PATIENT | 14012.25
        """),
        y - 6,
        rules=False,
    )
    pdf.at(36, y - 20, 7.5).lines("""
        Your insurance has been billed. This itemization is provided at your request and is not a bill.
        Questions: call 801-555-0177 (Mon-Fri 8:00-5:00 MT) or write PO Box 30180, Salt Lake City UT 84130-0180.
    """)


def _inpatient_header(pdf: Pdf):
    pdf.text(36, 756, "HOLLOWAY BAY COMMUNITY HOSPITAL", 12, "Helvetica-Bold")
    pdf.text(36, 743, "600 Tidewater Ave, Norfolk VA 23510-2210  |  757-555-0148  |  TIN 54-0611873", 8)
    pdf.text(576, 756, "DETAILED ITEMIZED BILL", 10, "Helvetica-Bold", "right")
    pdf.text(576, 743, f"Page {pdf.page} of 3", 8, align="right")
    pdf.text(
        36,
        728,
        "Patient: Winslow T. Abernethy-Osei    Acct: 23510    MRN: 0058827    Admit 02/03/2025  Disch 02/07/2025",
        7.5,
    )
    pdf.rule(722)
    pdf.text(
        306,
        30,
        "Holloway Bay Community Hospital - itemized bill for account 23510 - Norfolk VA 23510",
        6.5,
        align="center",
    )


def hosp_inpatient_3page(pdf: Pdf):
    """Three-page inpatient itemization: internal charge codes, codes on every page, subtotals by revenue."""
    pdf.at(36, 710, 7.5, 10).lines("""
        Guarantor: Winslow T. Abernethy-Osei, 915 Colley Ave Apt 2, Norfolk, VA 23517-1828
        Insurer: Chesapeake Health Partners   Member ID CHP90821447   Group 19022   Claim 2025037800418
        Attending: Marisela Vukovic-Adeyemi MD (NPI 1710983426)   DRG 193   Type of bill 0111
        Principal diagnosis J189; secondary J9601, E1140, I10, N179
    """)
    cols = [
        Col("Date", 36),
        Col("Rev", 78),
        Col("Chg Code", 104),
        Col("HCPCS", 150),
        Col("Description", 204),
        Col("Qty", 440, "right"),
        Col("Amount", 500, "right"),
    ]
    day = ["02/03/25", "02/04/25", "02/05/25", "02/06/25", "02/07/25"]
    rows = []
    for d in day[:4]:
        rows.append(row(d, "0121", "10100121", "", "ROOM & BOARD SEMI-PRIVATE MED/SURG", "1", "2,150.00"))
    rows += parse_rows(r"""
        02/03/25 | 0450 | 45000005 | 99284 | EMERGENCY DEPT VISIT LEVEL 4 | 1 | 1,912.00 => 99284
        02/03/25 | 0300 | 30000415 | 36415 | VENIPUNCTURE | 1 | 28.00 => 36415
        02/03/25 | 0305 | 30525025 | 85025 | CBC W/ AUTO DIFF WBC | 1 | 104.00 => 85025
        02/03/25 | 0301 | 30180048 | 80048 | BASIC METABOLIC PANEL | 1 | 176.00 => 80048
        02/03/25 | 0306 | 30687040 | 87040 | BLOOD CULTURE AEROBIC/ANAEROBIC | 2 | 318.00 => 87040
        02/03/25 | 0301 | 30184145 | 84145 | PROCALCITONIN | 1 | 142.00 => 84145
        02/03/25 | 0324 | 32471046 | 71046 | X-RAY CHEST 2 VIEWS | 1 | 402.00 => 71046
        02/03/25 | 0636 | 63600696 | J0696 | CEFTRIAXONE 250MG INJ\nNDC 0409-7332-01 | 4 | 88.00 => J0696
        02/03/25 | 0636 | 63600456 | J0456 | AZITHROMYCIN 500MG INJ\nNDC 63323-398-10 | 1 | 61.00 => J0456
            # 5-3-2 NDC under the description
        02/03/25 | 0258 | 25807030 | J7030 | NORMAL SALINE 1000 CC | 2 | 190.00 => J7030
        02/03/25 | 0250 | 25000081 |  | ACETAMINOPHEN 325MG TAB\nNDC 00904-6723-61 | 2 | 4.10
        02/04/25 | 0410 | 41094640 | 94640 | NEBULIZER TREATMENT | 4 | 396.00 => 94640
        02/04/25 | 0410 | 41094760 | 94760 | PULSE OXIMETRY SINGLE | 3 | 96.00 => 94760
        02/04/25 | 0250 | 25007620 | J7620 | ALBUTEROL/IPRATROPIUM NEB 3ML\nNDC 0487-0201-60 | 4 | 34.00 => J7620
            # 4-4-2 NDC under the description
        02/04/25 | 0636 | 63601644 | J1644 | HEPARIN 5000 UNITS/ML INJ | 10 | 55.00 => J1644
        02/04/25 | 0300 | 30000415 | 36415 | VENIPUNCTURE | 1 | 28.00 => 36415
        02/04/25 | 0305 | 30525025 | 85025 | CBC W/ AUTO DIFF WBC | 1 | 104.00 => 85025
        02/04/25 | 0301 | 30180048 | 80048 | BASIC METABOLIC PANEL | 1 | 176.00 => 80048
        02/04/25 | 0306 | 30687070 | 87070 | CULTURE BACTERIAL SPUTUM | 1 | 96.00 => 87070
        02/04/25 | 0306 | 30687077 | 87077 | CULTURE AEROBIC IDENTIFY | 1 | 88.00 => 87077
        02/04/25 | 0306 | 30687186 | 87186 | ANTIMICROBIAL SUSCEPTIBILITY MIC | 1 | 122.00 => 87186
        02/04/25 | 0391 | 39136430 | 36430 | TRANSFUSION BLOOD/COMPONENTS | 1 | 612.00 => 36430
        02/04/25 | 0390 | 39009016 | P9016 | RBC LEUKOCYTES REDUCED EA UNIT | 1 | 1,040.00 => P9016
        02/04/25 | 0302 | 30286900 | 86900 | BLOOD TYPING ABO | 1 | 64.00 => 86900
        02/04/25 | 0302 | 30286920 | 86920 | COMPATIBILITY TEST IMMEDIATE SPIN | 1 | 118.00 => 86920
        02/05/25 | 0636 | 63600696 | J0696 | CEFTRIAXONE 250MG INJ\nNDC 0409-7332-01 | 4 | 88.00 => J0696
        02/05/25 | 0636 | 63600456 | J0456 | AZITHROMYCIN 500MG INJ\nNDC 63323-398-10 | 1 | 61.00 => J0456
        02/05/25 | 0424 | 42497161 | 97161 GP | PT EVAL LOW COMPLEXITY | 1 | 318.00 => 97161 GP
            # modifier after a space in the HCPCS column
        02/05/25 | 0420 | 42097530 | 97530 GP | THERAPEUTIC ACTIVITIES EA 15 MIN | 2 | 244.00 => 97530 GP
            # modifier after a space in the HCPCS column
        02/05/25 | 0250 | 25000081 |  | ACETAMINOPHEN 325MG TAB\nNDC 00904-6723-61 | 2 | 4.10
        02/06/25 | 0300 | 30000415 | 36415 | VENIPUNCTURE | 1 | 28.00 => 36415
        02/06/25 | 0301 | 30180048 | 80048 | BASIC METABOLIC PANEL | 1 | 176.00 => 80048
        02/06/25 | 0301 | 30182947 | 82947 | GLUCOSE QUANTITATIVE BLOOD | 3 | 87.00 => 82947
        02/06/25 | 0636 | 63601815 | J1815 | INSULIN LISPRO PER 5 UNITS | 4 | 36.00 => J1815
        02/06/25 | 0410 | 41094640 | 94640 76 | NEBULIZER TREATMENT REPEAT | 2 | 198.00 => 94640 76
        02/06/25 | 0420 | 42097530 | 97530 GP | THERAPEUTIC ACTIVITIES EA 15 MIN | 2 | 244.00 => 97530 GP
        02/07/25 | 0250 | 25000460 |  | AMOXICILLIN-CLAV 875MG TAB\nNDC 65862-0502-20 | 2 | 6.80
        02/07/25 | 0942 | 94200001 |  | DISCHARGE EDUCATION | 1 | 0.00
    """)
    for d in day[:4]:
        rows += parse_rows(rf"""
            {d} | 0636 | 63601650 | J1650 | ENOXAPARIN 40MG/0.4ML SYRINGE\nNDC 0075-0624-40 | 4 | 72.00 => J1650
            {d} | 0250 | 25000619 |  | GUAIFENESIN ER 600MG TAB | 2 | 2.40
        """)
    for d in day:
        rows += parse_rows(rf"{d} | 0250 | 25000412 |  | PANTOPRAZOLE 40MG TAB EC\nNDC 31722-0713-90 | 1 | 3.80")
    for d in day[:3]:
        rows.append(row(d, "0412", "41200001", "", "OXYGEN THERAPY PER DAY", "1", "145.00"))
    rows.append(row(day[0], "0270", "27000419", "", "OXYGEN NASAL CANNULA ADULT", "1", "18.50"))
    rows += parse_rows(r"""
        02/07/25 | 0300 | 30000415 | 36415 | VENIPUNCTURE | 1 | 28.00 => 36415
        02/07/25 | 0305 | 30525025 | 85025 | CBC W/ AUTO DIFF WBC | 1 | 104.00 => 85025
        02/07/25 | 0301 | 30180048 | 80048 | BASIC METABOLIC PANEL | 1 | 176.00 => 80048
        02/07/25 | 0420 | 42097116 | 97116 GP | GAIT TRAINING EA 15 MIN | 1 | 122.00 => 97116 GP
    """)
    rows.sort(key=lambda r: r.cells[0])  # stable: keeps each day's order
    y = pdf.table(cols, rows, 660, leading=12.5, bottom=230, top=706)
    names = {
        "0121": "ROOM & BOARD SEMI",
        "0250": "PHARMACY",
        "0258": "IV SOLUTIONS",
        "0300": "LABORATORY",
        "0301": "CHEMISTRY",
        "0305": "HEMATOLOGY",
        "0306": "BACTERIOLOGY",
        "0324": "DX X-RAY CHEST",
        "0410": "RESPIRATORY SVCS",
        "0420": "PHYSICAL THERAPY",
        "0424": "PT EVALUATION",
        "0450": "EMERGENCY ROOM",
        "0636": "DRUGS DETAIL CODED",
        "0942": "EDUCATION/TRAINING",
        "0270": "MED/SURG SUPPLIES",
        "0412": "INHALATION SVCS",
        "0302": "IMMUNOLOGY",
        "0390": "BLOOD STORAGE/PROCESSING",
        "0391": "BLOOD ADMINISTRATION",
    }
    sums: dict[str, float] = {}
    for r in rows:
        sums[r.cells[1]] = sums.get(r.cells[1], 0.0) + float(r.cells[6].replace(",", ""))
    subtotals = [(rev, names[rev], f"{amount:,.2f}") for rev, amount in sorted(sums.items())]
    total = f"{sum(sums.values()):.2f}"
    if y < 330:
        pdf.new_page()
        y = 700
    pdf.text(36, y - 10, "SUMMARY BY REVENUE CODE", 8, "Helvetica-Bold")
    y = pdf.table(
        [Col("Rev", 36), Col("Description", 80), Col("Amount", 300, "right")],
        [row(*s) for s in subtotals],
        y - 24,
        rules=False,
    )
    pdf.at(36, y - 8, 8, 11).lines(f"""
        TOTAL CHARGES {total}     PAYMENTS 0.00     ADJUSTMENTS 0.00     BALANCE {total}
        Mail payment to PO Box 23541, Norfolk VA 23541-0541 or call 757-555-0148.
    """)


def hosp_touching_columns(pdf: Pdf):
    """Columns so tight that the code runs into the description (80053COMP METABOLIC...)."""
    pdf.text(36, 752, "Saint Brendan's Hospital of the Palouse", 12, "Helvetica-Bold")
    pdf.text(36, 740, "220 E Main St, Pullman WA 99163  -  Business Office 509-555-0139  -  TIN 91-0628815", 7.5)
    pdf.at(36, 720, 7.5, 10).lines("""
        STATEMENT OF ACCOUNT (DETAIL)      Statement 33120      Date 11/14/2025      Page 1 of 1
        Patient ROWENA J. FAIRCHILD-OKORO   Acct 99163   Visit 11/02/2025 Outpatient
        Guarantor ROWENA J. FAIRCHILD-OKORO, 1405 NE Valley Rd, Pullman WA 99163-4031
        Plan Inland Northwest Health Group 82947  ID INH0044172
        Dx E1165, R5383, Z1331
    """)
    size = 7
    x_code = 104
    x_desc = x_code + width("00000", size) + 0.6  # the description starts where a 5-character code ends
    cols = [
        Col("Svc Date", 36),
        Col("Rev", 80),
        Col("Code", x_code),
        Col("Description", x_desc + 6),
        Col("Mod", 300),
        Col("Qty", 340, "right"),
        Col("Charges", 400, "right"),
        Col("Ins Adj", 460, "right"),
        Col("Balance", 520, "right"),
    ]
    glued = "code glued to the description (columns touch)"
    items = [
        ("0300", "36415", "VENIPUNCTURE", "", "31.00"),
        ("0301", "80053", "COMP METABOLIC PANEL", "", "226.00"),
        ("0301", "80061", "LIPID PANEL", "", "141.00"),
        ("0301", "83036", "HEMOGLOBIN A1C", "", "98.00"),
        ("0305", "85025", "CBC W/AUTO DIFF", "", "88.00"),
        ("0301", "84443", "TSH", "", "119.00"),
        ("0301", "82043", "MICROALBUMIN QUANT URINE", "", "64.00"),
        ("0320", "77067", "SCREENING MAMMO BILAT 3D", "", "498.00"),
        ("0320", "77063", "BREAST TOMOSYNTHESIS SCRN", "", "142.00"),
        ("0402", "76641", "US BREAST UNILAT COMPLETE", "RT", "366.00"),
        ("0510", "G0463", "HOSPITAL OUTPT CLINIC VISIT", "", "284.00"),
    ]
    rows = []
    for rev, cd, desc, mod, amt in items:
        cells = ["11/02/25", rev, cd, "", mod, "1", amt, "0.00", amt]
        rows.append((Row(cells, [Code(cd, (mod,) if mod else (), glued)]), desc))
    # draw by hand: the description cell sits right against the code cell
    y = 640
    for col in cols:
        pdf.text(col.x, y, col.header, size, "Helvetica-Bold", col.align)
    pdf.rule(y - 3)
    y -= 12
    for r, desc in rows:
        for col, cell in zip(cols, r.cells, strict=True):
            if cell:
                pdf.text(col.x, y, cell, size, "Helvetica", col.align)
        pdf.text(x_desc, y, desc, size)
        for cd in r.codes:
            pdf.mark(cd)
        y -= 10
    pdf.rule(y + 4)
    total = f"{sum(float(r.cells[6]) for r, _ in rows):.2f}"
    pdf.text(400, y - 8, total, size, "Helvetica-Bold", "right")
    pdf.text(520, y - 8, total, size, "Helvetica-Bold", "right")
    pdf.at(36, y - 30, 7.5).lines("""
        Your plan has not yet processed this visit. Amount shown is before insurance.
        Pay by phone 509-555-0139 or mail to PO Box 99163, Pullman WA 99163-0163. Ref 33120.
    """)


# ---------------------------------------------------------------------------------------------
# professional statements
# ---------------------------------------------------------------------------------------------


def prof_orthopedics(pdf: Pdf):
    """Professional statement with separate modifier columns and a diagnosis column."""
    pdf.text(36, 752, "Cascadia Bone & Joint Specialists, PLLC", 13, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        3300 NW Sycamore Ave, Suite 210, Corvallis, OR 97330-2217
        Billing (541) 555-0166  |  Tax ID 93-1184402  |  Group NPI 1447719208
    """)
    pdf.text(576, 752, "PATIENT STATEMENT", 11, "Helvetica-Bold", "right")
    pdf.text(576, 738, "Statement date 05/19/2025", 8, align="right")
    pdf.at(36, 708, 8, 11).lines("""
        Patient: Evangeline S. Dorsey-Ambrose    Acct #: 97330    DOB: 01/27/1957
        Mail to: 1847 SW Brooklane Dr, Corvallis OR 97333-1552
        Insurance: Willamette Senior Advantage HMO   Member ID WSA660183420   Group 29881
        Dx: M1711 primary osteoarthritis right knee   E1140 type 2 diabetes w/ neuropathy   M25561
    """)
    cols = [
        Col("DOS", 36),
        Col("Provider", 78),
        Col("CPT/HCPCS", 150),
        Col("Mod 1", 196),
        Col("Mod 2", 222),
        Col("Dx", 250),
        Col("Units", 300, "right"),
        Col("Charges", 352, "right"),
        Col("Ins Paid", 402, "right"),
        Col("Adj", 448, "right"),
        Col("Balance", 500, "right"),
        Col("Remark", 512),
    ]
    rows = parse_rows(r"""
        04/02/25 | N. Halvorsen MD | 99204 | 25 |  | M1711 | 1 | 412.00 | 169.50 | 202.50 | 40.00 | CO-45 => 99204 25
        04/02/25 | N. Halvorsen MD | 73562 | RT |  | M1711 | 1 | 148.00 | 38.96 | 109.04 | 0.00 | CO-45 => 73562 RT
        04/02/25 | N. Halvorsen MD | 20610 | RT |  | M1711 | 1 | 265.00 | 70.94 | 194.06 | 0.00 | CO-45 => 20610 RT
        04/02/25 | N. Halvorsen MD | J3301 |  |  | M1711 | 4 | 32.00 | 7.12 | 24.88 | 0.00 | CO-45 => J3301
        04/02/25 | N. Halvorsen MD | L1833 | RT | KX | M1711 | 1 | 845.00 | 502.31 | 210.74 | 131.95 | \
            PR-2 => L1833 RT KX
        04/30/25 | K. Oyama PA-C | 20611 | RT |  | M1711 | 1 | 298.00 | 90.15 | 207.85 | 0.00 | CO-45 => 20611 RT
        04/30/25 | K. Oyama PA-C | J7325 | JZ |  | M1711 | 48 | 1,210.00 | 611.33 | 598.67 | 0.00 | CO-45 => J7325 JZ
        04/30/25 | K. Oyama PA-C | 99213 | 25 |  | E1140 | 1 | 168.00 | 70.84 | 97.16 | 0.00 | CO-45 => 99213 25
        05/14/25 | N. Halvorsen MD | 99024 |  |  | M1711 | 1 | 0.00 | 0.00 | 0.00 | 0.00 |  => 99024
    """)
    y = pdf.table(cols, rows, 650, size=7)
    pdf.rule(y + 4)
    pdf.text(352, y - 8, "3,378.00", 7.5, "Helvetica-Bold", "right")
    pdf.text(402, y - 8, "1,561.15", 7.5, "Helvetica-Bold", "right")
    pdf.text(448, y - 8, "1,644.90", 7.5, "Helvetica-Bold", "right")
    pdf.text(500, y - 8, "171.95", 7.5, "Helvetica-Bold", "right")
    pdf.at(36, y - 40, 7.5, 11).lines("""
        Remark codes: CO-45 charge exceeds fee schedule (not your responsibility);  PR-2 coinsurance (you owe this).
        AMOUNT DUE: $171.95 by 06/15/2025.  Pay online or call (541) 555-0166.
        Mail: PO Box 97339, Corvallis OR 97339.
        Account 97330 - please write it on your check.
    """)


def prof_cms1500_form(pdf: Pdf):
    """A CMS-1500-like claim whose codes live only in AcroForm text fields (24D and its modifiers)."""
    form = pdf.canvas.acroForm
    fonts: dict = {}
    make_font = form.makeFont

    def one_font(name):  # reportlab writes a font object per field; one is enough
        if name not in fonts:
            fonts[name] = make_font(name)
        return fonts[name]

    form.makeFont = one_font

    def fld(name: str, label: str, value: str, x: float, y: float, w: float, h: float = 14):
        if label:
            pdf.text(x + 1, y + h + 1.5, label, 5.2)
        form.textfield(
            name=name,
            value=value,
            x=x,
            y=y,
            width=w,
            height=h,
            fontName="Courier",
            fontSize=8,
            borderWidth=0,
            fillColor=None,
        )
        pdf.box(x, y, w, h, 0.3)

    pdf.text(306, 760, "HEALTH INSURANCE CLAIM FORM", 13, "Helvetica-Bold", "center")
    pdf.text(
        306,
        748,
        "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12 - FILLED ELECTRONICALLY",
        6.5,
        align="center",
    )
    fld("1a", "1a. INSURED'S I.D. NUMBER", "BDW7712094402", 380, 712, 196)
    fld("2", "2. PATIENT'S NAME (Last, First, MI)", "KOWALCZYK-ADEBAYO, FERDINAND, L", 36, 712, 220)
    pdf.text(36, 698, "5. PATIENT'S ADDRESS   722 WILLOW RUN DR, MADISON WI", 6)
    fld("5zip", "ZIP CODE", "53705", 36, 668, 70)
    pdf.text(120, 683, "TELEPHONE (608) 555-0172", 6)
    fld("11", "11. INSURED'S POLICY GROUP OR FECA NUMBER", "10060", 380, 682, 196)
    pdf.text(380, 660, "c. INSURANCE PLAN NAME   BADGER DAIRYLAND MEDICARE ADVANTAGE", 6)
    fld("23", "23. PRIOR AUTHORIZATION NUMBER", "94618", 380, 620, 196)
    pdf.text(
        36,
        600,
        "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)   ICD Ind. 0",
        5.2,
    )
    for i, d in enumerate(["J441", "J9600", "R0602", "Z87891"]):
        fld(f"21{'ABCD'[i]}", f"{'ABCD'[i]}.", d, 36 + i * 90, 576, 80)
    pdf.text(
        36,
        550,
        "24. A. DATE(S) OF SERVICE   B. PLACE  C. EMG   D. PROCEDURES, SERVICES, OR SUPPLIES"
        "   E. DIAGNOSIS   F. $ CHARGES   G. DAYS   J. RENDERING",
        5.2,
    )
    pdf.text(
        36,
        543,
        "From MM DD YY                OF SERVICE      CPT/HCPCS      MODIFIER"
        "                           POINTER                      OR UNITS   PROVIDER ID. #",
        5.2,
    )
    lines = [
        ("99215", ("25",), "ABC", "285 00", "1"),
        ("94010", (), "A", "96 00", "1"),
        ("94640", (), "AB", "48 00", "1"),
        ("94640", ("76",), "AB", "48 00", "1"),
        ("J7620", ("JZ",), "A", "12 00", "2"),
        ("94760", ("59", "XU"), "B", "22 00", "1"),
    ]
    y = 518
    for i, (cpt, mods, ptr, chg, units) in enumerate(lines, start=1):
        pdf.text(28, y + 4, str(i), 6)
        fld(f"24A{i}", "", "03 14 25", 36, y, 56)
        pdf.text(100, y + 4, "11", 8, "Courier")
        fld(f"24D{i}", "", cpt, 180, y, 46)
        for j in range(4):
            if j < len(mods):
                fld(f"24Dmod{j + 1}_{i}", "", mods[j], 230 + j * 24, y, 22)
            else:
                pdf.box(230 + j * 24, y, 22, 14, 0.3)
        pdf.text(334, y + 4, ptr, 8, "Courier")
        pdf.text(380, y + 4, chg, 8, "Courier")
        pdf.text(444, y + 4, units, 8, "Courier")
        pdf.text(470, y + 4, "1962087340", 8, "Courier")
        pdf.mark(Code(cpt, mods, "only in AcroForm fields (24D and its modifiers)"))
        y -= 24
    fld("25", "25. FEDERAL TAX I.D. NUMBER", "39-1850042", 36, 340, 120)
    fld("26", "26. PATIENT'S ACCOUNT NO.", "44170", 162, 340, 100)
    fld("28", "28. TOTAL CHARGE", "511 00", 268, 340, 80)
    pdf.text(36, 318, "32. SERVICE FACILITY   ISTHMUS PULMONARY CLINIC, 2 S PARK ST, MADISON WI 53715-1311", 6)
    pdf.text(
        36,
        304,
        "33. BILLING PROVIDER   ISTHMUS PULMONARY ASSOC SC, PO BOX 53701, MADISON WI 53701-0537   PH (608) 555-0174",
        6,
    )
    fld("33a", "33a. NPI", "1578820399", 342, 276, 100)
    pdf.text(
        36,
        250,
        "NUCC Instruction Manual available at: nucc.org        PLEASE PRINT OR TYPE        "
        "APPROVED OMB-0938-1197 FORM 1500 (02-12)",
        5.5,
    )


def prof_ophthalmology(pdf: Pdf):
    """Eye-care statement: a Category III code, and optical V codes with modifiers in parentheses."""
    pdf.text(36, 752, "Bluestem Eye Institute & Optical", 13, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        8110 W 135th St, Overland Park, KS 66223   |   (913) 555-0195   |   EIN 48-1249906
        Please make checks payable to Bluestem Eye Institute, PO Box 66223, Overland Park KS
    """)
    pdf.at(36, 708, 8, 11).lines("""
        Statement for: Augustin V. Pellegrino-Saari (DOB 02/15/1993)      Account 92015      Statement 76519
        Address: 13020 Metcalf Ave Apt 1207, Overland Park, KS 66213-2611
        Medical plan: Prairie Heartland PPO (ID PHP30128877, group 66984)   Vision plan: ClearSight (ID CS1180094)
        Diagnosis: H18.621 keratoconus, stable, right eye;  H18.622 left eye;  H5213
    """)
    cols = [
        Col("Date", 36),
        Col("Service", 80),
        Col("Code", 268),
        Col("Mod", 318),
        Col("Units", 360, "right"),
        Col("Charge", 410, "right"),
        Col("Plan paid", 462, "right"),
        Col("Adjust", 514, "right"),
        Col("You pay", 566, "right"),
    ]
    rows = parse_rows(r"""
        03/04/25 | Eye exam, new patient, comprehensive | 92004 |  | 1 | 265.00 | 148.20 | 76.80 | 40.00 => 92004
        03/04/25 | Corneal topography | 92025 |  | 1 | 120.00 | 35.61 | 84.39 | 0.00 => 92025
        03/04/25 | Corneal pachymetry | 76514 |  | 1 | 60.00 | 11.02 | 48.98 | 0.00 => 76514
        03/18/25 | Corneal collagen cross-linking, right | 0402T | RT | 1 | 3,400.00 | 0.00 | 0.00 | \
            3,400.00 => 0402T RT
            # Category III
        03/18/25 | Riboflavin ophthalmic solution | J2787 | RT | 1 | 1,150.00 | 0.00 | 0.00 | 1,150.00 => J2787 RT
        04/15/25 | Post-op exam (global) | 99024 |  | 1 | 0.00 | 0.00 | 0.00 | 0.00 => 99024
        04/15/25 | Scleral lens, gas permeable, right | V2531(RT) |  | 1 | 1,080.00 | 400.00 | 0.00 | 680.00 => V2531 RT
            # modifier in parentheses
        04/15/25 | Scleral lens, gas permeable, left | V2531(LT) |  | 1 | 1,080.00 | 400.00 | 0.00 | 680.00 => V2531 LT
            # modifier in parentheses
        04/15/25 | Frames, purchased (backup glasses) | V2020(GY) |  | 1 | 189.00 | 0.00 | 0.00 | 189.00 => V2020 GY
            # modifier in parentheses
        04/15/25 | Sphero-cylinder lens, single vision | V2103 | RT | 1 | 95.00 | 0.00 | 0.00 | 95.00 => V2103 RT
        04/15/25 | Sphero-cylinder lens, single vision | V2103 | LT | 1 | 95.00 | 0.00 | 0.00 | 95.00 => V2103 LT
    """)
    y = pdf.table(cols, rows, 646, size=7.2)
    pdf.rule(y + 4)
    pdf.text(410, y - 8, "7,534.00", 7.5, "Helvetica-Bold", "right")
    pdf.text(566, y - 8, "6,329.00", 7.5, "Helvetica-Bold", "right")
    pdf.at(36, y - 34, 7.5, 11).lines("""
        Cross-linking was not covered by your medical plan; you signed a waiver on 03/04/25 (ABN on file).
        Questions: (913) 555-0195, Mon-Thu 8-6.  Interest-free plan available for balances over $500.
    """)


# ---------------------------------------------------------------------------------------------
# EOBs and Medicare Summary Notices
# ---------------------------------------------------------------------------------------------


def eob_commercial_er(pdf: Pdf):
    """Insurer EOB for ER physician services: code inside the description, remark codes beside it."""
    pdf.text(36, 752, "HIGH DESERT HEALTH PLAN", 13, "Helvetica-Bold")
    pdf.text(36, 739, "PO Box 27110, Albuquerque, NM 87125-7110   Member services 1-877-555-0129", 8)
    pdf.text(576, 752, "EXPLANATION OF BENEFITS", 11, "Helvetica-Bold", "right")
    pdf.text(576, 739, "THIS IS NOT A BILL", 8, "Helvetica-Bold", "right")
    pdf.at(36, 712, 8, 11).lines("""
        Member: Ysabel M. Trujillo-Hargreave        Member ID: HDP551028876        Group: 12002
        Mailing address: 3118 Vista del Sol NE, Albuquerque, NM 87111-4402
        Patient: Ysabel M. Trujillo-Hargreave       Claim #: 25205-118740           Date processed: 08/04/2025
        Provider: Sandia Emergency Physicians PA, NPI 1023357719 (out of network)   Patient account: 87111
    """)
    cols = [
        Col("Date(s)", 36),
        Col("Service (code)", 80),
        Col("Billed", 300, "right"),
        Col("Allowed", 350, "right"),
        Col("Deductible", 404, "right"),
        Col("Coinsurance", 462, "right"),
        Col("Plan paid", 514, "right"),
        Col("Remark", 524),
    ]
    rows = parse_rows(r"""
        07/19/25 | Emergency room visit (99285-25) | 1,480.00 | 512.40 | 250.00 | 52.48 | 209.92 | CO45 PR1 => 99285 25
            # EOB layout: description (code-modifier)
        07/19/25 | Repair of wound, 2.6-7.5 cm (12032) | 940.00 | 268.75 | 0.00 | 53.75 | 215.00 | CO45 PR2 => 12032
        07/19/25 | CT scan, head or brain (70450-26) | 390.00 | 41.07 | 0.00 | 8.21 | 32.86 | CO45 PR2 => 70450 26
        07/19/25 | CT scan, cervical spine (72125-26) | 420.00 | 52.13 | 0.00 | 10.43 | 41.70 | CO45 PR2 => 72125 26
        07/19/25 | Tetanus, diphtheria, pertussis vaccine\n(90715) | 96.00 | 0.00 | 0.00 | 0.00 | 0.00 | \
            CO97 N130 => 90715
            # code wrapped onto the next line
    """)
    y = pdf.table(cols, rows, 650, size=7.3)
    pdf.rule(y + 4)
    y = pdf.table(
        [
            Col("", 80),
            Col("", 300, "right"),
            Col("", 350, "right"),
            Col("", 404, "right"),
            Col("", 462, "right"),
            Col("", 514, "right"),
        ],
        parse_rows(r"""
            ** Claim totals | 3,326.00 | 874.35 | 250.00 | 124.87 | 499.48
        """),
        y - 4,
        rules=False,
    )
    pdf.at(36, y - 14, 7.5, 11).lines("""
        Your share: $374.87 (deductible $250.00 + coinsurance $124.87). The provider is out of network and may bill
        you the difference between billed and allowed amounts ($2,451.65) unless a state or federal law protects you.
        Emergency services are protected by the No Surprises Act: call us at 1-877-555-0129 if you get such a bill.

        Remark codes:  CO45 charge exceeds fee schedule.  PR1 deductible.  PR2 coinsurance.
        CO97 benefit included in another service.  N130 consult plan benefit documents.
        Appeals: High Desert Health Plan, Appeals Unit, PO Box 27118, Albuquerque NM 87125-7118, within 180 days.
    """)


def _eob_multi_header(pdf: Pdf):
    pdf.text(36, 756, "Allegheny Summit Insurance Company", 12, "Helvetica-Bold")
    pdf.text(576, 756, f"Explanation of Benefits - page {pdf.page} of 2", 8, align="right")
    pdf.text(
        36, 744, "Member: Percival O. Lindqvist-Bamidele   ID ASI72019834   Group 15213 (Three Rivers Tool & Die)", 7.5
    )
    pdf.rule(738)
    pdf.text(
        306,
        26,
        "Allegheny Summit Insurance Company, 600 Grant St, Pittsburgh PA 15219-2702  Customer service 1-800-555-0150",
        6.5,
        align="center",
    )


def eob_multi_claim(pdf: Pdf):
    """Two claims over two pages; a PLA code; codes in parentheses with modifiers after a hyphen."""
    pdf.at(36, 720, 8, 11).lines("""
        Statement date: 09/12/2025
        Mail to: 5521 Forbes Ave, Pittsburgh, PA 15217-1204
    """)
    cols = [
        Col("Service date", 36),
        Col("Service", 96),
        Col("Amount billed", 330, "right"),
        Col("Plan discount", 390, "right"),
        Col("Plan paid", 444, "right"),
        Col("You owe", 496, "right"),
        Col("Notes", 508),
    ]
    pdf.text(
        36,
        682,
        "CLAIM 1   Claim ID 2025-224-0031187   Steel City Physical Therapy, NPI 1154320986",
        8,
        "Helvetica-Bold",
    )
    rows = parse_rows(r"""
        08/04/2025 | Physical therapy evaluation (97162-GP) | 260.00 | 118.52 | 101.18 | 40.30 | A => 97162 GP
        08/04/2025 | Therapeutic exercise (97110-GP) | 180.00 | 101.67 | 62.66 | 15.67 |  => 97110 GP
        08/06/2025 | Therapeutic exercise (97110-GP) | 180.00 | 101.67 | 62.66 | 15.67 |  => 97110 GP
        08/06/2025 | Manual therapy (97140-GP-59) | 120.00 | 66.12 | 43.10 | 10.78 | B => 97140 GP 59
        08/06/2025 | Neuromuscular re-education (97112-GP) | 120.00 | 64.38 | 44.50 | 11.12 |  => 97112 GP
        08/08/2025 | Hot or cold packs (97010-GP) | 40.00 | 40.00 | 0.00 | 0.00 | C => 97010 GP
    """)
    y = pdf.table(cols, rows, 664)
    pdf.rule(y + 4)
    pdf.text(96, y - 8, "Claim 1 totals", 7.5, "Helvetica-Bold")
    pdf.text(330, y - 8, "900.00", 7.5, "Helvetica-Bold", "right")
    pdf.text(496, y - 8, "93.54", 7.5, "Helvetica-Bold", "right")
    pdf.at(36, y - 30, 7.5, 11).lines("""
        Notes:  A  Your $40.00 specialist copay applies.   B  Paid at the multiple-procedure rate.
        C  Hot/cold packs are bundled into other therapy services (CO-97); you owe nothing for this line.

        Deductible (in network): $750.00, met $750.00.   Out-of-pocket maximum: $5,000.00, met $1,914.22.
        Therapy visits used this plan year: 11 of 30.
    """)
    pdf.new_page()
    pdf.text(
        36,
        720,
        "CLAIM 2   Claim ID 2025-229-0044920   Ohio Valley Laboratory Services, NPI 1942207716",
        8,
        "Helvetica-Bold",
    )
    pdf.text(
        36,
        708,
        "Ordering provider: Dr. Simone Achterberg    Patient account at provider: 15217    Specimen 0240-5571",
        7.5,
    )
    rows = parse_rows(r"""
        08/11/2025 | Infectious agent detection, SARS-CoV-2, flu A & B\n(0240U) | 295.00 | 153.40 | 141.60 | 0.00 | \
            D => 0240U
            # PLA code wrapped onto the next line
        08/11/2025 | Comprehensive metabolic panel (80053) | 98.00 | 84.64 | 13.36 | 0.00 |  => 80053
        08/11/2025 | Complete blood count w/ differential (85025) | 54.00 | 46.34 | 7.66 | 0.00 |  => 85025
        08/11/2025 | C-reactive protein (86140) | 36.00 | 30.09 | 5.91 | 0.00 |  => 86140
        08/11/2025 | Specimen collection, venous blood (36415) | 15.00 | 11.00 | 4.00 | 0.00 |  => 36415
    """)
    y = pdf.table(cols, rows, 684)
    pdf.rule(y + 4)
    pdf.text(96, y - 8, "Claim 2 totals", 7.5, "Helvetica-Bold")
    pdf.text(330, y - 8, "498.00", 7.5, "Helvetica-Bold", "right")
    pdf.text(496, y - 8, "0.00", 7.5, "Helvetica-Bold", "right")
    pdf.at(36, y - 30, 7.5, 11).lines("""
        Notes:  D  Lab tests from an in-network lab are covered in full after the deductible.
        Questions? Call 1-800-555-0150. To appeal, write within 180 days to PO Box 15210, Pittsburgh PA 15230-5210.
        Total you owe for both claims: $93.54.
    """)


def _msn_header(pdf: Pdf):
    pdf.text(36, 758, "Medicare Summary Notice for Part B (Medical Insurance)", 11, "Helvetica-Bold")
    pdf.text(576, 758, f"Page {pdf.page} of 2", 8, align="right")
    pdf.text(
        36,
        746,
        "ADELAIDE P HOLLINGSWORTH-NWOSU  |  Medicare Number XXXXXXX71C3  |  Date of This Notice: June 20, 2025",
        7.5,
    )
    pdf.rule(740)


def msn_partb_2page(pdf: Pdf):
    """Two-page MSN: codes in parentheses at the end of the service text, some wrapped to the next line."""
    y = pdf.at(36, 722, 8, 11).lines("""
        ADELAIDE P HOLLINGSWORTH-NWOSU
        3308 RIVERMONT AVE
        LYNCHBURG VA 24503-1622

        Your Deductible Status: You have now met $257.00 of your $257.00 Part B deductible for 2025.
        Claims Processed Between: March 18 - June 16, 2025
        Customer Service Information: 1-800-MEDICARE (1-800-633-4227). TTY users 1-877-486-2048.
        Your Medicare Number: XXXXXXX71C3
    """)
    cols = [
        Col("Service Provided & Billing Code", 36),
        Col("Services\nApproved?", 262),
        Col("Amount\nProvider\nCharged", 346, "right"),
        Col("Medicare-\nApproved\nAmount", 406, "right"),
        Col("Medicare\nPaid", 458, "right"),
        Col("Maximum You\nMay Be\nBilled", 524, "right"),
        Col("See\nNotes", 540),
    ]
    pdf.at(36, y - 6, 7.5, 10).lines("""
        Centra Lynchburg General Hospital - Physicians, (434) 555-0121
        1901 Tate Springs Rd, Lynchburg, VA 24501-1167
        Claim Number: 21125100438877   Referred by: Lucius Van Arsdale
    """)
    rows = parse_rows(r"""
        Apr 02, 2025
        Initial hospital inpatient care, moderate\n(99222) | Yes | $385.00 | $142.35 | $111.60 | $28.47 |  => 99222
            # MSN layout; code wrapped onto the next line
        Apr 03, 2025
        Subsequent hospital inpatient care (99232) | Yes | $210.00 | $86.33 | $67.68 | $17.27 |  => 99232
        Apr 04, 2025
        Subsequent hospital inpatient care (99232) | Yes | $210.00 | $86.33 | $67.68 | $17.27 |  => 99232
        Electrocardiogram report (93010) | Yes | $48.00 | $8.63 | $6.77 | $1.73 |  => 93010
        Apr 05, 2025
        Hospital discharge day management, 30 min or less\n(99238) | Yes | $225.00 | $74.31 | $58.26 | $14.86 | \
             => 99238
            # MSN layout; code wrapped onto the next line
        ** Total for this claim |  | $1,078.00 | $397.95 | $311.99 | $79.60
    """)
    y = pdf.table(cols, rows, y - 46, size=7.3)
    pdf.at(36, y - 10, 7.5, 10).lines("""
        Blue Ridge Radiology Associates, (434) 555-0135
        2417 Atherholt Rd, Lynchburg, VA 24501
        Claim Number: 21125101172204
    """)
    rows = parse_rows(r"""
        Apr 02, 2025
        X-ray of chest, 2 views (71046-26) | Yes | $72.00 | $10.03 | $7.86 | $2.01 |  => 71046 26
        CT scan of chest with contrast\n(71260-26) | Yes | $310.00 | $60.52 | $47.45 | $12.10 |  => 71260 26
            # MSN layout; code wrapped onto the next line
        ** Total for this claim |  | $382.00 | $70.55 | $55.31 | $14.11
    """)
    pdf.table(cols, rows, y - 46, size=7.3, bottom=120)
    pdf.new_page()
    y = pdf.at(36, 720, 7.5, 10).lines("""
        Piedmont Pulmonary & Sleep, (434) 555-0140
        2250 Murrell Rd Ste 2B, Lynchburg, VA 24501-2042
        Claim Number: 21125161530916
    """)
    rows = parse_rows(r"""
        May 28, 2025
        Office or other outpatient visit, established\npatient (99214-25) | Yes | $240.00 | $125.18 | $98.14 | \
            $25.04 | A => 99214 25
            # MSN layout; code and modifier wrapped onto the next line
        Breathing capacity test (94010) | Yes | $95.00 | $35.74 | $28.02 | $7.15 |  => 94010
        Pneumococcal vaccine (90677) | Yes | $310.00 | $289.46 | $289.46 | $0.00 | B => 90677
        Administration of pneumococcal vaccine (G0009) | Yes | $35.00 | $34.96 | $34.96 | $0.00 | B => G0009
        ** Total for this claim |  | $680.00 | $485.34 | $450.58 | $32.19
    """)
    y = pdf.table(cols, rows, y - 6, size=7.3)
    pdf.at(36, y - 16, 7.5, 11).lines("""
        Notes for Your Claims
        A  Medicare paid the provider $98.14 for this service. Approved amount reduced by 2% (sequestration).
        B  Medicare pays the full cost of this preventive service. You owe nothing.

        How to Handle Denials or Appeals: if you disagree, file an appeal by August 19, 2025. Send it to:
        Medicare Part B Redeterminations, PO Box 24503, Lynchburg VA 24506-4503 (do not send payments here).
    """)


def msn_dme(pdf: Pdf):
    """MSN page for durable medical equipment: rental and purchase modifiers after a hyphen."""
    pdf.text(36, 758, "Medicare Summary Notice for Part B (Medical Insurance)", 11, "Helvetica-Bold")
    pdf.text(576, 758, "Page 2 of 3", 8, align="right")
    pdf.at(36, 740, 7.5, 10).lines("""
        Notice for Rutherford Q Abiodun-Castellano        Medicare Number XXXXXXX35E1
        Date of This Notice: September 9, 2025             Claims Processed Between: June 10 - September 5, 2025
    """)
    pdf.rule(724)
    pdf.text(36, 708, "Your Claims for Part B (Medical Insurance) - Medical equipment", 9, "Helvetica-Bold")
    pdf.at(36, 692, 7.5, 10).lines("""
        Restful Nights Respiratory Supply, 1-844-555-0106
        2900 Eastlake Ave E, Seattle, WA 98102-3012
        Claim Number: 19225175002211   Supplier number 0421996003
        Ordered by: Marguerite Oyelaran-Fitch
    """)
    cols = [
        Col("Service Provided & Billing Code", 36),
        Col("Services\nApproved?", 262),
        Col("Amount\nSupplier\nCharged", 346, "right"),
        Col("Medicare-\nApproved\nAmount", 406, "right"),
        Col("Medicare\nPaid", 458, "right"),
        Col("Maximum You\nMay Be\nBilled", 524, "right"),
        Col("See\nNotes", 540),
    ]
    rows = parse_rows(r"""
        Jun 24, 2025
        Continuous positive airway pressure (CPAP) device\n(E0601-RR-KX) | Yes | $195.00 | $77.81 | $61.01 | $15.56 | \
            A => E0601 RR KX
            # MSN layout; code wrapped onto the next line
        Humidifier, heated, used with PAP device (E0562-RR) | Yes | $42.00 | $21.09 | $16.54 | $4.22 | A => E0562 RR
        Full face mask used with PAP device (A7030-NU) | Yes | $168.00 | $141.28 | $110.77 | $28.26 |  => A7030 NU
        Headgear used with PAP device (A7035-NU) | Yes | $45.00 | $28.61 | $22.43 | $5.72 |  => A7035 NU
        Tubing with integrated heating element (A4604-NU) | Yes | $78.00 | $47.89 | $37.55 | $9.58 |  => A4604 NU
        Filter, disposable, used with PAP device\n(A7038-NU) | No | $24.00 | $0.00 | $0.00 | $0.00 | B => A7038 NU
            # MSN layout; code wrapped onto the next line
        ** Total for this claim |  | $552.00 | $316.68 | $248.30 | $63.34
    """)
    y = pdf.table(cols, rows, 640, size=7.3)
    pdf.at(36, y - 10, 7.5, 10).lines("""
        Cascade Home Nutrition, 1-888-555-0184
        PO Box 98021, Seattle, WA 98111-0021
        Claim Number: 19225188130417
    """)
    rows = parse_rows(r"""
        Jul 01, 2025
        Enteral feeding supply kit, pump fed, per day\n(B4035-NU) | Yes | $465.00 | $343.80 | $269.54 | $68.76 | \
             => B4035 NU
            # MSN layout; code wrapped onto the next line
        Enteral formula, intact nutrients, 100 cal (B4150) | Yes | $612.00 | $410.40 | $321.75 | $82.08 |  => B4150
        ** Total for this claim |  | $1,077.00 | $754.20 | $591.29 | $150.84
    """)
    y = pdf.table(cols, rows, y - 46, size=7.3)
    pdf.at(36, y - 16, 7.5, 11).lines("""
        Notes for Your Claims
        A  This is rental month 3 of 13 for this equipment. Keep using it to keep Medicare coverage.
        B  Medicare covers 2 disposable filters per month; you got more (CO-151, remark N362).

        If you disagree, file an appeal by November 10, 2025: Medicare DME Redeterminations, PO Box 6727,
        Fargo ND 58108-6727. Call 1-800-633-4227 with questions. Supplier ZIP code on file: 98102.
    """)


# ---------------------------------------------------------------------------------------------
# DME, ambulance, dental, lab, pharmacy
# ---------------------------------------------------------------------------------------------


def dme_cpap_invoice(pdf: Pdf):
    """Supplier invoice: 5-digit item numbers, serials, two modifier columns."""
    pdf.text(36, 752, "Evergreen Sleep & Home Medical, Inc.", 13, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        14220 Interurban Ave S, Tukwila, WA 98168-4660   Tel 206-555-0111   Fax 206-555-0112
        Medicare PTAN 0421996003   NPI 1205558812   Tax ID 91-1792260
    """)
    pdf.text(576, 752, "INVOICE", 14, "Helvetica-Bold", "right")
    pdf.at(420, 724, 8, 11).lines("""
        Invoice #: 30417
        Invoice date: 06/27/2025
        Customer #: 98168
        Page 1 of 1
    """)
    pdf.at(36, 700, 8, 11).lines("""
        Bill to:
        Rutherford Q. Abiodun-Castellano
        6010 Rainier Ave S Apt 402
        Seattle WA 98118-2759
    """)
    pdf.at(230, 700, 8, 11).lines("""
        Ordering physician: Marguerite Oyelaran-Fitch MD
        NPI 1801944613
        Dx: G4733 obstructive sleep apnea;  E6601
        Delivery ticket 22318, set-up 06/24/2025
    """)
    cols = [
        Col("Item #", 36),
        Col("HCPCS", 78),
        Col("Mod 1", 112),
        Col("Mod 2", 138),
        Col("Description", 164),
        Col("Serial / Lot", 350),
        Col("Qty", 430, "right"),
        Col("Unit price", 490, "right"),
        Col("Total", 560, "right"),
    ]
    rows = parse_rows(r"""
        37297 | E0601 | RR | KX | CPAP DEVICE AUTO, RENTAL MO 3 OF 13 | SN 22314057318 | 1 | 195.00 | \
            195.00 => E0601 RR KX
        37298 | E0562 | RR |  | HEATED HUMIDIFIER, RENTAL MO 3 | SN 22314057319 | 1 | 42.00 | 42.00 => E0562 RR
        61022 | A7030 | NU |  | FULL FACE MASK, MEDIUM | LOT 4471A | 1 | 168.00 | 168.00 => A7030 NU
        61040 | A7035 | NU |  | HEADGEAR | LOT 4471B | 1 | 45.00 | 45.00 => A7035 NU
        61107 | A4604 | NU |  | HEATED TUBING 6FT | LOT 90228 | 1 | 78.00 | 78.00 => A4604 NU
        61120 | A7038 | NU |  | DISPOSABLE FILTERS (2 PER PKG) | LOT 90301 | 3 | 8.00 | 24.00 => A7038 NU
        61133 | A7046 | NU |  | WATER CHAMBER REPLACEMENT | LOT 90355 | 1 | 36.00 | 36.00 => A7046 NU
        90001 |  |  |  | DELIVERY / SETUP (NO CHARGE) |  | 1 | 0.00 | 0.00
    """)
    y = pdf.table(cols, rows, 640, size=7.3)
    pdf.rule(y + 4)
    pdf.at(400, y - 10, 8, 11, "Courier").lines("""
        Subtotal          588.00
        Medicare allowed  354.57
        Medicare paid     278.00
        Balance due        76.57
    """)
    pdf.at(36, y - 70, 7.5, 11).lines("""
        Remit to: Evergreen Sleep & Home Medical, PO Box 98168, Tukwila WA 98138-0168.
        Questions about your supplies? Call 206-555-0111. Reorder filters every 15 days.
    """)


def dme_mobility(pdf: Pdf):
    """Mobility equipment: HCPCS glued to the description, and an ICD code that is also a HCPCS code."""
    pdf.text(36, 752, "RIVERTOWN MOBILITY & ORTHOTICS", 12, "Helvetica-Bold")
    pdf.text(36, 740, "410 Front St, Davenport IA 52801  |  563-555-0181  |  NPI 1336729804  |  FEIN 42-1470385", 7.5)
    pdf.at(36, 718, 7.5, 10).lines("""
        DELIVERY INVOICE  No. 52803          Date 01/29/2025          Customer 10451          Page 1 of 1
        Ship to: Temperance A. Vukovich-Lindahl, 2214 Brady St, Davenport IA 52803-3917
        Payer: Hawkeye Medicare Advantage  ID HMA88102235  Group 52801
        Prescriber: Osvaldo Kirchner-Ampofo DO, NPI 1629304481, order date 01/16/2025
    """)
    size = 7
    x_code = 78
    x_desc = x_code + width("E0000", size) + 0.8
    cols = [
        ("Line", 36, "left"),
        ("HCPCS", x_code, "left"),
        ("Description", x_desc + 8, "left"),
        ("Mod", 286, "left"),
        ("Dx", 330, "left"),
        ("Qty", 380, "right"),
        ("Charge", 440, "right"),
        ("Allowed", 500, "right"),
        ("Pt resp", 560, "right"),
    ]
    y = 664
    for h, x, a in cols:
        pdf.text(x, y, h, size, "Helvetica-Bold", a)
    pdf.rule(y - 3)
    y -= 12
    items = [
        ("1", "K0001", "STANDARD WHEELCHAIR 18IN", "RR", "S72001A", "1", "112.00", "68.22", "13.64"),
        ("2", "E0143", "WALKER FOLDING WHEELED", "NU", "S72001A", "1", "139.00", "91.40", "18.28"),
        ("3", "E0163", "COMMODE CHAIR FIXED ARMS", "NU", "S72001A", "1", "118.00", "66.35", "13.27"),
        ("4", "E0114", "CRUTCHES UNDERARM PAIR", "NU", "S72001A", "1", "56.00", "42.18", "8.44"),
        ("5", "L3908", "WRIST HAND ORTHOSIS OTS", "LT", "S62102A", "1", "86.00", "60.17", "12.03"),
        ("6", "L4361", "WALKING BOOT PNEUMATIC OTS", "RT", "E1140", "1", "265.00", "178.03", "35.61"),
    ]
    for line, cd, desc, mod, dx, qty, chg, allowed, pt in items:
        for (_, x, a), cell in zip(cols, [line, cd, "", mod, dx, qty, chg, allowed, pt], strict=True):
            if cell:
                pdf.text(x, y, cell, size, "Helvetica", a)
        pdf.text(x_desc, y, desc, size)
        pdf.mark(Code(cd, (mod,), "code glued to the description (columns touch)"))
        y -= 10
    pdf.rule(y + 4)
    pdf.text(440, y - 8, "776.00", size, "Helvetica-Bold", "right")
    pdf.text(500, y - 8, "506.35", size, "Helvetica-Bold", "right")
    pdf.text(560, y - 8, "101.27", size, "Helvetica-Bold", "right")
    pdf.at(36, y - 30, 7.5, 11).lines("""
        Diagnosis key: S72001A fracture of right femoral neck; S62102A fracture of left wrist;
        E1140 type 2 diabetes mellitus with diabetic neuropathy (ICD-10-CM E11.40).
        Wheelchair is a monthly rental (RR): month 1 of 13. Return or call 563-555-0181 when no longer needed.
        Mail payment: PO Box 52808, Davenport IA 52808-2808.
    """)


def amb_air_transport(pdf: Pdf):
    """Air ambulance invoice: origin and destination ZIP codes next to the codes, an aircraft tail number."""
    pdf.text(36, 752, "MOUNTAIN STAR AIR MEDICAL", 13, "Helvetica-Bold")
    pdf.text(36, 739, "Hangar 4, 2200 Airport Rd, Kalispell MT 59901   Billing 406-555-0193   TIN 81-0477262", 8)
    pdf.text(576, 752, "PATIENT INVOICE", 11, "Helvetica-Bold", "right")
    pdf.at(36, 712, 8, 11).lines("""
        Invoice 59901-0211      Date 05/12/2025      Flight # 25-0418      Aircraft N4127 (rotor wing)
        Patient: Leopoldina R. Castellanos-Whitfield    DOB 09/09/1981    Patient # 59937
        Address: 688 Whitefish Stage Rd, Kalispell MT 59901-2416
        Insurance: Big Sky Health Co-op PPO, ID BSH20044817, group 59912
    """)
    pdf.at(36, 660, 7.5, 10).lines("""
        Pick-up: scene of accident, US Hwy 2 mile marker 131, Columbia Falls MT   Origin ZIP 59912
        Destination: Logan Health Medical Center, Kalispell MT   Destination ZIP 59901
        Dispatch 05/04/2025 16:05   Lift-off 16:12   On scene 16:31   Arrive hospital 16:58
        Loaded statute miles: 43   Crew: flight nurse, flight paramedic   Primary impression S27321A, S2241XA
    """)
    cols = [
        Col("Service date", 36),
        Col("Code", 100),
        Col("Mod", 140),
        Col("Description", 170),
        Col("Units", 400, "right"),
        Col("Unit charge", 470, "right"),
        Col("Amount", 560, "right"),
    ]
    rows = parse_rows(r"""
        05/04/2025 | A0431 | SH | Rotary wing air transport, one way | 1 | 42,800.00 | 42,800.00 => A0431 SH
            # origin/destination modifier; ZIP codes nearby
        05/04/2025 | A0436 | SH | Rotary wing air mileage, per loaded statute mile | 43 | 298.00 | 12,814.00 => A0436 SH
            # 43 mileage units
        05/04/2025 | J3010 |  | Fentanyl citrate 0.1 mg | 1 | 84.00 | 84.00 => J3010
        05/04/2025 | J7120 |  | Ringer's lactate up to 1000 cc | 1 | 165.00 | 165.00 => J7120
    """)
    y = pdf.table(cols, rows, 600)
    pdf.rule(y + 4)
    pdf.at(380, y - 10, 8, 11, "Courier").lines("""
        Total charges          55,863.00
        Insurance paid         18,420.66
        Contractual adj. (CO-45) 0.00
        Patient balance        37,442.34
    """)
    pdf.at(36, y - 70, 7.5, 11).lines("""
        Federal law (No Surprises Act) protects you from balance bills for emergency air ambulance services from
        out-of-network providers. If you think this bill is wrong, call 406-555-0193 or write to PO Box 59903,
        Kalispell MT 59903-0903. Reference flight 25-0418.
    """)


def dental_treatment_plan(pdf: Pdf):
    """Dental ledger with tooth and surface columns (surfaces like MOD are not modifiers)."""
    pdf.text(36, 752, "Harborview Dental Group", 13, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        77 Water St, Portsmouth NH 03801  |  (603) 555-0178  |  NPI 1912336045  |  TIN 02-0558173
    """)
    pdf.text(576, 752, "PATIENT LEDGER", 11, "Helvetica-Bold", "right")
    pdf.at(36, 712, 8, 11).lines("""
        Patient: Barnaby J. Oduya-Fennimore      Patient ID 03801      Birthdate 06/06/1969
        Guarantor: same, 19 Middle Rd, Portsmouth NH 03801-4317
        Primary dental: Granite State Dental  Sub ID GSD4102771  Group 02140   Secondary: none
        Ledger period 01/01/2025 - 07/31/2025    Printed 08/01/2025    Page 1 of 1
    """)
    cols = [
        Col("Date", 36),
        Col("Tooth", 84),
        Col("Surf", 116),
        Col("ADA Code", 148),
        Col("Description", 196),
        Col("Fee", 430, "right"),
        Col("Ins Pmt", 480, "right"),
        Col("Pt Pmt", 530, "right"),
        Col("Balance", 576, "right"),
    ]
    rows = parse_rows(r"""
        01/14/25 |  |  | D0150 | Comprehensive oral evaluation | 110.00 | 110.00 | 0.00 | 0.00 => D0150
        01/14/25 |  |  | D0330 | Panoramic radiographic image | 145.00 | 145.00 | 0.00 | 0.00 => D0330
        01/14/25 |  |  | D1110 | Prophylaxis - adult | 118.00 | 118.00 | 0.00 | 0.00 => D1110
        02/04/25 | 19 |  | D3330 | Endodontic therapy, molar | 1,240.00 | 620.00 | 620.00 | 0.00 => D3330
        02/25/25 | 19 | MOD | D2950 | Core buildup, including any pins | 325.00 | 162.50 | 162.50 | 0.00 => D2950
            # surfaces MOD are not modifiers
        02/25/25 | 19 |  | D2740 | Crown - porcelain/ceramic | 1,395.00 | 697.50 | 697.50 | 0.00 => D2740
        03/18/25 | 1 |  | D7140 | Extraction, erupted tooth | 210.00 | 168.00 | 42.00 | 0.00 => D7140
        03/18/25 |  |  | D9230 | Inhalation of nitrous oxide | 85.00 | 0.00 | 85.00 | 0.00 => D9230
        07/15/25 |  |  | D0120 | Periodic oral evaluation | 68.00 | 68.00 | 0.00 | 0.00 => D0120
        07/15/25 |  |  | D1110 | Prophylaxis - adult | 118.00 | 118.00 | 0.00 | 0.00 => D1110
        07/15/25 |  |  | D9944 | Occlusal guard - hard appliance, full arch | 575.00 | 0.00 | 0.00 | 575.00 => D9944
    """)
    y = pdf.table(cols, rows, 646, size=7.3)
    pdf.rule(y + 4)
    pdf.at(36, y - 12, 7.5, 11).lines("""
        Account balance: $575.00.  Annual maximum 2025: $2,500.00; used $2,207.00.
        Tooth numbers use the Universal system (1-32). Surfaces: M mesial, O occlusal, D distal.
        Questions? Call (603) 555-0178. Mail: PO Box 1417, Portsmouth NH 03802-1417.
    """)


def lab_statement(pdf: Pdf):
    """Lab statement with CPT and Dx columns side by side, accession numbers and a PLA code."""
    pdf.text(36, 752, "Sonora Clinical Laboratories", 13, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        PO Box 85072, Phoenix AZ 85072-2072   Billing questions 1-888-555-0145   Tax ID 86-1003742
        CLIA 03D2041187   Lab NPI 1508867230
    """)
    pdf.text(576, 752, "PATIENT STATEMENT", 11, "Helvetica-Bold", "right")
    pdf.at(36, 708, 8, 11).lines("""
        Patient: Marcelino F. Beauchamp-Adeyemi   DOB 12/12/1977   Patient # 85016
        Bill to: 4402 N 24th St Unit 9, Phoenix AZ 85016-5318
        Insurance: Saguaro Care Plus EPO  ID SCP70019342  Group 81003  - claim processed 10/20/2025
        Referring: Dr. Annika Oyelowo-Brandt, Desert Bloom Primary Care, NPI 1689011374
    """)
    cols = [
        Col("Date", 36),
        Col("Accession", 80),
        Col("CPT", 134),
        Col("Test", 172),
        Col("Dx", 338),
        Col("Qty", 388, "right"),
        Col("Charge", 440, "right"),
        Col("Ins paid", 492, "right"),
        Col("You owe", 544, "right"),
    ]
    rows = parse_rows(r"""
        10/01/25 | 57102 | 80053 | Comprehensive metabolic panel | E1165 | 1 | 182.00 | 11.02 | 3.68 => 80053
        10/01/25 | 57102 | 80061 | Lipid panel | Z0000 | 1 | 144.00 | 10.08 | 3.36 => 80061
        10/01/25 | 57102 | 83036 | Hemoglobin A1c | E1165 | 1 | 96.00 | 9.70 | 3.24 => 83036
        10/01/25 | 57102 | 82043 | Microalbumin, urine, quantitative | E1165 | 1 | 62.00 | 5.55 | 1.85 => 82043
        10/01/25 | 57102 | 82570 | Creatinine, urine | E1165 | 1 | 38.00 | 5.17 | 1.72 => 82570
        10/01/25 | 57103 | 81001 | Urinalysis, automated, with microscopy | N390 | 1 | 41.00 | 3.26 | 1.09 => 81001
        10/01/25 | 57103 | 87086 | Urine culture, colony count | N390 | 1 | 88.00 | 8.04 | 2.68 => 87086
        10/01/25 | 57104 | 0241U | SARS-CoV-2, flu A/B, RSV, multiplex | R0981 | 1 | 485.00 | 107.10 | 35.70 => 0241U
            # PLA code
        10/01/25 | 57102 | 36415 | Venipuncture | Z0000 | 1 | 20.00 | 2.25 | 0.75 => 36415
    """)
    y = pdf.table(cols, rows, 646, size=7.2)
    pdf.rule(y + 4)
    pdf.text(440, y - 8, "1,156.00", 7.5, "Helvetica-Bold", "right")
    pdf.text(492, y - 8, "162.17", 7.5, "Helvetica-Bold", "right")
    pdf.text(544, y - 8, "54.07", 7.5, "Helvetica-Bold", "right")
    pdf.at(36, y - 30, 7.5, 11).lines("""
        Diagnosis codes (ICD-10-CM) as sent by your provider: E1165 = E11.65, Z0000 = Z00.00, N390 = N39.0,
        R0981 = R09.81. Contractual adjustments: 939.76 (CO-45). Your amount due: $54.07 by 11/15/2025.
        Pay online, by phone at 1-888-555-0145, or mail to PO Box 85072, Phoenix AZ 85072-2072.
    """)


def lab_pathology(pdf: Pdf):
    """Pathology professional bill: units per specimen, -26 modifiers, case and block numbers."""
    pdf.text(36, 752, "Tri-State Pathology Consultants, S.C.", 13, "Helvetica-Bold")
    pdf.text(36, 739, "1221 N 8th St, Quincy IL 62301  -  217-555-0157  -  FEIN 37-1519920  -  NPI 1225031870", 8)
    pdf.at(36, 714, 8, 11).lines("""
        Statement date: 04/08/2025          Account: 62301          Page 1 of 1
        Patient: Cornelius O. Ferreira-Halvorsen     DOB 03/30/1960     Sex M
        Address: 3009 Maine St, Quincy, IL 62301-4421
        Case: S25-04471   Specimens A-F received 03/27/2025   Facility: Blessing Hospital (bills separately)
        Insurance: Prairie Lands Health, ID PLH55018833, group 88307   Dx: R972, C61, N401
    """)
    cols = [
        Col("DOS", 36),
        Col("Specimen / block", 80),
        Col("CPT", 176),
        Col("Mod", 210),
        Col("Description", 238),
        Col("Units", 440, "right"),
        Col("Charge", 500, "right"),
        Col("Balance", 560, "right"),
    ]
    rows = parse_rows(r"""
        03/27/25 | A-F (prostate, 12 cores) | 88305 | 26 | Surgical pathology, level IV, prof comp | 6 | 714.00 | \
            142.80 => 88305 26
            # 6 units: one per specimen
        03/27/25 | Block C2 | 88342 | 26 | Immunohistochemistry, first antibody | 1 | 148.00 | 29.60 => 88342 26
        03/27/25 | Block C2 | 88341 | 26 | Immunohistochemistry, each addl antibody | 2 | 236.00 | 47.20 => 88341 26
        03/27/25 | Block E1 | 88313 | 26 | Special stain, group II | 1 | 62.00 | 12.40 => 88313 26
    """)
    y = pdf.table(cols, rows, 630)
    pdf.rule(y + 4)
    pdf.text(500, y - 8, "1,160.00", 7.5, "Helvetica-Bold", "right")
    pdf.text(560, y - 8, "232.00", 7.5, "Helvetica-Bold", "right")
    pdf.at(36, y - 30, 7.5, 11).lines("""
        Your insurance paid $928.00 on 04/02/2025 (check 0088305127). You owe your 20% coinsurance: $232.00.
        A pathologist examined your tissue samples; this bill is separate from the hospital and surgeon bills.
        Call 217-555-0157 with questions, or mail payment to PO Box 3725, Quincy IL 62305-3725.
    """)


def pharm_infusion(pdf: Pdf):
    """Home infusion bill: per-diem S code, J code with units, NDCs in several forms, a colon modifier."""
    pdf.text(36, 752, "PRAIRIE HOME INFUSION SERVICES", 12, "Helvetica-Bold")
    pdf.text(
        36, 740, "5100 S Broadband Ln, Sioux Falls SD 57108  |  605-555-0189  |  NPI 1467745529  |  NCPDP 4399210", 7.5
    )
    pdf.at(36, 716, 7.5, 10).lines("""
        BILLING STATEMENT   Statement 57108-22   Date 02/28/2025   Page 1 of 1
        Patient: Ottoline G. Marchetti-Abara   Patient ID 57105   DOB 08/21/1990
        Address: 2508 S Duluth Ave, Sioux Falls SD 57105-4723
        Payer: Dakota Plains Health PPO, ID DPH66002817, group 96365    Rx # 7704418
        Dx: K5090 Crohn's disease, unspecified, without complications;  K50.90
    """)
    cols = [
        Col("Date", 36),
        Col("Code", 80),
        Col("Description", 136),
        Col("NDC", 326),
        Col("Units", 430, "right"),
        Col("Charge", 490, "right"),
        Col("Allowed", 548, "right"),
    ]
    rows = parse_rows(r"""
        02/10/25 | J1745:JZ | INFLIXIMAB 10 MG (500 MG DOSE) | 57894-0030-01 | 50 | 9,850.00 | 6,214.50 => J1745 JZ
            # modifier after a colon; 5-4-2 NDC
        02/10/25 | S9359 | HOME INFUSION ANTI-TNF PER DIEM |  | 1 | 325.00 | 198.00 => S9359
        02/10/25 | 99601 | HOME INFUSION NURSING VISIT, FIRST 2 HR |  | 1 | 260.00 | 142.88 => 99601
        02/10/25 | 99602 | HOME INFUSION NURSING VISIT, EA ADDL HR |  | 1 | 110.00 | 61.40 => 99602
        02/10/25 | J7050 | SODIUM CHLORIDE 0.9% 250 ML | N400338004902 | 1 | 42.00 | 8.15 => J7050
            # N4 NDC in its own column
        02/10/25 | J1200 | DIPHENHYDRAMINE UP TO 50 MG | 0641-0376-25 | 1 | 18.00 | 1.06 => J1200  # 4-4-2 NDC
        02/10/25 |  | ACETAMINOPHEN 650 MG PO (PREMED) | 00904-1983-60 | 1 | 2.50 | 0.00
        02/10/25 | A4222 | INFUSION SUPPLIES, PER CASSETTE/BAG |  | 1 | 85.00 | 39.77 => A4222
    """)
    y = pdf.table(cols, rows, 640, size=7.3)
    pdf.rule(y + 4)
    pdf.text(490, y - 8, "10,692.50", 7.5, "Helvetica-Bold", "right")
    pdf.text(548, y - 8, "6,665.76", 7.5, "Helvetica-Bold", "right")
    pdf.at(36, y - 30, 7.5, 11).lines("""
        Your plan paid 6,165.76 on 02/24/2025; coinsurance after deductible: $500.00 (PR-2). Copay card ID 5710822.
        Next infusion due 04/07/2025 (every 8 weeks). Questions: 605-555-0189.
        Mail: PO Box 57117, Sioux Falls SD 57117.
    """)


# ---------------------------------------------------------------------------------------------
# documents with no codes
# ---------------------------------------------------------------------------------------------


def letter_collections(pdf: Pdf):
    """Collection agency letter: many 5-digit numbers, none of them a procedure code."""
    pdf.text(36, 752, "Northfield Recovery Partners, LLC", 12, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        PO Box 74120, Columbus OH 43274-4120   |   1-866-555-0116   |   Mon-Fri 8am-8pm ET
    """)
    y = pdf.at(36, 700, 9, 13).lines("""
        March 3, 2025

        Isadora W. Blackwood-Chukwu
        930 Neil Ave Apt 5
        Columbus, OH 43215-1542

        Re: Ohio Valley Surgical Center     Creditor account no. 43215     Our file no. 99281
        Date(s) of service 09/16/2024       Balance placed with us: $12500.00     Agency reference 20600-7

        Dear Isadora W. Blackwood-Chukwu,

        The above account was placed with our office for collection. As of the date of this letter you owe
        $12500.00. This is a communication from a debt collector. This is an attempt to collect a debt and any
        information obtained will be used for that purpose.

        Unless you notify this office within 30 days after receiving this notice that you dispute the validity
        of this debt or any portion of it, this office will assume the debt is valid. If you notify us in
        writing within 30 days that you dispute it, we will obtain verification of the debt and mail you a
        copy. You may ask the original creditor for an itemized statement showing each service and its code.

        Payment options: pay in full; a 12-month plan of $1041.67 a month; or call to discuss hardship.
        Call 1-866-555-0116, ext. 43201, and give file no. 99281.

        Sincerely,
        Collections Department
    """)
    pdf.rule(y - 10)
    pdf.at(36, y - 26, 8, 12).lines("""
        DETACH AND RETURN WITH PAYMENT
        File no. 99281     Amount due $12500.00     Amount enclosed $________
        Make check payable to Northfield Recovery Partners, PO Box 74120, Columbus OH 43274-4120
    """)


def summary_hospital_balance(pdf: Pdf):
    """Summary statement: revenue categories and their codes only, no procedure codes."""
    pdf.text(36, 752, "Bayou Teche Regional Hospital", 13, "Helvetica-Bold")
    pdf.at(36, 738, 8).lines("""
        1125 Hospital Dr, New Iberia, LA 70563  |  Patient Accounts 337-555-0102  |  Tax ID 72-0831146
    """)
    pdf.text(576, 752, "SUMMARY STATEMENT", 11, "Helvetica-Bold", "right")
    pdf.at(36, 708, 8, 11).lines("""
        Guarantor: Clementine R. Broussard-Okeke   Guarantor no. 70560
        Address: 207 Bayard St, New Iberia, LA 70560-4417
        Patient: same   Account no. 36556   Admit 10/05/2025   Discharge 10/08/2025   Inpatient
        Statement date 11/02/2025   Due date 11/27/2025   Page 1 of 1
    """)
    cols = [Col("Rev", 36), Col("Description", 80), Col("Charges", 360, "right")]
    cats = [
        ("0110", "Room and board - private", "6,840.00"),
        ("0250", "Pharmacy", "1,204.33"),
        ("0258", "IV solutions", "388.00"),
        ("0270", "Medical/surgical supplies", "612.75"),
        ("0300", "Laboratory", "2,317.50"),
        ("0320", "Radiology - diagnostic", "1,140.00"),
        ("0350", "CT scan", "4,210.00"),
        ("0410", "Respiratory services", "736.00"),
        ("0450", "Emergency room", "3,388.00"),
        ("0730", "EKG/ECG", "412.00"),
    ]
    y = pdf.table(cols, [row(*c) for c in cats], 650)
    pdf.rule(y + 4)
    y = pdf.table(
        [Col("", 80), Col("", 360, "right")],
        parse_rows(r"""
            ** Total charges | 21,248.58
            Payment - Gulf Coast Health Plan 10/30/25 | -17,160.41
            Contractual adjustment | -2,588.17
            ** Patient responsibility | 1,500.00
        """),
        y - 8,
        rules=False,
    )
    pdf.at(36, y - 20, 8, 11).lines("""
        You may ask for an itemized bill that lists each service and its code. Call 337-555-0102.
        Financial assistance is available. Apply within 240 days: Patient Accounts, PO Box 13210,
        New Iberia LA 70562-3210.  Please write account no. 36556 on your check.
    """)


# ---------------------------------------------------------------------------------------------

DOCS = {
    "hosp_er_itemized.pdf": ("hospital_itemized", hosp_er_itemized, None),
    "hosp_inpatient_3page.pdf": ("hospital_itemized", hosp_inpatient_3page, _inpatient_header),
    "hosp_touching_columns.pdf": ("hospital_itemized", hosp_touching_columns, None),
    "prof_orthopedics.pdf": ("professional", prof_orthopedics, None),
    "prof_cms1500_form.pdf": ("professional", prof_cms1500_form, None),
    "prof_ophthalmology.pdf": ("professional", prof_ophthalmology, None),
    "eob_commercial_er.pdf": ("eob", eob_commercial_er, None),
    "eob_multi_claim.pdf": ("eob", eob_multi_claim, _eob_multi_header),
    "msn_partb_2page.pdf": ("msn", msn_partb_2page, _msn_header),
    "msn_dme.pdf": ("msn", msn_dme, None),
    "dme_cpap_invoice.pdf": ("dme", dme_cpap_invoice, None),
    "dme_mobility.pdf": ("dme", dme_mobility, None),
    "amb_air_transport.pdf": ("ambulance", amb_air_transport, None),
    "dental_treatment_plan.pdf": ("dental", dental_treatment_plan, None),
    "lab_statement.pdf": ("lab", lab_statement, None),
    "lab_pathology.pdf": ("lab", lab_pathology, None),
    "pharm_infusion.pdf": ("pharmacy", pharm_infusion, None),
    "letter_collections.pdf": ("letter", letter_collections, None),
    "summary_hospital_balance.pdf": ("summary", summary_hospital_balance, None),
}


PAGES = {"hosp_inpatient_3page.pdf": 3, "eob_multi_claim.pdf": 2, "msn_partb_2page.pdf": 2}


def build(name: str) -> tuple[bytes, list[dict[str, str]]]:
    _, builder, header = DOCS[name]
    pdf = Pdf(name, header)
    builder(pdf)
    pages = PAGES.get(name, 1)
    if pdf.page != pages:
        raise SystemExit(f"{name}: {pdf.page} pages drawn, its page headers say {pages}")
    return pdf.save(), pdf.truth


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def write_truth(path: Path, rows: list[dict[str, str]]):
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, TRUTH_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def merged_truth(existing: list[dict[str, str]], generated: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """Keep the hand-written rows (pasted text), put the generated rows of each PDF after them."""
    kept = [r for r in existing if r["file"] not in DOCS]
    return kept + [r for name in DOCS for r in generated[name]]


def check_codes(rows: list[dict[str, str]], shared: Path) -> list[str]:
    """Each truth code is real: HCPCS Level II active in the CMS file, CPT in the CMS fee schedule file."""
    problems = []
    hcpcs_file = shared / "data/hcpcs/HCPC2025_OCT_ANWEB.xlsx"
    rvu_file = shared / "data/fees/pfs-2025-rvu25d/PPRRVU2025_Oct_no_descriptors.csv"
    if not hcpcs_file.exists() or not rvu_file.exists():
        return [f"skipped: {hcpcs_file} or {rvu_file} not found"]
    import openpyxl

    sheet = openpyxl.load_workbook(hcpcs_file, read_only=True).active
    level2, ended = set(), set()
    header = None
    for values in sheet.iter_rows(values_only=True):
        if header is None:
            header = list(values)
            continue
        if str(values[header.index("RECID")]) == "3":
            level2.add(values[0].strip())
            if values[header.index("TERM DT")]:
                ended.add(values[0].strip())
    with rvu_file.open(newline="") as f:
        rvu = {r[0] for r in csv.reader(f) if r}
    # CPT PLA codes are not in the physician fee schedule; CDT codes are the ADA's (not in the CMS file)
    pla = {"0037U", "0239U", "0240U", "0241U"}
    cdt = {
        "D0120",
        "D0150",
        "D0180",
        "D0210",
        "D0274",
        "D0330",
        "D1110",
        "D1206",
        "D2391",
        "D2392",
        "D2393",
        "D2740",
        "D2950",
        "D3330",
        "D4341",
        "D4342",
        "D4381",
        "D7140",
        "D9230",
        "D9944",
    }
    for r in rows:
        c = r["code"]
        expected_kind = "cpt" if c[0].isdigit() else "hcpcs2"
        if r["kind"] != expected_kind:
            problems.append(f"{r['file']}: {c} kind {r['kind']}")
        if c.startswith("D"):
            ok = c in cdt
        elif c[0].isdigit():
            ok = c in rvu or c in pla
        else:
            ok = c in level2 and c not in ended
        if not ok:
            problems.append(f"{r['file']}: {c} is not a known active code")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-truth", action="store_true", help="rewrite the PDFs' rows in truth.csv")
    parser.add_argument("--check-codes", action="store_true", help="check every truth code against ../shared/data")
    parser.add_argument("--shared", type=Path, default=HERE.parents[2].parent / "shared")
    args = parser.parse_args(argv)

    generated = {}
    for name in DOCS:
        data, truth = build(name)
        (HERE / name).write_bytes(data)
        generated[name] = truth
        print(f"{name:32} {len(data):6} bytes  {len(truth):3} codes")

    status = 0
    truth_path = HERE / "truth.csv"
    existing = read_csv(truth_path) if truth_path.exists() else []
    merged = merged_truth(existing, generated)
    if args.write_truth:
        write_truth(truth_path, merged)
        print(f"wrote {truth_path.name}: {len(merged)} rows")
    elif merged != existing:
        print("truth.csv does not match the PDFs: run with --write-truth", file=sys.stderr)
        status = 1

    families = (
        {r["file"]: r["family"] for r in read_csv(HERE / "families.csv")} if (HERE / "families.csv").exists() else {}
    )
    for name, (family, _, _) in DOCS.items():
        if families.get(name) != family:
            print(f"families.csv: {name} should be {family}", file=sys.stderr)
            status = 1
    for name in {r["file"] for r in merged} - set(families):
        print(f"families.csv: {name} is missing", file=sys.stderr)
        status = 1

    if args.check_codes:
        problems = check_codes(merged, args.shared)
        for p in problems:
            print(p, file=sys.stderr)
        status = status or int(any(not p.startswith("skipped") for p in problems))
    return status


if __name__ == "__main__":
    sys.exit(main())
