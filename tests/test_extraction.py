import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from billexplain.bills.extraction import (
    AFTER_AN_ADDRESS,
    CANDIDATE,
    CODE_LABEL,
    DATE,
    DATE_START,
    DX_LABEL,
    GROUPED_ID,
    MASK_START,
    MASKS,
    MONEY,
    MONEY_START,
    NOT_A_SERVICE,
    STREET_START,
    UNITS_LABELLED,
    UNITS_START,
    Line,
    Word,
    extract,
    lines_from_text,
)


def codes_in(text):
    return [(item.code, item.modifiers) for item in extract(lines_from_text(text)).items]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("03/14/2025 99213 Office visit $150.00", [("99213", ())]),
        ("03/14/25 99213-25 Office visit 150.00", [("99213", ("25",))]),
        ("03/14/25 99213,25 Office visit 150.00", [("99213", ("25",))]),
        ("03/14/25 99213:25 Office visit 150.00", [("99213", ("25",))]),
        ("03/14/25 99213 25 59 Office visit 150.00", [("99213", ("25", "59"))]),
        ("03/14/25 V2020(NP) Frames 80.00", [("V2020", ("NP",))]),
        ("03/14/25 HC:66982 Cataract surgery 2,400.00", [("66982", ())]),
        ("CPT 99285 Emergency visit", [("99285", ())]),
        ("03/14/25 Ondansetron (J2405) 4 units 12.00", [("J2405", ())]),
        ("03/14/25 0450 070486 CT SINUS W/O DYE 1 980.00", [("70486", ())]),
        ("03/14/25 0636 0J2405 ONDANSETRON INJ 1 12.00", [("J2405", ())]),
        ("03/14/25 80053COMP METABOLIC PANEL 1 88.00", [("80053", ())]),
        ("Office visit (99214) $210.00 $95.12 $0.00 $19.02", [("99214", ())]),
        (
            "99285 ER visit $820.00 93010 ECG read $45.00 J0696 Ceftriaxone $150.00",
            [("99285", ()), ("93010", ()), ("J0696", ())],
        ),
        ("04/02/2025 A0427 RH Ambulance ALS emergency 1 1,200.00", [("A0427", ("RH",))]),
        ("01/05/26 3074F Systolic BP reported 0.00", [("3074F", ())]),
        ("03/11/25  T. Okonkwo MD     99214-25   Office visit   210.00", [("99214", ("25",))]),
        ("03/11/25  Dr. Lee   83036QW   Hemoglobin A1c   48.00", [("83036", ("QW",))]),
        ("02/17/25  Interactive complexity add-on   +90785   1   30.00", [("90785", ())]),
        ("03/04/25  0360  HC:66982      RT   CATARACT SURGERY   1   7412.00", [("66982", ("RT",))]),
        ("  Procedure code ....... 97161     Modifier(s): GP, 59", [("97161", ("GP", "59"))]),
        ("11/02/25 0402 76641US BREAST UNILAT 1 366.00", [("76641", ())]),
        ("02/05/25 0424 42497161 97161 GP PT EVAL LOW COMPLEXITY 1 318.00", [("97161", ("GP",))]),
        ("Office visit       99214    $250.00   $140.00   $30.00", [("99214", ())]),
        ("Line 1: 99213 - Office/outpatient visit est - $120", [("99213", ())]),
        ("0450 EMERGENCY ROOM 99284 1 1,234.00", [("99284", ())]),
        ("Services Provided: Office visit, new patient, 30 minutes (99203)", [("99203", ())]),
        ("Office visit, established patient (99214-25)", [("99214", ("25",))]),
        # Words that also name a kind of street, on service lines
        ("04/28/2025 401113 CT HEAD/BRAIN W/O CONTRAST - 70450 1 3,402.00", [("70450", ())]),
        ("03/14/2025 99214 Office visit, Dr. Okafor 1 $248.00", [("99214", ())]),
        ("03/14/2025 96369 SQ INFUSION 1ST HOUR 1 $300.00", [("96369", ())]),
        ("03/14/2025 36561 INSERT TUNNELED PORT 1 $1,200.00", [("36561", ())]),
        ("Dr. Okafor 99213 03/14/2025 $150.00", [("99213", ())]),
        # A description after a spaced dash or comma is not a modifier; a modifier there still is
        ("04/28/2025 70450 - CT HEAD/BRAIN W/O CONTRAST 1 3,402.00", [("70450", ())]),
        ("04/28/2025 99285 - ED VISIT HIGH SEVERITY 1 2,964.00", [("99285", ())]),
        ("04/28/2025 96374 - IV PUSH SINGLE DRUG 1 412.00", [("96374", ())]),
        ("03/14/2025 99213 - OV EST PATIENT $120.00", [("99213", ())]),
        ("03/14/2025 99285 ED VISIT HIGH SEVERITY 1 $2,964.00", [("99285", ())]),
        # A description ending in a word that also labels numbers
        ("03/04/2025  OFFICE VISIT NEW PATIENT 99203  $210.00", [("99203", ())]),
        ("03/04/2025  OV EST PT 99213  $120.00", [("99213", ())]),
        ("03/04/2025  Office visit, established patient 99214 25  $180.00", [("99214", ("25",))]),
        # Look-alike characters from PDFs and web pages: dashes, spaces that do not break, full-width digits
        ("03/14/2025 99213\u201325 Office visit $150.00", [("99213", ("25",))]),
        ("03/14/2025\u00a099213\u00a0Office visit\u00a0$150.00", [("99213", ())]),
        ("03/14/2025 \uff19\uff19\uff12\uff11\uff13 Office visit $150.00", [("99213", ())]),
        # The revenue code joined to the code; a list joined by slashes or inside a bracket
        ("02/09/25   0450-99285   ED VISIT LEVEL 5   1   2,964.00", [("99285", ())]),
        ("02/09/25   0300/80053   COMP METABOLIC PANEL   1   212.00", [("80053", ())]),
        ("Services billed: 99214-25 / 93000 / 81002", [("99214", ("25",)), ("93000", ()), ("81002", ())]),
        ("Follow-up for physical therapy (97110, 97140)", [("97110", ()), ("97140", ())]),
        ("03/14/2025 Injection J3420 (B12 1000MCG) 12.00", [("J3420", ())]),
        # A registered-trademark sign after CPT, as price estimates and hospital pages print it
        ("CPT® 73610 · Rev code 0320", [("73610", ())]),
        ("CPT(R) 29515", [("29515", ())]),
        ("CPT™: 99213", [("99213", ())]),
        # Dental codes name a quadrant or an arch after them, not a modifier
        ("02/19/2025 DDS1 D4341 UR Periodontal scaling & root planing 265.00", [("D4341", ())]),
        ("02/19/2025 DDS1 D4341 LL Periodontal scaling & root planing 265.00", [("D4341", ())]),
        # "HC" before a hospital's charge description is no modifier
        ("01/17/25 0300 36415 HC VENIPUNCTURE ROUTINE 1 38.00", [("36415", ())]),
        ("01/17/25 0450 99285 25 HC ER VISIT LEVEL 5 1 2,964.00", [("99285", ("25",))]),
        # A label some words before, and codes listed after one another
        ("Billing code of your claim: 99213", [("99213", ())]),
        (
            "Codes billed on your claim: 0037U, 88360, 88363, 0239U.  Diagnosis codes: C34.90, Z85.118.",
            [("0037U", ()), ("88360", ()), ("88363", ()), ("0239U", ())],
        ),
        ("CPT codes: 99213, 36415 and 85025.", [("99213", ()), ("36415", ()), ("85025", ())]),
        ("06/25/2025  2 manual therapy techniques (97140-GP/59)  $124.00", [("97140", ("GP", "59"))]),
        ("03/14/2025 99213-25/03 Office visit $150.00", [("99213", ("25",))]),
        ("03/14/2025 99214 - 25 Office visit $210.00", [("99214", ("25",))]),
        ("03/14/2025 J1745 - JZ 10 mg $85.00", [("J1745", ("JZ",))]),
        ("03/14/2025 A0427, RH 1 $1,200.00", [("A0427", ("RH",))]),
        # Physical status after an anesthesia code; a measure's exclusion after a Category II code
        ("03/04/2025 01402 AA P3 Anes knee arthroplasty 17.2 $1,376.00", [("01402", ("AA", "P3"))]),
        ("01/05/2026 3074F 8P Systolic BP not measured 0.00", [("3074F", ("8P",))]),
        ("03/04/2025 99213 P3 Office visit $120.00", [("99213", ())]),
        # Several modifiers in brackets, stuck to the code, or listed with a comma after a space
        ("06/09/25 97140 (GP,59) Manual therapy techniques 2 196.00", [("97140", ("GP", "59"))]),
        ("0420 PT MANUAL THERAPY 15M 97140GP59 050625 161 60", [("97140", ("GP", "59"))]),
        ("06/09/25 97140 GP,59 Manual therapy techniques 2 196.00", [("97140", ("GP", "59"))]),
        ("Manual therapy 15 min   04/18/25   97140 GP59   75.00", [("97140", ("GP", "59"))]),
        ("05/19/25 97140 GP.59 MANUAL THERAPY 120.00", [("97140", ("GP", "59"))]),  # a comma read as a dot
        # A Level II code with its modifier stuck on; a diagnosis's 7th character is no modifier
        ("07/04/25 A0427RH ALS1 EMERGENCY BASE RATE 1 $1,845.00", [("A0427", ("RH",))]),
        ("07/04/25 E0114NU CRUTCHES 1 $45.00", [("E0114", ("NU",))]),
        ("03/01/25 S0181XA Laceration of scalp $10.00", []),
        # After "CPT#", after another code and a slash; department and test names after a code
        ("1    COMP METABOLIC PANEL   CPT#80053   1   224.00", [("80053", ())]),
        ("REV 0260 / CPT 96365/96366 / IV INF THER 1ST HR / 1 / $450.00", [("96365", ()), ("96366", ())]),
        ("03/01/25 82550 CK TOTAL 0301 1 $40.00", [("82550", ())]),
        ("03/01/25 99284-ED LEVEL 4 1 $900.00", [("99284", ())]),
        ("09/18/25 0360 45378-PT COLONOSCOPY DIAGNOSTIC 1 2,850.00", [("45378", ("PT",))]),
        ("04/10/25  97140-59GP    MANUAL THERAPY   1   90.00", [("97140", ("59", "GP"))]),
        ("03/18/25 Gulf Coast Foot   11721 Q8   Nail debridement $92.00", [("11721", ("Q8",))]),
        # "DIAG" in a description is a diagnostic service, not a label of diagnosis codes
        ("09/12/25  DBT DIAG ADD-ON  G0279   1   188.00", [("G0279", ())]),
        # A code printed again in its own description is one item
        ("03/14/25 0450 99284-25 ER VISIT LEVEL 4 W/ MOD 25 (99284-25) 1 1,842.00", [("99284", ("25",))]),
        # A modifier after a comma, even with the description after it; "UA" after a space is a urinalysis
        ("05/06/25 77065, LT DIAGNOSTIC MAMMOGRAM UNILAT 1 312.00", [("77065", ("LT",))]),
        ("07/08/25 0307 81003 UA AUTO W/O MICRO 1 95.00", [("81003", ())]),
        # Medicaid's well-child modifier, and a lab test's name ending in ", TOTAL"
        ("04/11/25 99392 EP Prev visit est 1-4 yrs 1 $210.00", [("99392", ("EP",))]),
        ("01/22/25 VITAMIN D, 25-HYDROXY, TOTAL 82306 1 162.00", [("82306", ())]),
        # A claim form's row, read from paper without its column heading: MMDDYY date, charge split in two
        ("0300 COMPREHENSIVE METABOLIC 80053 050625 1 246 88", [("80053", ())]),
        # The therapy discipline before a code ("Pt: 12345" is a patient number)
        ("04/09/25  PT   97110  Therapeutic exercise   2 units  $120.00", [("97110", ())]),
        # A modifier labelled without a colon, as an app's card prints it; a drug's units are no PLA code
        ("03/02/25 Code 99285 · Modifier 25 Emergency visit $1,200.00", [("99285", ("25",))]),
        ("02/11/25 0636 J1644-JZ HEPARIN SODIUM PER 1000U 5 45.00", [("J1644", ("JZ",))]),
    ],
)
def test_it_reads_codes_in_the_shapes_bills_print_them(line, expected):
    assert codes_in(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Springfield, IL 62704",
        "Springfield, IL 62704-1234 Statement date 03/14/2025",
        "Anywhere, NY 12345 - 6789",
        "Account # 55123 Statement date 03/14/2025 Balance $40.00",
        "Patient ID: 48213 Date of service 03/14/2025",
        "Claim number 77421 paid 03/20/2025 $120.00",
        "Group No. 40012 Member ID 99213",
        "Call us at (555) 482-9921 or 1-800-549-3720",
        "NDC 00409-4888-02 Ondansetron 03/14/2025 $12.00",
        "N400409488802 ML 2",
        "03/14/2025 0450 Emergency room 1 $1,200.00",
        "Balance due 12500 on 03/14/2025",
        "Payer BIN 015730 $5884.11",
        "CONTRACTUAL ADJUSTMENT (10212)",
        "70558 Campbell Port Apt. 735",
        "Zip code: 62704",
        "Your verification code is 55123 (valid until 03/14/2025)",
        "Enter enrollment code 48213 at checkout. Amount due $40.00",
        "NDC 00409\u20134888\u201302 Ondansetron 03/14/2025 $12.00",
        "Springfield, IL 62704\u20131234 Statement date 03/14/2025",
        "SBR HB ITEMIZATION · Run 04/02/2025 06:14 · Report 71250",
        "04/17/25 06:52 PM REG 03 TRN 99214",
        "56. Address TUCSON AZ 85711  57. Phone (520) 555-0143",
        "Ins: Hawkeye Plains Health PPO ID HPH 55190 22 Group 50613",
        "Número de cuenta: 90472    Paciente: Mateo Villanueva    Fecha de nacimiento: 06/21/2020",
        "03/04/2025 Frame: Lindberg Style 92014 Col K25 54-17-140 1 $389.00",
        "Patient 12345  03/01/2025  $100.00",
        "Smith, John  Patient: 12345  03/01/2025",
        "ZIP Code 62704 Springfield",
        "Reason code for this claim: 97012",
        "Remark code 45, 97012 and 88360 apply",
        "70558 Campbell Port Apt. 735 11/18/1988",
        "12345 N Oak Ridge Dr, Salem 03/14/2025",
        "Remit to 400 Main St, Springfield 62704 on 03/14/2025",
        "Remark codes: CO-45 PR-2 N130 MA27",
        "Visit #12345 03/14/2025",
        "Call 1-866-555-0116, ext. 43201, and give file no. 99281.",
        "Mail: PO Box 97339, Corvallis OR 97339.",
        "Printed 11/03/2025 16:42   Register 03   Trans 55190   Cashier 114",
        "Chief complaint: shortness of breath; impression R0602, J4520, I509",
        "Diagnosis codes: S0181XA S0990XA S0083XA W010XXA Y92009",
        "DELIVERY INVOICE No. 52803 Date 01/29/2025 Customer 10451 Page 1 of 1",
        "07/02/2025  Hospital services - Emergency (visit 71010)   $3,812.00",
        "Visit #: 55120 on 03/14/2025 $40.00",
        "Patient 1D 57105 Date 03/14/2025",
        "Please have your internal control number (97012 4418 2203) ready.",
        "Account: 71543 Invoice No: 2025-0419-58290 Amount Due: $139.20",
        "25118-00731 04/11/25 Bright Horizons Pediatrics $210.00",
        # IDs printed in groups, their label before the first group
        "Claim Number: 25 129 00871 4              Received: 04/21/2025",
        "04/20/25 ICN 25125 00733 91 $1,200.00",
        "GLUCOSE TEST STRIPS 50CT   UPC 3 11917 17306 2      24.99",
        "Payment issued to provider: EFT trace 1 31240 887154 on 05/08/2025, amount $893.56.",
        "05/06/25  AARP PMT      EFT 20552 0977 1   372.05",
        "DOB 11/30/1949 (75 y)          CHART 64483",
        # a code label with its own number, and a payer's code
        "Statistical code 11 / Batch 43231 / Seq 00085 03/01/25 $10.00",
        "Name: VANCE, ELEANOR J (Payer code 93000) 03/01/25",
        "Trip 1 02/10/25 Pickup: Residence, 815 S 48th Ave, 98908",
        "7 days a week, 8 a.m. to 8 p.m. H5521_EOB25_M 03/01/25",  # a Medicare plan's material ID
    ],
)
def test_it_reports_no_code_for_numbers_that_are_something_else(line):
    assert codes_in(line) == []


def test_it_keeps_diagnosis_codes_apart_from_procedure_codes():
    result = extract(lines_from_text("Dx: E11.65, J4520, I10\n03/14/2025 99213 Office visit $150.00"))
    assert [item.code for item in result.items] == ["99213"]
    assert [d.code for d in result.diagnoses] == ["E11.65", "J45.20", "I10"]


@pytest.mark.parametrize(
    "listed",
    [
        "Dx:\nK8590\nR1013\nE1165\n",
        "DIAGNOSIS CODES\n  A. K8590   Acute pancreatitis\n  B. R1013   Epigastric pain\n"
        "  C. E1165   Type 2 DM w hyperglycemia\n",
    ],
    ids=["codes alone", "each after its letter and before its name"],
)
def test_a_list_of_diagnosis_codes_one_a_line_stays_diagnoses_to_its_end(listed):
    result = extract(lines_from_text(listed + "03/14/2025 J1885 Ketorolac inj 1 $40.00"))
    assert [item.code for item in result.items] == ["J1885"]
    assert [d.code for d in result.diagnoses] == ["K85.90", "R10.13", "E11.65"]


def test_a_claim_forms_lettered_diagnosis_boxes_hold_diagnoses():
    result = extract(lines_from_text("A K0252    B K0531    C     D\n01/17/25 D7140 Extraction, erupted tooth $250.00"))
    assert [item.code for item in result.items] == ["D7140"]
    assert [d.code for d in result.diagnoses] == ["K02.52", "K05.31"]


def test_it_reads_the_date_units_charge_and_description_of_a_line():
    [item] = extract(lines_from_text("03/14/2025 J1100 Dexamethasone inj 2 $12.50")).items
    assert (item.date, item.units, item.charge, item.description) == (
        date(2025, 3, 14),
        2,
        "12.50",
        "Dexamethasone inj",
    )
    assert item.page == 1 and item.line == 1


@pytest.mark.parametrize(
    ("line", "description"),
    [
        (
            "07/19/25 90715 Tetanus, diphtheria, pertussis vaccine 96.00 0.00 CO97 N130",
            "Tetanus, diphtheria, pertussis vaccine",
        ),
        ("04/14/25 96127 Screening questionnaire $25.00 $0.00 CO-45", "Screening questionnaire"),
        ("04/14/25 99213 Visit, form M15 reviewed $25.00", "Visit, form M15 reviewed"),  # inside: kept
    ],
)
def test_an_eobs_remark_codes_at_the_end_of_a_row_are_no_part_of_its_description(line, description):
    [item] = extract(lines_from_text(line)).items
    assert item.description == description


@pytest.mark.parametrize(
    ("line", "description"),
    [
        ("03/14/25 99392 Well child visit, age 1-4, est 1 $210.00", "Well child visit, age 1-4, est"),
        ("03/14/25 97110 Therapeutic exercise ea 15 min 2 $120.00", "Therapeutic exercise ea 15 min"),
        ("03/14/25 73562-50 XR knee 3 views bilateral 1 $150.00", "XR knee 3 views bilateral"),
        ("03/14/25 99213 Office visit 1 150.00 Paid in full", "Office visit"),  # the units end it
    ],
)
def test_a_number_one_space_before_a_word_is_part_of_the_description(line, description):
    [item] = extract(lines_from_text(line)).items
    assert item.description == description


def test_a_description_goes_on_past_a_lone_dash_and_stops_at_a_dot_leader():
    [first, second] = extract(
        lines_from_text("08/19/2025 D1110 Prophylaxis - adult $118.00\nA0425 Mileage ........ 17.50 6")
    ).items
    assert (first.description, second.description) == ("Prophylaxis - adult", "Mileage")


@pytest.mark.parametrize(
    ("line", "when", "description"),
    [
        ("99213 Mar 14, 2025 Office visit, established $150.00", date(2025, 3, 14), "Office visit, established"),
        ("Mar 14, 2025  99213  Office visit  $150.00", date(2025, 3, 14), "Office visit"),
        ("September 3 2025 | 36415 | Blood draw | $25.00", date(2025, 9, 3), "Blood draw"),
        ("97110-GP 14 Sept. 2025 Therapeutic exercise $60.00", date(2025, 9, 14), "Therapeutic exercise"),
        ("99213 Mar 34, 2025 Office visit $150.00", None, "Office visit"),  # no such day
        ("03/14/2025 99213 Office visit, seen since Jan 2, 2024 $150.00", date(2025, 3, 14), None),
    ],
)
def test_a_date_with_its_month_named_is_the_lines_date_and_no_part_of_its_description(line, when, description):
    [item] = extract(lines_from_text(line)).items
    assert item.date == when
    assert description is None or item.description == description


def test_it_carries_the_date_of_service_to_lines_without_one():
    text = "Date of Service: 2024-10-15\n99285 Emergency visit $820.00"
    [item] = extract(lines_from_text(text)).items
    assert item.date == date(2024, 10, 15)


def test_it_says_how_sure_it_is_and_why():
    [item] = extract(lines_from_text("CPT 99285 Emergency visit")).items
    assert item.confidence > 0.9
    assert item.reason == "labelled as a procedure code"


def test_it_uses_the_column_a_number_sits_under_on_a_pdf_page():
    header = Line(
        1,
        1,
        "Patient # Date Code Description Charge",
        (
            Word("Patient", 10, 40),
            Word("#", 42, 46),
            Word("Date", 60, 80),
            Word("Code", 100, 125),
            Word("Description", 140, 200),
            Word("Charge", 300, 330),
        ),
    )
    row = Line(
        1,
        2,
        "48213 03/14/2025 99213 Office visit 150.00",
        (
            Word("48213", 10, 35),
            Word("03/14/2025", 60, 95),
            Word("99213", 100, 125),
            Word("Office", 140, 165),
            Word("visit", 167, 185),
            Word("150.00", 300, 330),
        ),
    )
    assert [item.code for item in extract([header, row]).items] == ["99213"]


def scanned_line(*words):
    """A line read from a picture: (text, read again in a column of codes) for each word."""
    placed = tuple(
        Word(text, 40 * i, 40 * i + 35, in_code_column=in_column) for i, (text, in_column) in enumerate(words)
    )
    return Line(1, 1, " ".join(w.text for w in placed), placed)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # A coarse claim form's row, garbled by its dashed boxes but for the code.
        ([("lsol", False), ("eta", False), ("99201", True), ("o2|oolor}]", False), ("12500!", False)], ["99201"]),
        ([("11478", True), ("Lelejelel", False)], ["11478"]),
        # The same words, the code not confirmed by the column: nothing says it is a code.
        ([("lsol", False), ("eta", False), ("99201", False), ("o2|oolor}]", False), ("12500!", False)], []),
        # A label still says what a number is.
        ([("Acct", False), ("#", False), ("45378", True)], []),
    ],
)
def test_a_code_read_again_in_a_column_of_codes_needs_no_date_or_amount_on_its_garbled_row(words, expected):
    assert [item.code for item in extract([scanned_line(*words)]).items] == expected


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        # A scan glues a header's "No" to its word; the numbers under it are references, not codes.
        ("RefNo    DOS     Code   Mod  Description", "40113    061025  73562  RT   X-RAY KNEE   1   145.00", ["73562"]),
        ("CheckNo  Date    Code   Mod  Description", "10561    061025  99213  25   OFFICE VISIT 1   145.00", ["99213"]),
        ("Check #  Date      Amount", "30731    06/10/25  145.00", []),
        (
            "Dept   ChargeNo  Svc Date  CPT    Description   Amount",
            "30010  300415    04/12/25  36415  VENIPUNCTURE  38.00",
            ["36415"],
        ),
        # The Mod column's modifier belongs to the row's code, not to the date beside it (061025).
        ("Ref No   DOS     Code   Mod  Description", "40113    061025  73562  RT   X-RAY KNEE   1   145.00", ["73562"]),
    ],
)
def test_numbers_under_reference_and_check_columns_are_not_codes_nor_given_the_rows_modifier(header, row, expected):
    assert [item.code for item in extract(lines_from_text(f"{header}\n{row}\n")).items] == expected


def test_a_lone_code_in_brackets_belongs_to_the_service_line_above_it():
    text = "Screening mammography, digital   Yes   $380.00   $132.55\n  (77067)\n"
    assert codes_in(text) == [("77067", ())]


def test_a_lone_number_in_brackets_after_an_adjustment_is_a_batch_number():
    assert codes_in("CONTRACTUAL\nADJUSTMENT $-175.41\n(10212)\n") == []


def test_cells_pasted_one_per_line_are_read_with_their_neighbours():
    text = "Account Number\n53017\n05/19/2025\n0300\n036415\nVENIPUNCTURE\n1\n32.00\n"
    assert codes_in(text) == [("36415", ())]


def test_a_number_before_a_code_is_an_item_number():
    assert codes_in("37297 E0601 RR KX CPAP DEVICE RENTAL 1 195.00 195.00") == [("E0601", ("RR", "KX"))]


def test_fixed_width_pasted_columns_are_used_like_pdf_columns():
    text = "Visit date   Visit #   Patient          Charges\n10/30/2025   21002     Octavius Lee     412.00\n"
    assert codes_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "40881 - NAKAGAWA-BRENNAN, TOBIAS L\nDate of birth 02/11/1990",
        "Guarantor\n40881 - SMITH\n72125 - JONES",
        "99285 ED VISIT LEVEL 5\n70450 CT HEAD W/O CONTRAST",
    ],
)
def test_a_number_and_a_dash_alone_or_without_words_is_not_a_list_of_codes(text):
    assert codes_in(text) == []


def test_a_header_naming_charges_beside_the_code_column_keeps_the_code_column():
    """A PDF's header in one cell ("Date CPT/HCPCS Description Charge", words a few points apart)."""
    labels = [("Date", 50, 71, 52), ("CPT/HCPCS", 74, 132, 52), ("Description", 134, 184, 52), ("Charge", 187, 220, 52)]
    header = Line(1, 1, "Date CPT/HCPCS Description Charge", tuple(Word(*label) for label in labels))
    cells = [("03/14/2025", 50, 100, 68), ("99213", 103, 131, 68), ("Office", 133, 160, 68), ("$150.00", 182, 218, 68)]
    row = Line(1, 2, "03/14/2025 99213 Office $150.00", tuple(Word(*cell) for cell in cells))
    assert [item.code for item in extract([header, row]).items] == ["99213"]


def pdf_line(number, *cells):
    """A line of a PDF page from (text, x0, x1) cells."""
    words = tuple(Word(text, x0, x1, top=10.0 * number) for text, x0, x1 in cells)
    return Line(1, number, " ".join(text for text, _, _ in cells), words)


def test_a_number_printed_under_its_label_on_a_pdf_is_what_the_label_says():
    lines = [
        pdf_line(1, ("RIVERBEND", 36, 107), ("Guarantor", 346, 375), ("Account", 377, 401), ("Date", 461, 475)),
        pdf_line(2, ("Rehabilitation", 36, 84), ("Medicine", 120, 152), ("45378", 346, 371), ("06/05/25", 430, 465)),
        pdf_line(3, ("Summary", 36, 84), ("CPT", 346, 371), ("Date", 430, 465)),
        pdf_line(4, ("Office", 36, 84), ("visit", 120, 152), ("99213", 346, 371), ("06/05/25", 430, 465)),
    ]
    assert [item.code for item in extract(lines).items] == ["99213"]


def test_a_providers_name_ending_in_group_does_not_label_the_code_in_the_next_column():
    header = pdf_line(1, ("Date", 36, 60), ("Provider", 100, 140), ("Proc", 300, 320), ("Billed", 400, 430))
    row = [("03/04/25", 36, 72), ("Valley", 100, 125), ("Hospitalist", 128, 170), ("Group", 173, 198)]
    lines = [header, pdf_line(2, *row, ("99223", 300, 325), ("425.00", 400, 430))]
    pasted = (
        "Date      Provider                   Proc    Billed\n03/04/25  Valley Hospitalist Group   99223   425.00\n"
    )
    assert [item.code for item in extract(lines).items] == ["99223"]
    assert [item.code for item in extract(lines_from_text(pasted)).items] == ["99223"]
    stub = "Date      Provider                   Proc    Billed\n03/04/25  Patient ID 10234           99223   425.00\n"
    assert [item.code for item in extract(lines_from_text(stub)).items] == ["99223"]


def test_a_mod_header_close_beside_the_description_header_is_a_column_of_its_own():
    header = pdf_line(1, ("Date", 34, 58), ("HCPCS", 117, 158), ("Mod", 163, 187), ("Description", 191, 250))
    rows = [
        pdf_line(
            2, ("03/30/25", 36, 79), ("71045", 119, 149), ("XR", 193, 209), ("CHEST", 212, 250), ("298.00", 535, 570)
        ),
        pdf_line(
            3, ("03/30/25", 36, 79), ("20610", 119, 149), ("RT", 166, 180), ("INJ", 193, 209), ("210.00", 535, 570)
        ),
    ]
    assert [(i.code, i.modifiers) for i in extract([header, *rows]).items] == [("71045", ()), ("20610", ("RT",))]


def test_a_header_printed_on_two_lines_names_each_column_by_both():
    lines = [
        pdf_line(
            1, ("Date", 30, 48), ("of", 50, 58), ("Diagnosis", 200, 240), ("Charges", 260, 290), ("Procedure", 400, 440)
        ),
        pdf_line(2, ("Service", 30, 58), ("Codes", 205, 230), ("Code", 410, 430)),
        pdf_line(
            3, ("03/04/25", 30, 62), ("M1711", 200, 226), ("G8929", 228, 254), ("245", 270, 284), ("99203", 405, 431)
        ),
    ]
    assert [item.code for item in extract(lines).items] == ["99203"]


def test_a_code_wrapped_under_its_row_takes_the_rows_date_words_and_charge():
    lines = [
        pdf_line(
            1, ("03/14/25", 30, 62), ("Office", 70, 95), ("visit,", 97, 118), ("est.", 120, 136), ("240.00", 300, 330)
        ),
        pdf_line(2, ("99214", 70, 96)),
        pdf_line(3, ("03/14/25", 30, 62), ("Lipid", 70, 90), ("panel", 92, 114), ("88.00", 300, 325)),
        pdf_line(4, ("80061-90", 70, 110)),
    ]
    result = extract(lines)
    assert [(i.code, i.modifiers, i.date, i.description, i.charge) for i in result.items] == [
        ("99214", (), date(2025, 3, 14), "Office visit, est.", "240.00"),
        ("80061", ("90",), date(2025, 3, 14), "Lipid panel", "88.00"),
    ]
    assert result.uncoded == ()


def test_a_lone_number_under_a_line_that_is_no_charge_is_not_a_code():
    lines = [pdf_line(1, ("Member", 30, 62), ("services", 70, 110)), pdf_line(2, ("99214", 70, 96))]
    assert extract(lines).items == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Blood test, lipids (cholesterol and    Yes   $88.00   $13.39\ntriglycerides) (80061)\n",
            [("80061", ())],
            id="a code in brackets after the end of a wrapped description is read",
        ),
        pytest.param(
            "Itemized by procedure code (for your insurance):\n"
            "99285 - ED VISIT LEVEL 5\n70450 - CT HEAD/BRAIN W/O CONTRAST\n71045 - XR CHEST 1 VIEW\n",
            [("99285", ()), ("70450", ()), ("71045", ())],
            id="a list of codes each with a description after a dash is read",
        ),
        pytest.param(
            "Procedure code/description 99214 - Office/outpatient visit est\nModifier 25 - Significant, separately\n",
            [("99214", ("25",))],
            id="a modifier on its own labelled line under the code belongs to it",
        ),
        pytest.param(
            "Date       REV-CPT        Description                 Qty   Charges\n"
            "02/09/25   0450 - 96374   IV PUSH SINGLE DRUG         1     412.00\n",
            [("96374", ())],
            id="a column headed with the revenue code and the cpt code holds codes",
        ),
        pytest.param(
            "Test Code   Test Name                        CPT      Units   Charge\n"
            "10231       Comprehensive Metabolic Panel    80053    1       $94.00\n"
            "17306       Lipid Panel                      80061    1       $62.00\n",
            [("80053", ()), ("80061", ())],
            id="a labs own test code column beside the cpt column holds no codes",
        ),
        pytest.param(
            "42 REV. CD.  43 DESCRIPTION        44 HCPCS / RATE / HIPPS CODE   45 SERV. DATE   46 SERV. UNITS   "
            "47 TOTAL CHARGES\n"
            "0300         LAB/CHEMISTRY         80053                          031425          1             312 00\n"
            "0350         CT SCAN/HEAD          70450                          031425          1            2140 00\n"
            "0001         PAGE 1 OF 1           CREATION DATE 032025                                       2452 00\n",
            [("80053", ()), ("70450", ())],
            id="a claim forms rows are read with their six digit dates and split charges",
        ),
        pytest.param(
            "Service/Item                  | Diagnosis code | Service code type | Service code | Quantity | Cost\n"
            "Knee arthroscopy, partial     | M23.221        | CPT               | 29881        | 1        | $2,150.00\n"
            "Post-op visits global period  | M23.221        | CPT               | 99024        | 2        | $0.00\n",
            [("29881", ()), ("99024", ())],
            id="a table with pipes between its header cells is read by its columns",
        ),
        pytest.param(
            "REV  HCPCS/RATE/HIPPS   DESCRIPTION                   SERV DATE     UNITS    TOTAL CHARGES\n"
            "0300 85025              CBC w/ auto differential      06/04/2025         1       58.00\n"
            "0420 97110  GP          Therapeutic exercise          06/04/2025         4      412.00\n",
            [("85025", ()), ("97110", ("GP",))],
            id="a cell two spaces after a narrow column belongs to the column it starts in",
        ),
        pytest.param(
            "Date          HCPCS/CPT   Qty    Price     Description\n"
            "03/28/2025    V5266       24     $24.00    Batteries, size 312, per cell\n"
            "03/28/2025    99213       25     $150.00   Office visit\n",
            [("V5266", ()), ("99213", ())],
            id="a number under a quantity column is a count not a modifier",
        ),
        pytest.param(
            "Fecha de servicio\tCódigo\tModificador\tDescripción\tUnid.\tCargo\n"
            "03/20/2025\t99393\t\tVisita preventiva, niño establecido\t1\t$210.00\n"
            "03/20/2025\t99213\t25\tVisita de consultorio\t1\t$145.00\n"
            "Código CPT: 90460   Administración de vacuna\n",
            [("99393", ()), ("99213", ("25",)), ("90460", ())],
            id="a spanish statement is read by its columns",
        ),
        pytest.param(
            "Date of service   Procedure code/description        Modifier/description            Amount charged\n"
            "03/03/2025        99214 - Office/outpatient visit   25 - Significant, separately    $265.00\n"
            "03/03/2025        20610 - Drain/inj joint/bursa     RT - Right side                 $310.00\n",
            [("99214", ("25",)), ("20610", ("RT",))],
            id="a modifier column headed with its descriptions holds the modifiers",
        ),
        pytest.param(
            "Date\tClaim #\tProvider\tCPT\tMod\tDescription\tUnits\tBilled\n"
            "04/11/25\t25118-00731\tBright Horizons Pediatrics\t99392\tEP\tPrev visit est\t1\t$210.00\n"
            "04/29/25\t25131-04418\tMercy Urgent Care\t99213\t\tOffice visit\t1\t$145.00\n",
            [("99392", ("EP",)), ("99213", ())],
            id="a table copied with tabs between its cells is read by its header",
        ),
        pytest.param(
            "Date of service\n06/02/25\nCode\nE0601\nRR KX\nCPAP device rental\n$120.00\n"
            "Date of service\n06/02/25\nCode\nA7030\nNU\nFull face mask\n$160.00\n",
            [("E0601", ("RR", "KX")), ("A7030", ("NU",))],
            id="a cell of modifiers pasted on the line under its code belongs to it",
        ),
        pytest.param(
            "[ ] 90791   Diagnostic eval (intake)          $250.00\n"
            "[X] 90834   Psychotherapy, 45 min             $175.00\n"
            "[ ] 90837   Psychotherapy, 60 min             $210.00\n"
            "☐ 99213 Office visit $100.00    ☒ 99214 Office visit $150.00\n",
            [("90834", ()), ("99214", ())],
            id="on a superbill only the ticked codes were billed",
        ),
        pytest.param(
            "PT: R. OYELARAN   ACCT 44602\nE0114-NU\nCrutches, underarm, pair\n$45.00\n",
            [("E0114", ("NU",))],
            id="a receipts code on its own line is no group of the account number above it",
        ),
        pytest.param(
            "Svc Dt    Charge Description                             Qty     Amount\n"
            "09/03/25  CDM 4501234 70450 CT HEAD/BRAIN W/O CONTRAST    1    2,188.00\n",
            [("70450", ())],
            id="a charge description column holds words and codes not charges",
        ),
        pytest.param(
            "Visit    Date      Provider              Charges\n"
            "70442    03/08/25  Emergency physician   $1,120.00\n"
            "70519    03/21/25  Follow-up visit       $180.00\n",
            [],
            id="numbers under a visit column are visit numbers",
        ),
    ],
)
def test_it_reads_codes_in_the_tables_and_lists_bills_print(text, expected):
    assert codes_in(text) == expected


@pytest.mark.parametrize("header", ["Charge Code", "Chg Code", "Item Code", "CDM Code", "CDM"])
def test_a_column_of_the_hospitals_own_item_numbers_is_not_a_code_column(header):
    text = (
        f"Date       {header:<12}  Description              Rev    Units    Charges\n"
        "06/09/25   36011         OR TIME LEVEL 3 30 MIN   0360   1        4,120.00\n"
        "06/09/25   27130         SUPPLY STERILE PACK      0272   1          412.00\n"
    )
    assert codes_in(text) == []


def test_the_pure_modules_do_not_import_django():
    program = (
        "import sys; import billexplain.bills.extraction, billexplain.coding.classification; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", program], check=False).returncode == 0


def test_it_keeps_the_revenue_code_and_the_drug_package_number_with_their_line():
    text = "03/04/25  0636  HC:J2405   JW   ONDANSETRON HCL INJ PER 1MG   4   96.00\n              NDC 0409-4755-03\n"
    [item] = extract(lines_from_text(text)).items
    assert (item.revenue_code, item.ndc) == ("0636", "0409-4755-03")


@pytest.mark.parametrize(
    ("line", "description"),
    [
        ("03/04/25  0370   ANESTHESIA OR PER 15 MIN   3   864.00", "ANESTHESIA OR PER 15 MIN"),
        ("07/01/2020 Pharmacy 60.53", "Pharmacy"),
    ],
)
def test_a_charge_without_a_code_is_still_listed(line, description):
    [uncoded] = extract(lines_from_text(line)).uncoded
    assert uncoded.description == description


@pytest.mark.parametrize(
    "line",
    ["03/20/2025 Insurance payment -$120.00", "03/20/2025 Total charges $1,200.00", "03/20/2025 Balance due 40.00"],
)
def test_totals_and_payments_are_not_lines_without_a_code(line):
    assert extract(lines_from_text(line)).uncoded == ()


def corpus_lines():
    """Every line of our text bills, as printed, shouted, and cut to the end where labels are read."""
    for path in sorted((Path(__file__).parent / "data" / "bills").glob("*.txt")):
        for line in path.read_text().splitlines():
            yield from (line, line.upper(), line[-20:])


@pytest.mark.parametrize(
    "worded", [CODE_LABEL, DX_LABEL, GROUPED_ID, NOT_A_SERVICE, UNITS_LABELLED], ids=lambda w: w.words[0]
)
def test_a_worded_regex_skips_only_the_lines_it_could_never_match(worded):
    for line in corpus_lines():
        skipped = worded.search(line) is None
        assert skipped == (worded.regex.search(line) is None), line
        assert [m.span() for m in worded.finditer(line)] == [m.span() for m in worded.regex.finditer(line)], line


MASKS_ALL = re.compile(MASK_START + "(?:" + "|".join(pattern for pattern, _ in MASKS) + ")")


@pytest.mark.parametrize(
    ("pattern", "start"),
    [
        (CANDIDATE, CANDIDATE.pattern[: CANDIDATE.pattern.index(")") + 1]),
        (DATE, DATE_START),
        (MONEY, MONEY_START),
        (MASKS_ALL, MASK_START),
        (AFTER_AN_ADDRESS, STREET_START),
        (UNITS_LABELLED.regex, UNITS_START),
    ],
    ids=["candidate", "date", "money", "masks", "street", "units"],
)
def test_a_lookahead_at_a_patterns_start_skips_only_places_where_it_could_never_match(pattern, start):
    assert pattern.pattern.startswith(start) and start.startswith("(?=")
    without = re.compile(pattern.pattern.removeprefix(start), pattern.flags)
    for line in corpus_lines():
        assert [m.span() for m in pattern.finditer(line)] == [m.span() for m in without.finditer(line)], line
