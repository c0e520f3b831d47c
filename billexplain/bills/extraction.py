"""Find procedure and supply codes on the lines of a bill. Pure Python, no Django.

A bill is full of numbers shaped like codes: ZIP codes, account and claim
numbers, NDC segments, amounts. A number is taken as a code only when nothing
says it is something else (a label beside or above it, a column, a street
address, a ZIP or phone pattern, a list of diagnoses, an empty tick box on a
superbill) and something says it is
a code (a code column or label, a modifier, a line shaped like a service: a
date or an amount beside it, a description naming it, or a code it is listed
with). A code wrapped onto the line under its charge takes that charge.

Every rule here came from a bill that needed it; tests/test_extraction.py holds
one example line for each, and tests/data/bills the bills.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from billexplain.coding.classification import HCPCS_LETTERS, classify


@dataclass(frozen=True)
class Word:
    """One word of a PDF page with its horizontal extent."""

    text: str
    x0: float
    x1: float
    top: float = 0.0
    # Read from a picture a second time, with confidence, in a column of other codes (ocr.py).
    in_code_column: bool = False


@dataclass(frozen=True)
class Line:
    page: int
    number: int
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class LineItem:
    code: str
    modifiers: tuple[str, ...]
    page: int
    line: int
    date: date | None
    description: str
    units: int | None
    charge: str | None
    source: str
    confidence: float
    reason: str
    revenue_code: str | None = None  # the hospital department (4 digits, like 0450)
    ndc: str | None = None  # the drug package number printed with the line


@dataclass(frozen=True)
class UncodedLine:
    """A charge with no code beside it: the patient can ask for the code."""

    page: int
    line: int
    date: date | None
    description: str
    charge: str
    revenue_code: str | None
    source: str


@dataclass(frozen=True)
class Diagnosis:
    code: str  # with its dot, as ICD-10-CM writes it
    page: int
    line: int


@dataclass(frozen=True)
class Extraction:
    items: tuple[LineItem, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    uncoded: tuple[UncodedLine, ...] = ()


# Modifiers we read when they follow a code with only a space between them.
# (Glued with - , : or in parentheses, any two characters are read.)
CPT_MODIFIERS = frozenset(
    [
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
        "32",
        "33",
        "47",
        "50",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "59",
        "62",
        "63",
        "66",
        "73",
        "74",
        "76",
        "77",
        "78",
        "79",
        "80",
        "81",
        "82",
        "90",
        "91",
        "92",
        "93",
        "95",
        "96",
        "97",
        "99",
    ]
)
LEVEL_TWO_MODIFIERS = frozenset(
    (
        "AA AD AI AS AT CB CC CF CG CH CI CJ CK CL CM CN CO CQ CR CS E1 E2 E3 E4 EA EB EC ED EE EJ EM ET F1 "
        "F2 F3 F4 F5 F6 F7 F8 F9 FA FB FC FQ FR FS FX FY GA GC GE GK GL GM GN GO GP GQ GR GT GU GV GW GX GY "
        "GZ HA HB HC HD HE HF HG HH HI HJ HK HL HM HN HO HP HQ HR HS HT HU HV HW HX HY HZ JA JB JG JW JZ KB "
        "KC KD KE KF KG KH KI KJ KK KL KM KN KO KP KQ KR KS KT KU KV KW KX KY KZ LC LD LL LM LR LS LT NB NR "
        "NU PA PB PC PD PI PL PN PO PS PT Q5 Q6 QC QE QF QG QH QJ QK QL QM QN QP QQ QS QT QW QX QY QZ RA RB "
        "RC RD RE RI RR RT SA SB SC SD SE SF SG SH SK SL SM SN SQ SS ST SU SV SW SY SZ T1 T2 T3 T4 T5 T6 T7 "
        "T8 T9 TA TC TD TE TF TG TH TJ TK TL TM TN TP TQ TR TS TT TU TV TW U1 U2 U3 U4 U5 U6 U7 U8 U9 UA UB "
        "UC UD UE UF UG UH UJ UK UN UP UQ UR US V5 V6 V7 XE XP XS XU "
        "AE AF AG AH AJ AK AO AQ AR AU AV AW AX AY BA BP BR BU CD CE CP CT EP ER EY FP FT GB GD GF GG GH GJ GS "
        "JC JD JE JF JK JL KA MB MC MF MG MH MS QA QB QR SJ TB VM ZA ZB ZC Q0 Q1 Q7 Q8 Q9"
    ).split()
)
AMBULANCE_PLACES = "DEGHIJNPRSX"
# Modifiers that are also everyday abbreviations in descriptions ("PT EVAL", "US BREAST", "SQ", "PO",
# "ED VISIT", "ER", "CT HEAD", "UA AUTO" for a urinalysis, "CK TOTAL" for a lab test, and "HC" that
# hospitals put before their charge descriptions) are read only when glued to their code.
SPACED_MODIFIERS = CPT_MODIFIERS | LEVEL_TWO_MODIFIERS - set("CK CT ED ER HC PA PC PL PO PS PT SM SQ ST UA US".split())
# Departments and tests that begin a charge's description even after a dash: "99284-ED LEVEL 4".
DEPARTMENTS = frozenset("CK CT ED ER UA US".split())


# Anesthesia codes take the patient's physical status (P1 to P6); Category II codes (ending in F)
# say why a measure was not met (1P, 2P, 3P, 8P).
PHYSICAL_STATUS = frozenset("P1 P2 P3 P4 P5 P6".split())
MEASURE_EXCLUSIONS = frozenset("1P 2P 3P 8P".split())
# Dental codes name the part of the mouth after them: quadrants and arches.
DENTAL_AREAS = frozenset("UR UL LR LL UA LA".split())


def _is_modifier(token, code):
    """Whether two characters are a modifier we know (glued to a code, any two are read)."""
    return token in CPT_MODIFIERS or token in LEVEL_TWO_MODIFIERS or _is_spaced_modifier(token, code)


def _is_spaced_modifier(token, code):
    if code.startswith("D") and token in DENTAL_AREAS:
        return False  # "D4341 UR": scaling in the upper right quadrant
    if token in SPACED_MODIFIERS:
        return True
    if token in PHYSICAL_STATUS:
        return "00100" <= code <= "01999"
    if token in MEASURE_EXCLUSIONS:
        return code.endswith("F")
    # Ambulance codes take a pair of place letters: where the ride started and ended.
    return code.startswith("A0") and token[0] in AMBULANCE_PLACES and token[1] in AMBULANCE_PLACES


_HCPCS_LETTERS = "".join(sorted(HCPCS_LETTERS))
# The code itself: CPT (5 digits, or 4 digits and F/T/U) or Level II (letter + 4 digits),
# optionally zero-padded to six characters as hospital systems print them. A number in a chain of
# digit groups joined by hyphens is an ID ("25118-00731", "2025-0419-58290"), except after a
# revenue code ("0450-99285"). After a slash, a code follows only a code ("96365/96366").
# Patterns start with a lookahead at the few characters they can begin with ("(?=\d)"): Python's re
# then drops most positions of a line at once, instead of trying every lookbehind or alternative
# there. The matches are the same (tests/test_extraction.py checks); the search takes a third to
# half the time. The *_START constants below do the same.
CANDIDATE = re.compile(
    rf"(?=[0-9{_HCPCS_LETTERS}])(?:(?<=HC)|(?<=CPT)|(?<=HCPCS)|(?<![A-Za-z0-9.$/#*-])|(?<=[-/#])(?:"
    rf"(?<=(?<![\w.-])0\d{{3}}[-/])|(?<=CPT#)|(?<=HCPCS#)|(?<=(?<![\w/])(?:\d{{5}}|[{_HCPCS_LETTERS}]\d{{4}})/)))"
    rf"0?(?P<code>\d{{5}}|\d{{4}}[FTU]|[{_HCPCS_LETTERS}]\d{{4}})"
    r"(?![0-9_])(?!\.\d)(?!-\d{3,}\b)"
)
GLUED_MODIFIER = re.compile(
    r"\s?(?:[-,:](?P<gap>\s?)(?P<a>[0-9A-Z]{2})\b|\((?P<b>[0-9A-Z]{2})\)|(?<=[A-Z])\.(?P<c>\d\d)\b)"
)
# "97140 (GP,59)", "(26 TC)": several modifiers in one pair of brackets.
BRACKETED_MODIFIERS = re.compile(r"\s?\((?P<list>[0-9A-Z]{2}(?:\s?[,/ ]\s?[0-9A-Z]{2})+)\)")
# After "99214 - " a modifier is a number or stands alone; "70450 - CT HEAD" begins a description.
DESCRIPTION_GOES_ON = re.compile(r"\s+[A-Za-z]{2}")
SLASHED_MODIFIER = re.compile(r"/(?P<a>[0-9A-Z]{2})\b")
# Not the start of a number ("25.00", "10/14"); but "GP,59" (and "GP.59" read off a scan) is a list of modifiers.
SPACED_MODIFIER = re.compile(r"[ \t]+(?P<m>[0-9A-Z]{2})\b(?!(?<=\d)[.,/-]?\d|[/-]\d)")
# "83036QW", "97140GP59": one or two modifiers printed with no space.
STUCK_MODIFIERS = re.compile(r"([0-9A-Z]{2})([0-9A-Z]{2})?(?![A-Za-z0-9])")
# "97140 GP59", "97140-59GP": two modifiers stuck together after a space or a dash, letters and
# digits (no word has digits).
SPACED_PAIR = re.compile(r"[ \t]*[ \t,:-](?P<p>[A-Z]{2}\d\d|\d\d[A-Z]{2})(?![A-Za-z0-9])")
# "Mod: 25", "Modifiers = GP, 59", and in an app's card "99285 · Modifier 25"
LABELLED_MODIFIERS = re.compile(
    r"[ \t]+(?:[·•|,;][ \t]*)?mod(?:ifiers?|ifier\(s\)|s)?(?:[ \t]*[:.=]+[ \t]*|[ \t]+)", re.IGNORECASE
)
# The modifiers after their label: "GP, 59", "25 59".
MODIFIER_LIST = re.compile(r"(?:[0-9A-Z]{2}(?:[ \t]*,[ \t]*|[ \t]+|$))+")
TWO_CHARACTERS = re.compile(r"[0-9A-Z]{2}")

STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI"
)
# Spans that hold numbers which are never codes, each with what a line must hold for it to match at all.
# Each begins with a digit, "+", "(", "N" or "$".
MASK_START = r"(?=[\d+(N$])"
MASKS = (
    (r"\bN4\s?\d{11}\b", "N4"),  # NDC with its N4 qualifier
    (r"\b\d{4,5}-\d{3,4}-\d{1,2}\b", "-"),  # NDC 5-4-2, 4-4-2, 5-3-2
    (r"(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]{0,3}\d{3}\s?[.-]\s?\d{4}\b", re.compile(r"[.-]\s?\d{4}")),  # phones
    (r"\b\d{5}\s?-\s?\d{4}\b", "-"),  # ZIP+4
    (r"\$\s?-?\d[\d,]*(?:\.\d+)?", "$"),  # amounts with a dollar sign
    (r"\b\d{1,3}(?:,\d{3})+(?:\.\d{2})?\b", ","),  # amounts with thousands separators
)
# A state and five digits is a ZIP code, unless the line says otherwise ("T. Okonkwo MD  99214-25").
STATE_ZIP = re.compile(rf"\b(?:{STATES.replace(' ', '|')})[,.]?\s+$")
# "Visit #12345", "Visit No. 12345", "(visit 71010)"; but not "Office visit   99214", a description.
VISIT_LABEL = re.compile(r"(?:\bvisit\s?(?:#|no\.?|number|id)\s?[:#]?|\bvisit\s?[:#]|\(visit)\s?$", re.IGNORECASE)
# Words that, just before a number, say what kind of number it is.
ID_LABEL = re.compile(
    r"(?:\b(?:acct|account|patient|guarantor|guar|group|grp|claim|invoice|inv|batch|run|statement|stmt|"
    r"reference|ref|member|mrn|med\s?rec|npi|tin|ein|tax|ssn|zip|zip\s?code|box|suite|ste|apt|unit|order|"
    r"check|chk|policy|subscriber|auth|authorization|control|icn|dcn|license|fax|phone|tel|id|[1l]d|no|num|"
    r"number|encounter|enc|case|loc|location|dept|department|plan|payer|rx|lot|serial|ticket|trip|pcn|ndc|"
    r"rev|revenue|page|pg|bin|rxbin|iin|balance|due|total|amount|amt|paid|payment|owed|charges?|price|cost|"
    r"customer|cust|client|item|line|sn|trans|transaction|register|cashier|terminal|store|accession|acc|specimen|"
    r"req|requisition|confirmation|conf|tracking|receipt|voucher|sequence|seq|ext|extension|style|model|sku|upc|"
    r"eft|trace|chart|"
    # Spanish: account, invoice, claim, policy, member, patient, record, group, number
    r"cuenta|factura|reclamo|reclamaci[oó]n|p[oó]liza|miembro|paciente|expediente|grupo|n[uú]mero|n[uú]m|"
    # "Pt #" and "Pt:" are the patient's; "PT 97110" is physical therapy
    r"pt(?=\s?[:#]))\b|#)"
    r"[\s:#.=-]{0,12}$",
    re.IGNORECASE,
)


class Worded:
    """A case-insensitive regex that can match only a text holding one of a few words.

    Most lines hold none of them: a plain `in` check rules those out before the regex runs,
    with the same answers.
    """

    def __init__(self, pattern, words):
        self.regex = re.compile(pattern, re.IGNORECASE)
        self.words = words.split()

    def search(self, text):
        return self.regex.search(text) if any(map(text.lower().__contains__, self.words)) else None

    def finditer(self, text):
        return self.regex.finditer(text) if any(map(text.lower().__contains__, self.words)) else iter(())


# "CPT 99213", "Procedure code ....... 97161", "Codes billed on your claim: 0037U"
CODE_LABEL = Worded(
    r"\b(?:(?:cpt|hcpcs)(?:®|™|\(r\))?|hc|proc(?:edure)?|svc|service\s?code|code|c[oó]digo)s?(?:\b|(?<=[®™)]))"
    r"[\s:#.=/-]{0,12}(?:\w+[\s:#.=/-]{1,3}){0,4}$",
    "cpt hc proc svc code digo",
)
# Codes of other kinds: "ZIP code 62704", "Reason code 45", "Revenue code 0450".
OTHER_CODES = frozenset(
    "zip postal reason remark adjustment adj revenue rev diagnosis diag dx icd group denial status place pos "
    "area country promo discount access bar drg condition occurrence value bill ndc "
    # codes a portal or a letter gives the patient to type in
    "verification security confirmation activation enrollment invitation invite login pin passcode coupon "
    "referral voucher gift "
    # codes of the payer, the plan and the hospital's own statistics
    "payer payor carrier plan client facility statistical class".split()
)
# Codes listed one after another: "0037U, 88360 and 88363".
LIST_JOIN = re.compile(r"\s*(?:[,;&/]|and|or)\s*")
# "Dx: E11.9", "Diagnosis codes", "ICD-10 E11.9"; not "MAMMO DIAG ADD-ON" or "DX X-RAY", a diagnostic service
DX_LABEL = Worded(
    r"\b(?:dx|diag(?:nosis|noses)?|diagn[oó]sticos?|icd(?:-?10)?(?:-cm)?|impressions?)\b"
    r"(?=[\s.]*(?:(?:codes?|key|list)\b|[:#(]|[A-Z]\s?\d|$))",
    "dx diag icd impression",
)
# Diagnosis codes written without their dot that cannot be Level II codes (I10, Z87891, S72001A).
ICD_ONLY = re.compile(r"(?<![A-Za-z0-9.])[A-TV-Z]\d[0-9A-Z](?:[0-9A-Z]{1}|[0-9A-Z]{3,4})?(?![0-9A-Za-z.])")
ICD_WITH_DOT = re.compile(r"(?<![A-Za-z0-9.])(?P<code>[A-TV-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4})(?![0-9A-Za-z])")
ICD_WITHOUT_DOT = re.compile(r"(?=[A-TV-Z])(?<![A-Za-z0-9.])(?P<code>[A-TV-Z]\d[0-9A-Z][0-9A-Z]{0,4})(?![0-9A-Za-z.])")
# The forms of a date, each with what a text must hold for it to match at all.
DATE_FORMS = (
    (r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])", "/"),
    (r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b", "-"),
    # Claim forms (CMS-1500) print dates as MM DD YY in boxes; read from paper, the line starts with
    # the row's number (1-6) printed in the margin.
    (
        r"(?:(?<![\d ])|(?<=^\d ))(?P<m2>0[1-9]|1[0-2]) (?P<d2>0[1-9]|[12]\d|3[01]) (?P<y2>\d{4}|\d{2})(?![\d])",
        re.compile(r"\d \d"),
    ),
)
DATE_START = r"(?=\d)"  # every form begins with a digit
DATE = re.compile(DATE_START + "(?:" + "|".join(form for form, _ in DATE_FORMS) + ")")
# A date with its month named, as patient portals print it: "Mar 14, 2025", "March 14 2025", "14 Mar 2025".
# Read only for the date of a line that has a code and no other date: it is no sign of a service line.
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
NAMED_DATE = re.compile(
    rf"\b(?:(?P<month>{_MONTH})\s(?P<day>[0-3]?\d),?\s|(?P<day2>[0-3]?\d)\s(?P<month2>{_MONTH}),?\s)"
    r"(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# Amounts: with cents (12.50, $1,234.00), or whole dollars after a dollar sign ($120).
MONEY_FORMS = (
    (r"(?<![\w.])-?\$?\s?-?(?P<amount>\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})(?![\d%])", re.compile(r"\.\d\d")),
    (r"(?<![\w.])-?\$\s?-?(?P<dollars>\d{1,3}(?:,\d{3})*|\d+)(?![\d.,%])", "$"),
)
# Every amount begins with a digit, "-" or "$", or a space before a digit or "-".
MONEY_START = r"(?=[-$\d]|\s[-\d])"
MONEY = re.compile(MONEY_START + "(?:" + "|".join(form for form, _ in MONEY_FORMS) + ")")


def _money(text):
    """MONEY with only the forms this text can hold (see _possible)."""
    return _possible(MONEY_FORMS, text, MONEY_START)


WORD = re.compile(r"[A-Za-z][A-Za-z'/&.-]+")
STREET_WORDS = (
    "street st avenue ave road rd drive dr lane ln blvd boulevard way court ct circle cir place pl parkway pkwy "
    "highway hwy suite ste apt port plaza square sq terrace trail"
).split()
_STREET = "|".join(STREET_WORDS)
_NAME = r"[A-Za-z][A-Za-z.'-]*"
# A number is a house number when a street's name and kind follow it and end the address there
# ("70558 Campbell Port Apt. 735", "12345 Oak Ridge Dr, Salem"). Kinds are words of services
# too ("CT HEAD", "Dr. Okafor", "SQ INFUSION", "TUNNELED PORT 1"), so one alone says nothing.
HOUSE_NUMBER = re.compile(
    rf"\s+(?:{_NAME}\s+){{1,3}}(?:{_STREET})\b\.?(?=\s*(?:$|[,#]|(?:apt|suite|ste|unit|fl|floor|bldg|rm|room)\b))",
    re.IGNORECASE,
)
# And a ZIP code when it follows a street, and perhaps a town ("400 Main St, Springfield 62704",
# "815 S 48th Ave, 98908").
STREET_START = f"(?=[{''.join(sorted({word[0] for word in STREET_WORDS}))}])"
AFTER_AN_ADDRESS = re.compile(rf"{STREET_START}\b(?:{_STREET})\b\.?,\s*(?:{_NAME}\s+){{0,3}}$", re.IGNORECASE)

# Column headers: which columns hold codes and which hold numbers that are not codes.
CODE_HEADERS = re.compile(
    r"^(?:cpt|hcpcs|cpt/hcpcs|hcpcs/cpt|cpt®|code|codes|c[oó]digos?|proc|procedure|svc|service)$", re.I
)
OTHER_HEADERS = re.compile(
    r"^(?:rev|revenue|ndc|dx|diag|diagnosis|icd|acct|account|patient|pt|claim|id|#|units?|qty|charges?|amount|"
    r"balance|paid|allowed|adjust(?:ment)?s?|zip|phone|npi|batch|invoice|ref|reference|group|member|policy|"
    r"accession|acc|specimen|req|requisition|order|item|line|rx|serial|lot|ticket|customer|sn|seq|visit|encounter|"
    r"enc|check|chk|dept|"
    # the same glued to its "No." as a scan reads a header: "RefNo", "AcctNo", "CheckNum", "ChargeNo"
    r"(?:ref|acct|account|claim|check|chk|charge|chg|item|line|order|invoice|inv|control|ctrl|trans)(?:no|num|nbr))$",
    re.I,
)


def lines_from_text(text):
    """Pasted text: one Line per text line, all on page 1 unless form feeds say otherwise.

    Text laid out in fixed-width columns (cells apart by two or more spaces) keeps
    each word's character offset as its position, so column headers work as on a PDF.
    """
    lines = []
    for page_number, page_text in enumerate(text.split("\f"), start=1):
        page_lines = page_text.splitlines()
        if "\t" in page_text:
            page_lines = _tabs_as_columns(page_lines)
        for number, line_text in enumerate(page_lines, start=1):
            if line_text.strip():
                # Only possible headers need their words now; other lines get theirs in extract(),
                # once a header says the text has columns.
                words = () if HAS_NUMBER.search(line_text) else _text_words(line_text)
                lines.append(Line(page_number, number, line_text, words))
    return lines


def _tabs_as_columns(page_lines):
    """A table copied from a web page or a spreadsheet parts its cells with tabs: each run of such
    lines is laid out in fixed-width columns instead, two spaces apart, so its header is used."""
    aligned, run = list(page_lines), []
    for index, line_text in enumerate([*page_lines, "(the end)"]):
        if "\t" in line_text or (run and not line_text.strip()):
            run.append(index)
            continue
        rows = [[cell.strip() for cell in page_lines[i].split("\t")] for i in run]
        widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows), default=0))]
        for i, row in zip(run, rows, strict=True):
            aligned[i] = "  ".join(map(str.ljust, row, widths)).rstrip()
        run = []
    return aligned


NON_SPACE = re.compile(r"\S+")


def _text_words(line_text):
    if not _in_columns(line_text):
        return ()
    return tuple(Word(m.group(), m.start(), m.end()) for m in NON_SPACE.finditer(line_text))


def _in_columns(line_text):
    """Pasted text laid out in columns: cells apart by two or more spaces."""
    return "  " in line_text.strip()


def _has_words(line, columns):
    """Whether the line has positioned words: a PDF's, or pasted text's under column headers."""
    return bool(line.words) or bool(columns) and _in_columns(line.text)


def _text_word_at(line_text, char_index):
    """The word of a pasted line around a character, placed at its character offsets (as _text_words does)."""
    if char_index >= len(line_text) or line_text[char_index].isspace():
        return None
    start = end = char_index
    while start and not line_text[start - 1].isspace():
        start -= 1
    while end < len(line_text) and not line_text[end].isspace():
        end += 1
    return Word(line_text[start:end], start, end)


def extract(lines: Iterable[Line]):
    """Find every code occurrence on the lines, with what the line says about it."""
    lines = [_with_plain_characters(line) for line in lines]
    shapes = _Shapes(lines)
    items, diagnoses, uncoded = [], [], []
    columns = None
    previous_items = 0
    current_page = None
    service_date = None
    in_diagnoses = False  # under "Dx:", on lines that each hold one diagnosis code
    header_above = None  # the cells of a header on the line just above
    for index, line in enumerate(lines):
        if line.page != current_page:
            current_page, columns, header_above = line.page, None, None
        if line.words and not HAS_NUMBER.search(line.text) and _looks_like_header(line.words):
            cells = _header_cells(line.words)
            if header_above:
                cells = _stacked(header_above, cells)  # "Diagnosis" over "Codes", "Date of" over "Service"
            if header_above or len(cells) >= 2 or columns is None:
                columns = _columns(cells)
            header_above = cells
            continue
        header_above = None
        dates = [(match, _as_date(match)) for match in _dates(line.text)]
        line_date = dates[0][1] if dates else None
        candidates = list(CANDIDATE.finditer(line.text))
        labelled_dx = bool(DX_LABEL.search(line.text) or _lettered_diagnoses(line.text, candidates))
        in_diagnoses = in_diagnoses and _lone_diagnosis(line.text)
        dx_line = bool(in_diagnoses or labelled_dx or ICD_WITH_DOT.search(line.text))
        found = []
        row_above = _uncoded_just_above(uncoded, lines, index)
        if candidates:
            shape = bool(dates and not _only_timestamps(line.text, dates)) or bool(MONEY.search(line.text))
            context = _Context(lines, shapes, index, in_diagnoses, row_above is not None)
            found = _codes_on_line(line, candidates, shape, columns, dx_line, context)
        found_diagnoses = _diagnoses(line, [(hit.start, hit.end) for hit in found]) if dx_line else []
        diagnoses.extend(found_diagnoses)
        if line_date and not found:
            service_date = line_date
        dx_words = {d.code.replace(".", "") for d in found_diagnoses}
        if found:
            if not dates:
                dates = _named_dates(line.text)
            new_items = _line_items(line, found, dates, service_date, dx_words)
            if row_above and len(new_items) == 1 and len(line.text.split()) == 1:
                # "03/14/25 Office visit  240.00" with its code wrapped onto the line below
                uncoded.remove(row_above)
                new_items = [_under_its_row(new_items[0], row_above)]
            items.extend(new_items)
        elif (ndc := _ndc(line.text)) and previous_items and items[-1].ndc is None:
            items[-1] = replace(items[-1], ndc=ndc)  # "NDC 0409-4755-03" printed under its drug line
        elif line_date and not found_diagnoses and (lone := _uncoded(line, line_date)):
            uncoded.append(lone)
        previous_items = len(found)
        in_diagnoses = in_diagnoses or (labelled_dx and not found)
    return Extraction(tuple(items), tuple(_unique_diagnoses(diagnoses)), tuple(uncoded))


# What PDFs, web pages and word processors print for plain characters: dashes ("99213–25"), spaces
# that do not break, zero-width ones, full-width digits and letters. Each becomes one plain character,
# so every word keeps its place in its line.
_LOOKALIKES = {
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", " "),
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    **{chr(0xFF21 + i): chr(ord("A") + i) for i in range(26)},
    **{chr(0xFF41 + i): chr(ord("a") + i) for i in range(26)},
}
PLAIN_CHARACTERS = str.maketrans(_LOOKALIKES)


def plain_characters(text):
    """The text with PLAIN_CHARACTERS' look-alikes made plain, one character for one."""
    return text if text.isascii() else text.translate(PLAIN_CHARACTERS)


def _with_plain_characters(line):
    text = plain_characters(line.text)
    if text == line.text:
        return line
    return replace(line, text=text, words=tuple(replace(word, text=plain_characters(word.text)) for word in line.words))


HAS_NUMBER = re.compile(r"\d{3}")
# A claim form (UB-04) prints a row's date as MMDDYY and splits its charge into dollars and cents.
SIX_DIGIT_DATE = re.compile(r"(?<!\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d\d(?!\d)")
SPLIT_CHARGE = re.compile(r"(?<![\d.,])\d{1,6} \d\d\s*$")


class _Shapes:
    """Whether each line looks like a service line, worked out only for the lines asked about."""

    def __init__(self, lines):
        self.lines, self.known = lines, {}

    def __getitem__(self, index):
        if index not in self.known:
            self.known[index] = _service_line_shape(self.lines[index].text)
        return self.known[index]


class _Context:
    """The lines around a line. Text pasted from a PDF table often puts each cell on its own line."""

    def __init__(self, lines, shapes, index, in_diagnoses=False, row_above=False):
        self.lines, self.shapes, self.index = lines, shapes, index
        self.in_diagnoses = in_diagnoses  # a list of diagnosis codes, one a line, runs down to here
        self.row_above = row_above  # the line above is a charge with no code

    def _neighbour(self, step):
        """The line `step` lines away on the same page, or None."""
        other = self.index + step
        if 0 <= other < len(self.lines) and self.lines[other].page == self.lines[self.index].page:
            return self.lines[other]
        return None

    @property
    def line_above(self):
        return self._neighbour(-1)

    @property
    def previous(self):
        """The text of the line above ("" at the top of a page)."""
        line = self._neighbour(-1)
        return line.text if line else ""

    @property
    def next(self):
        line = self._neighbour(1)
        return line.text if line else ""

    @property
    def service_nearby(self):
        page = self.lines[self.index].page
        window = range(max(0, self.index - 3), min(len(self.lines), self.index + 4))
        return any(self.shapes[i] and self.lines[i].page == page for i in window)


@dataclass(frozen=True)
class _Hit:
    code: str
    start: int
    end: int  # end of the code and its modifiers
    modifiers: tuple[str, ...]
    confidence: float
    reason: str


def _codes_on_line(line, candidates, shape, columns, dx_line, context):
    text = line.text
    masked = _masked_spans(text)
    column_at = functools.partial(_column_at, line, columns) if columns else None
    hits = []
    for match in candidates:
        start, code = match.start(), match.group("code")
        if _overlaps(masked, start, match.end()) or _glued_to_short_letters(text, match.end(), code):
            continue
        column = column_at(start) if column_at else None
        if column == "other":
            continue
        if column == "mod":
            column = None  # a five-character code is never a modifier: the headers sit a little off
        row_shape = shape or _claim_form_row(text, start, match.end())
        if column == "code" and not row_shape:
            column = None  # a footer under the table, not one of its rows
        modifiers, end = _modifiers(text, match.end(), code, column_at)
        if not modifiers and columns and (column == "code" or not any(kind == "code" for _, _, kind in columns)):
            modifiers = _modifiers_in_columns(line, columns)  # the row's Mod column, for its code only
        if not modifiers:
            modifiers = _modifiers_on_the_next_line(context.next, code, _alone(text, start, end))
        # Look only so far around each candidate: a line may be thousands of characters long.
        head, tail = text[max(0, start - WINDOW) : start], text[end : end + WINDOW]
        alone = _alone(text, start, end)
        before = (context.previous + " " if alone else "") + text[max(0, start - 30) : start]
        after = context.next if alone else text[match.end() : match.end() + WINDOW]
        diagnosis_context = bool(DX_LABEL.search(before[-20:])) or (alone and context.in_diagnoses)
        if _unticked(text, start):
            continue  # "[ ] 90837" on a superbill: a service the office offers, not one it billed
        label = _code_label(before)
        code_label = not diagnosis_context and label == "procedure"
        labelled = _labelled(before) and not (column == "code" and _label_in_another_cell(line, start))
        if (label == "other" or labelled or _in_a_grouped_id(text[max(0, start - 30) : start])) and not code_label:
            continue
        strong = bool(code_label or modifiers or column == "code")
        # Springfield, IL 62704; and "TUCSON AZ 85711  57. Phone", a form's next box number after it
        zip_proof = code_label or column == "code" or (modifiers and not _spaced_numbers(text, match.end(), modifiers))
        if not zip_proof and _after_a_state(head) and not DATE.match(text.lstrip()):
            continue
        if tail.lstrip().startswith(")") and "(" not in head and not strong:
            continue  # the end of a bracket opened on an earlier line, like "(BIN" then "015730)"
        if not strong and column is None and _labelled_above(line, context, start):
            continue  # "Guarantor Account" printed over "45378"
        if not classify(code).valid:
            continue
        if code[0].isalpha() and (diagnosis_context or (not strong and (dx_line or _has_diagnosis_tokens(text)))):
            continue
        in_parens = text[max(0, start - 1) : start] == "("
        line_shape = _alone_shape(line, columns, context, in_parens) if alone else row_shape
        rest = text[match.end() : match.end() + WINDOW]
        listed = not head.strip() and _listed_with_a_description(rest, context)
        if in_parens and not alone and _wrapped_description(head, context):
            # "Blood test, lipids (cholesterol and  Yes  $88.00" / "triglycerides) (80061)"
            head = context.previous + " " + head
        evidence = _evidence(head, match, column, code_label, modifiers, line_shape, after, rest, listed)
        if evidence is None and hits and LIST_JOIN.fullmatch(text, hits[-1].end, start):
            evidence = hits[-1].confidence, hits[-1].reason  # the next code of a list: "0037U, 88360"
        if evidence is None and line.words and _read_in_a_code_column(line, start):
            evidence = 0.9, "in a column of codes"  # a scanned row garbled but for its code
        if evidence is None:
            continue
        confidence, reason = evidence
        hits.append(_Hit(code, start, end, modifiers, confidence, reason))
    return _drop_repeats(_drop_item_numbers(text, _drop_amount_lookalikes(text, hits)))


DIGIT = re.compile(r"\d")
ID_ENDS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ#:.")
# The tick boxes of a superbill or an encounter form, empty and ticked.
TICK_BOX = re.compile(r"\[\s?[xX✓✔]?\s?\]|\(\s?[xX]?\s?\)|[☐□☑☒■✓✔]")
EMPTY_BOX = re.compile(r"\[\s?\]|\(\s?\)|[☐□]")


def _unticked(text, start):
    """Whether the code starts its row of a form after an empty tick box ("[ ] 90837   Psychotherapy")."""
    if not ("[" in text or "☐" in text or "□" in text or "( )" in text or "()" in text):
        return False  # no empty box
    boxes = list(TICK_BOX.finditer(text, max(0, start - WINDOW), start))
    if not boxes or CANDIDATE.search(text, boxes[-1].end(), start):
        return False
    return bool(EMPTY_BOX.fullmatch(boxes[-1].group()))


def _alone(text, start, end):
    """Whether a code (its modifiers up to `end`) is all its line holds, but for a bracket or a plus."""
    return start < WINDOW and not text[:start].strip(" (+") and not text[end:].strip(" )")


def _code_label(before):
    """What a code label before a number says it is: "procedure" ("CPT", "Codes billed:"), "other"
    ("Reason code", "verification code is"), or None without one."""
    label = CODE_LABEL.search(before)
    if label is None:
        return "procedure" if before.rstrip().endswith(("HC:", "HC", "CPT", "CPT®")) else None
    kind = before[: label.start()].split()[-1:]
    if kind and kind[0].strip(":#.,(").lower() in OTHER_CODES:
        return "other"
    if DIGIT.search(before, label.start()):
        nearer = ID_LABEL.search(before, label.start() + 1)
        if nearer and DIGIT.search(before, label.start(), nearer.start()):
            return "other"  # "Stat code 11 / Batch 43231": the code label has its own number; the batch's is nearer
    return "procedure"


def _claim_form_row(text, start, end):
    """A row of a claim form's table: "0300  LAB/CHEMISTRY  80053  031425  1  312 00".

    Its date is another number than the code (a footer's "CREATION DATE 032025" is no row).
    """
    if not SPLIT_CHARGE.search(text):
        return False
    return any(day.end() <= start or end <= day.start() for day in SIX_DIGIT_DATE.finditer(text))


def _labelled_above(line, context, start):
    """A number under its label, as a statement's boxes print them ("Guarantor Account" over "45378").

    Only for words with their places on the page (a PDF's or a scan's).
    """
    above = context.line_above
    if not line.words or above is None or not above.words:
        return False
    word = _word_at(line, start)
    if word is None:
        return False
    over = " ".join(w.text for w in above.words if w.x0 < word.x1 and word.x0 < w.x1)
    return bool(over) and bool(ID_LABEL.search(over))


def _spaced_numbers(text, position, modifiers):
    """Whether the modifiers read after a code are only numbers a space away (`85711 57`), which may be anything."""
    return text[position : position + 1] in (" ", "\t") and all(m.isdigit() for m in modifiers)


def _after_a_state(head):
    """Whether the text before a number ends in a state's two capitals ("Springfield, IL "): a ZIP code follows."""
    core = head.rstrip()
    if core == head:
        return False  # STATE_ZIP wants a space after the state
    core = core[:-1] if core.endswith((",", ".")) else core
    if not (core[-2:].isalpha() and core[-2:].isupper()):
        return False
    return bool(STATE_ZIP.search(head))


def _labelled(before):
    """Whether the text before a number ends in a label saying what else it is ("Acct #", "Visit No.")."""
    # Both labels end in a letter or "#", then separators: most numbers need no regex to rule them out.
    end = len(before)
    while end and (before[end - 1].isspace() or before[end - 1] in ":#.=-"):
        end -= 1
    if not before[end - 1 : end].isalpha() and "#" not in before:
        return False
    if PATIENT_KIND.search(before) or TEST_TOTAL.search(before):
        return False  # "OFFICE VISIT NEW PATIENT 99203" and "BILIRUBIN, TOTAL 82247" describe the service
    return bool(ID_LABEL.search(before) or VISIT_LABEL.search(before) or PREFIXED_ID.search(before))


# An ID printed in groups after its label: "ID HPH 55190 22", "Member ID XJ 40271".
PREFIXED_ID = re.compile(
    r"\b(?:id|acct|account|member|policy|group|grp|claim|subscriber)[\s:#.=-]{1,3}(?-i:[A-Z]{2,4})[\s:#.=-]{1,3}$",
    re.IGNORECASE,
)


def _label_in_another_cell(line, start):
    """Whether the label before a number in the code column ends the cell before it: "Valley
    Hospitalist Group   99223" names a provider; "Group: 50613" and "ID 10234" label their numbers."""
    label = ID_LABEL.search(line.text, max(0, start - 30), start)
    if label is None or any(mark in label.group() for mark in ":#"):
        return False
    word_end = label.start() + len(label.group().rstrip(" \t.=-"))
    if not line.words:
        return start - word_end >= 2  # two spaces or more part a pasted text's cells
    label_word, code_word = _word_at(line, word_end - 1), _word_at(line, start)
    if label_word is None or code_word is None:
        return False
    character = (label_word.x1 - label_word.x0) / max(1, len(label_word.text))
    return code_word.x0 - label_word.x1 > 2 * character


def _in_a_grouped_id(before):
    """Whether a number is a group of an ID printed in groups, after the ID's label on the same line
    ("Claim Number: 25 129 00871 4", "UPC 3 11917 17306 2")."""
    end = len(before.rstrip(" -"))
    label_end = before[:end].rstrip("0123456789 -")[-1:]  # past the groups of digits before the number
    return (
        bool(label_end) and before[end - 1 : end].isdigit() and label_end in ID_ENDS and bool(GROUPED_ID.search(before))
    )


# An ID printed in groups of digits after its label: "ICN 25125 00733 91", "UPC 3 11917 17306 2".
GROUPED_ID = Worded(
    r"\b(?:claim|icn|dcn|trace|eft|upc|acct|account|member|policy|subscriber|invoice|ref|reference|control|"
    r"confirmation|tracking|transaction|id)\b(?:\s?(?:number|no\.?|num|#))?[\s:#.=-]{0,6}(?:\d+[ -]){1,3}$",
    # "ref" stands for reference, "ac" for account and acct, "id" for ids
    "claim icn dcn trace eft upc ac member policy subscriber invoice ref control confirmation tracking transaction id",
)
TEST_TOTAL = re.compile(r",\s*total\s*$", re.IGNORECASE)
PATIENT_KIND = re.compile(r"\b(?:new|est|estab|established)\.?\s+(?:patient|pt)\.?\s*$", re.IGNORECASE)


LETTERS = re.compile(r"[A-Za-z]+")


def _glued_to_short_letters(text, position, code):
    """`S0181XA` is a diagnosis code (its 7th character), not Level II code S0181 glued to a word."""
    letters = LETTERS.match(text, position)
    if not letters:
        return False
    if text[letters.end() : letters.end() + 1] == "(":
        return False
    if not code.isdigit() and letters.group()[0] != "X" and _is_spaced_modifier(letters.group(), code):
        return False  # "A0427RH": a modifier; a diagnosis's 6th character is a digit or the placeholder X
    return len(letters.group()) <= (1 if code.isdigit() else 2)


def _has_diagnosis_tokens(text):
    """Diagnosis codes without dots that cannot be procedure codes (I10, J441, Z87891, S72001A)."""
    return any(not CANDIDATE.fullmatch(m.group()) and m.group() not in VITAMINS for m in ICD_ONLY.finditer(text))


VITAMINS = frozenset(["B12"])  # "J3420 (B12 1000MCG)": the vitamin, not a diagnosis code


def _alone_shape(line, columns, context, in_parens):
    """A code alone on its line: a table cell pasted on its own line, or a bracket wrapped from a description."""
    previous = context.previous
    if in_parens:
        # "Screening mammography  $380.00" then "(77067)": the description and its charge came first.
        return bool(WORD.search(previous)) and bool(_charges(previous) or DATE.search(previous))
    if context.row_above:
        return True  # the code of a charge above, wrapped onto its own line ("Office visit  240.00" / "99214")
    # Cells on their own lines come from pasted text; a PDF keeps a table's cells on one line.
    return not _has_words(line, columns) and context.service_nearby


def _wrapped_description(head, context):
    """Whether the words before a bracketed code are the end of a description begun on the priced line above."""
    if len(WORD.findall(head)) >= 2 or "$" in head:
        return False
    return bool(_charges(context.previous)) and bool(WORD.search(context.previous))


def _only_timestamps(text, dates):
    """Whether every date of a line is followed by a clock time: when a page was printed, not a service's day."""
    return all(CLOCK.match(text, match.end()) for match, _ in dates)


CLOCK = re.compile(r"\s+(?:[01]?\d|2[0-3]):[0-5]\d\b")


def _uncoded_just_above(uncoded, lines, index):
    """The charge without a code read on the line just above this one, or None."""
    if not uncoded or not index:
        return None
    above = lines[index - 1]
    return uncoded[-1] if (uncoded[-1].page, uncoded[-1].line) == (above.page, above.number) else None


def _under_its_row(item, row):
    """A code alone on its line, with the date, words and charge of the row above it."""
    return replace(
        item,
        date=row.date or item.date,
        description=row.description,
        charge=row.charge,
        revenue_code=row.revenue_code or item.revenue_code,
    )


def _drop_repeats(hits):
    """`99284-25 ER VISIT LEVEL 4 (99284-25)`: a code printed again on its own line is the same item."""
    kept = []
    for hit in hits:
        first = next((index for index, other in enumerate(kept) if other.code == hit.code), None)
        if first is None:
            kept.append(hit)
        elif hit.modifiers and not kept[first].modifiers:
            kept[first] = replace(kept[first], modifiers=hit.modifiers)
    return kept


def _drop_item_numbers(text, hits):
    """`37297 E0601 RR ...`: a number right before another code is the bill's item number."""
    kept = []
    for hit, following in zip(hits, [*hits[1:], None], strict=False):
        item_number = following and hit.code.isdigit() and not hit.modifiers
        if item_number and not text[hit.end : following.start].strip() and hit.reason.startswith("on a line"):
            continue
        kept.append(hit)
    return kept


def _modifiers_in_columns(line, columns):
    """Modifiers printed in their own Mod column."""
    if not _has_words(line, columns) or not any(kind == "mod" for _, _, kind in columns):
        return ()
    found, position = [], 0
    for word in line.words or _text_words(line.text):
        position = line.text.find(word.text, position)
        token = word.text.strip(",")
        if re.fullmatch(r"[0-9A-Z]{2}", token) and _column_at(line, columns, position) == "mod":
            found.append(token)
        position += len(word.text)
    return tuple(found)


WINDOW = 80  # characters either side of a candidate that can say what it is
BRACKET_END = re.compile(r"(?:[-,:][0-9A-Z]{2})*(?:\s?[,;]\s?0?\d{4}[0-9A-Z](?:[-,:][0-9A-Z]{2})*)*\s?\)")


def _evidence(head, match, column, code_label, modifiers, shape, after, rest, listed=False):
    """Why we believe this is a code, or None when nothing says so."""
    code = match.group("code")
    padded = match.end() - match.start() == 6
    if column == "code":
        return 0.99, "in the bill's code column"
    if code_label:
        return 0.98, "labelled as a procedure code"
    if modifiers:
        return 0.95, "followed by a modifier"
    if padded and code.isdigit():
        # A six-digit number is a zero-padded code only when words describing a service follow it.
        if shape and WORD.match(after.lstrip()):
            return 0.9, "zero-padded code on a service line"
        return None
    if not code.isdigit():
        # Letter-and-digits and F/T/U codes look like little else on a bill.
        return (0.95, "shaped like a HCPCS code on a service line") if shape else (0.8, "shaped like a HCPCS code")
    in_parens = head.endswith("(")
    if in_parens and shape and (WORD.search(head) or not head.strip(" (")):
        return 0.95, "in brackets after a description"
    described = len(WORD.findall(head)) >= 2 and not NOT_A_SERVICE.search(head)
    if in_parens and described and BRACKET_END.match(rest):
        # "Office visit, new patient (99203)" on a line of its own: a description names the code.
        return 0.85, "in brackets after a description"
    if shape and not _in_an_address(head, rest) and not (in_parens and not WORD.search(head)):
        return 0.9, "on a line with a date or an amount"
    if listed:
        return 0.85, "in a list of codes, each with its description"
    return None


# "99285 - ED VISIT LEVEL 5": a code, a spaced dash and at least two words, as lists of codes print them.
DASHED_DESCRIPTION = re.compile(r"[ \t]+[-–][ \t]+[A-Za-z][A-Za-z/&.,'()-]*[ \t]+[A-Za-z0-9]")
LISTED_CODE = re.compile(rf"\s*0?(?:\d{{5}}|\d{{4}}[FTU]|[{_HCPCS_LETTERS}]\d{{4}})[ \t]+[-–][ \t]+[A-Za-z]")


def _listed_with_a_description(rest, context):
    """A code that starts its line and is described after a dash, with a line like it above or below.

    One such line alone may be an account number and a name ("40881 - SMITH, ANN").
    """
    if not DASHED_DESCRIPTION.match(rest):
        return False
    return bool(LISTED_CODE.match(context.previous) or LISTED_CODE.match(context.next))


def _in_an_address(head, rest):
    """Whether a number is a street address's house number or ZIP code, from the words around it."""
    return bool(HOUSE_NUMBER.match(rest)) or ("," in head and bool(AFTER_AN_ADDRESS.search(head)))


def _drop_amount_lookalikes(text, hits):
    """A five-digit number at the end of a service line, after a code and its words, is an amount."""
    if len(hits) < 2:
        return hits
    kept = [hits[0]]
    for previous, hit in zip(hits, hits[1:], strict=False):
        between = text[previous.end : hit.start]
        after = text[hit.end :]
        trailing_number = not WORD.search(after) and hit.code.isdigit() and hit.reason.startswith("on a line")
        if trailing_number and WORD.search(between) and not MONEY.search(between):
            continue
        kept.append(hit)
    return kept


def _modifiers(text, position, code, column_at=None):
    """The modifiers printed after a code, and where they end.

    `column_at(index)` gives the kind of column a character of the line sits under, when
    the page has headers: a spaced number under "Qty" or "Units" is a count, not a modifier.
    """
    modifiers = []
    stuck = STUCK_MODIFIERS.match(text, position)
    stuck_on = [m for m in stuck.groups() if m] if stuck else []
    # 83036QW, 97140GP59, A0427RH; but E0114 is never read as E01 and modifier 14
    if stuck_on and all(_is_spaced_modifier(m, code) for m in stuck_on) and (code.isdigit() or stuck_on[0].isalpha()):
        modifiers.extend(stuck_on)
        position = stuck.end()
    while True:
        bracketed = BRACKETED_MODIFIERS.match(text, position)
        if bracketed and all(_is_modifier(m, code) for m in TWO_CHARACTERS.findall(bracketed.group("list"))):
            modifiers.extend(TWO_CHARACTERS.findall(bracketed.group("list")))
            position = bracketed.end()
            continue
        glued = GLUED_MODIFIER.match(text, position)
        if glued and glued.group("gap") and not _modifier_after_a_gap(text, glued, code):
            glued = None
        if glued and glued.group("a") in DEPARTMENTS and DESCRIPTION_GOES_ON.match(text, glued.end()):
            glued = None  # "99284-ED LEVEL 4"; but "45378-PT COLONOSCOPY" is modifier PT
        if not glued and modifiers:
            # "97140-GP/59": a slash between modifiers, for a known one only ("-03/14" is no list)
            glued = SLASHED_MODIFIER.match(text, position)
            glued = glued if glued and _is_spaced_modifier(glued.group("a"), code) else None
        if glued:
            modifiers.append(glued.group("a") or glued.group("b") or glued.group("c"))
            position = glued.end()
            continue
        labelled = LABELLED_MODIFIERS.match(text, position)
        if labelled and not modifiers:
            listed = MODIFIER_LIST.match(text, labelled.end())
            if listed:
                return tuple(TWO_CHARACTERS.findall(listed.group())), listed.end()
        spaced = SPACED_MODIFIER.match(text, position)
        if spaced and column_at and column_at(spaced.start("m")) == "other":
            spaced = None
        if spaced and _is_spaced_modifier(spaced.group("m"), code) and not _cents_follow(text, spaced.end()):
            modifiers.append(spaced.group("m"))
            position = spaced.end()
            continue
        pair = SPACED_PAIR.match(text, position)
        if pair and all(_is_spaced_modifier(m, code) for m in (pair.group("p")[:2], pair.group("p")[2:])):
            modifiers.extend((pair.group("p")[:2], pair.group("p")[2:]))
            position = pair.end()
            continue
        return tuple(modifiers), position


def _modifiers_on_the_next_line(text, code, alone=False):
    """A claim card's "Modifier 25 - Significant, separately identifiable" on the line under its code;
    or, under a code alone on its line (a table pasted one cell a line), a cell of modifiers: "RR KX".

    A cell of numbers alone ("59") may be the units, so a cell needs a modifier with a letter.
    """
    labelled = MODIFIER_LINE.match(text)
    listed = labelled and MODIFIER_LIST.match(text, labelled.end())
    if listed:
        return tuple(token for token in TWO_CHARACTERS.findall(listed.group()) if _is_spaced_modifier(token, code))
    cell = alone and MODIFIER_CELL.fullmatch(text)
    tokens = TWO_CHARACTERS.findall(text) if cell else ()
    if all(_is_spaced_modifier(token, code) for token in tokens) and not "".join(tokens).isdigit():
        return tuple(tokens)
    return ()


MODIFIER_LINE = re.compile(r"\s*modifiers?(?:/descriptions?)?[ \t]*[:.=]?[ \t]+", re.IGNORECASE)
MODIFIER_CELL = re.compile(r"\s*[0-9A-Z]{2}(?:\s*[, ]\s*[0-9A-Z]{2}){0,3}\s*")


def _modifier_after_a_gap(text, glued, code):
    """`99214 - 25`, `J1745, JZ` and `77065, LT MAMMOGRAM` hold modifiers; `70450 - CT HEAD` and
    `99213 - OV EST` hold descriptions."""
    token = glued.group("a")
    if not _is_spaced_modifier(token, code):
        return False
    after_a_comma = "," in text[glued.start() : glued.start("a")]
    return token.isdigit() or after_a_comma or not DESCRIPTION_GOES_ON.match(text, glued.end())


CENTS = re.compile(r" (\d{2})\b")


def _cents_follow(text, position):
    """Claim forms split amounts into dollars and cents: `25 00` is $25.00, not modifier 25."""
    cents = CENTS.match(text, position)
    return bool(cents) and cents.group(1) not in SPACED_MODIFIERS


def _masked_spans(text):
    return [match.span() for match in _possible(MASKS, text, MASK_START).finditer(text)]


def _dates(text):
    return _possible(DATE_FORMS, text, DATE_START).finditer(text)


def _possible(alternatives, text, start=""):
    """The regex of the (pattern, needed) alternatives whose `needed` the text holds.

    Python's re tries every alternative at every position of a text. One that needs a
    character the text lacks can never match, so leaving it out finds the same matches,
    several times sooner.
    """
    # `needed`: a string the text must contain, or a regex it must match somewhere.
    held = [
        pattern
        for pattern, needed in alternatives
        if (needed in text if needed.__class__ is str else needed.search(text))
    ]
    return _either(tuple(held), start)


@functools.cache
def _either(patterns, start=""):
    return re.compile(f"{start}(?:{'|'.join(patterns)})" if patterns else r"\A(?!)")  # fails at its first place


def _overlaps(spans, start, end):
    return any(a < end and start < b for a, b in spans)


def _service_line_shape(text):
    return bool(DATE.search(text) or MONEY.search(text))


def _dates_between(dates, start, end):
    """The dates of a line, as (DATE match, day or None) pairs, printed between two positions of it."""
    return [(match, day) for match, day in dates if start <= match.start() and match.end() <= end]


def _as_date(match):
    parts = match.groupdict()  # only the groups of the date forms searched for (_possible)
    try:
        if parts.get("iso"):
            return date.fromisoformat(parts["iso"])
        month, day, year = (parts.get(g) or parts.get(f"{g}2") for g in ("m", "d", "y"))
        year = int(year)
        if year < 100:
            year += 2000 if year < 70 else 1900
        return date(year, int(month), int(day))
    except ValueError:
        return None


def _named_dates(text):
    """The dates with their months named in a text, as _dates gives dates (match, day or None)."""
    return [(match, _as_named_date(match)) for match in NAMED_DATE.finditer(text)]


def _as_named_date(match):
    month = match.group("month") or match.group("month2")
    try:
        return date(int(match.group("year")), MONTHS[month[:3].lower()], int(match.group("day") or match.group("day2")))
    except ValueError:
        return None


def _line_items(line, hits, dates, service_date, dx_words=frozenset()):
    """The line's items, one a hit. `dates` are the line's; an item with none takes the `service_date`."""
    items = []
    text = line.text
    if dates and dates[0][0].re is NAMED_DATE:
        for match, _ in dates:  # blanked out, as _plain blanks the other dates, so no description holds one
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    line_date = next((day for _, day in dates if day), service_date)
    for index, hit in enumerate(hits):
        stop = hits[index + 1].start if index + 1 < len(hits) else len(text)
        start = hits[index - 1].end if index else 0
        rest, before = text[hit.end : stop], text[start : hit.start]
        charge = _money(rest).search(rest)
        rest_dates, before_dates = _dates_between(dates, hit.end, stop), _dates_between(dates, start, hit.start)
        # Dates and amounts are no part of a description: blank them out, reusing what the line told already.
        plain_rest = _plain(rest) if rest_dates else _without_amounts(rest, charge)
        description = _description(plain_rest, dx_words) or _description(
            _plain(before) if before_dates else _money(before).sub(" ", before), dx_words
        )
        revenue = REVENUE.search(before)
        items.append(
            LineItem(
                code=hit.code,
                modifiers=hit.modifiers,
                page=line.page,
                line=line.number,
                date=next((day for _, day in rest_dates[:1] + before_dates[:1] if day), line_date),
                description=description,
                units=_units(rest, charge),
                charge=_amount(charge) if charge else None,
                source=line.text.strip()[:300],
                confidence=hit.confidence,
                reason=hit.reason,
                revenue_code=revenue.group() if revenue else None,
                ndc=_ndc(rest),
            )
        )
    return items


REVENUE = re.compile(r"(?=0)(?<![\w.,/$:-])0\d{3}(?![\w.,/-])")
NDC = re.compile(r"\bN4\s?(\d{11})\b|\b(\d{4,5}-\d{3,4}-\d{1,2})\b|(?<=NDC)[\s:#]*(\d{11})\b")
NOT_A_SERVICE = Worded(
    r"\b(?:total|subtotal|balance|payment|paid|adjust(?:ment)?|due|deductible|copay|coinsurance|insurance|"
    r"previous|credit|discount|refund|write[- ]?off|statement|pay|owe|amount)\b",
    # "pa" stands for pay, paid and payment; "insurance" for coinsurance; "total" for subtotal.
    "total balance pa adjust due deductible copay insurance previous credit discount refund write statement owe amount",
)


def _amount(match):
    parts = match.groupdict()  # only the groups of the forms searched for (_possible)
    if parts.get("amount"):
        return parts["amount"].replace(",", "")
    return parts["dollars"].replace(",", "") + ".00"


def _ndc(text):
    if "-" not in text and "N4" not in text and "NDC" not in text:
        return None  # what each of NDC's forms needs
    match = NDC.search(text)
    return next(group for group in match.groups() if group) if match else None


def _charges(text):
    """The amounts of a text that are charges: not payments or adjustments ("-$40.00")."""
    return [match for match in MONEY.finditer(text) if "-" not in match.group()]


def _uncoded(line, line_date):
    """A dated line with words and a positive charge but no code (not a total or a payment)."""
    if NOT_A_SERVICE.search(line.text):
        return None
    charges = _charges(line.text)
    description = _description(_plain(line.text))
    if not charges or not description or len(description) < 4:
        return None
    revenue = REVENUE.search(line.text[: charges[0].start()])
    return UncodedLine(
        page=line.page,
        line=line.number,
        date=line_date,
        description=description,
        charge=_amount(charges[0]),
        revenue_code=revenue.group() if revenue else None,
        source=line.text.strip()[:300],
    )


# A number, or a dot leader ("Mileage ........ 17.50"), ends a description; a lone dash does not
# ("Prophylaxis - adult").
NUMBERISH = re.compile(r"[.,$-]*\d[\d.,$-]*|[.·…_-]{2,}")


def _plain(text):
    """The text with its dates and amounts blanked out."""
    text = _possible(DATE_FORMS, text, DATE_START).sub(" ", text)
    return _money(text).sub(" ", text)


def _without_amounts(text, first):
    """MONEY.sub(" ", text) for a text whose first amount (MONEY.search) the caller found already."""
    if first is None:
        return text
    pieces, position = [text[: first.start()]], first.end()
    for match in first.re.finditer(text, position):
        pieces.append(text[position : match.start()])
        position = match.end()
    pieces.append(text[position:])
    return " ".join(pieces)


def _description(plain_text, dx_words=frozenset()):
    """The words that say what a line is, in text with no dates or amounts (_plain).

    They start at the first word of letters and stop at a number, a diagnosis code, or the
    insurer's remark codes an EOB prints at the end of its row ("CO-45", "N130"). A number
    one space before a word is part of the words ("ea 15 min", "age 1-4, est", "3 views").
    """
    picked = []
    words = plain_text.split()
    for index, word in enumerate(words):
        if not picked:
            if WORD.match(word):
                picked.append(word)
        elif word.strip(",;").replace(".", "") in dx_words:
            break
        elif NUMBERISH.fullmatch(word):
            following = words[index + 1] if index + 1 < len(words) else ""
            measure = following.strip(",.;)").lower()
            if measure == "of" or not (following[:1].islower() or measure in MEASURES):
                break  # "rental month 3 of 13", "10 mg 43 NDC": a count, or the next cell
            if f"{word} {following}" not in plain_text:
                break  # apart by more than a space: the units, then a blanked amount
            picked.append(word)
        else:
            picked.append(word)
    while picked and REMARK_CODE.fullmatch(picked[-1].strip(",;")):
        picked.pop()
    return " ".join(picked).strip(" -:,()|")[:120]


# What a number in a description measures: "EA 15 MIN", "3 VIEWS", "PER 100 UNITS".
MEASURES = frozenset(
    "min mins minutes hr hrs hour hours view views mg mcg ml cc unit units region regions tooth teeth "
    "day days visit visits lesion lesions sq cm gm".split()
)


# Claim adjustment reasons (CO-45, PR1) and remittance remarks (N130, M15, MA27).
REMARK_CODE = re.compile(r"(?:CO|PR|OA|PI|CR)-?\d{1,3}|MA\d{2,3}|M\d{2,3}|N\d{3}")


UNITS_START = r"(?=[xqu\d])"
UNITS_LABELLED = Worded(
    UNITS_START + r"(?:\b(?:x|qty|units?)\s?:?\s?(\d{1,3})\b|\b(\d{1,3})\s?(?:units?|x)\b)", "x qty unit"
)


def _units(text, charge):
    """Units from the text after a code, whose first amount (MONEY) is `charge`."""
    for token in UNITS_LABELLED.finditer(text):
        return int(token.group(1) or token.group(2))
    # A small whole number standing on its own right before the charge.
    head = (text[: charge.start()] if charge else text).split()
    if head and head[-1].isdigit() and len(head[-1]) <= 3 and (len(head) < 2 or head[-2] not in ("<", ">", "of")):
        value = int(head[-1])
        return value if 0 < value < 1000 else None
    return None


def _diagnoses(line, code_spans):
    """Diagnosis codes on a line that speaks of them, except where a procedure code was read."""
    found = []
    for match in ICD_WITH_DOT.finditer(line.text):
        found.append(match.group("code"))
    for match in ICD_WITHOUT_DOT.finditer(line.text):
        code = match.group("code")
        if _overlaps(code_spans, match.start(), match.end()) or not any(c.isdigit() for c in code[1:3]):
            continue
        if _with_dot(code) not in found:
            found.append(_with_dot(code))
    return [Diagnosis(code, line.page, line.number) for code in found]


def _lettered_diagnoses(text, candidates):
    """A claim form's diagnosis boxes, each code after its letter: "A K0252  B K0531  C  D".

    Asked only of lines where a letter code could be read (digit codes are never diagnoses).
    """
    if not any(match.group("code")[0].isalpha() for match in candidates):
        return False
    return len(LETTERED_DIAGNOSIS.findall(text)) >= 2


LETTERED_DIAGNOSIS = re.compile(r"(?=[A-L])(?<!\S)[A-L][.)]?[ \t]+[A-Z]\d[0-9A-Z]{1,5}(?!\S)")


def _lone_diagnosis(text):
    """A line that is one diagnosis code, with or without its dot ("K85.90", "K8590,"), perhaps after
    its letter and before its name ("A. M5416  Radiculopathy, lumbar"), with no date or amount."""
    listed = LISTED_DIAGNOSIS.fullmatch(text)
    if listed is None or (listed.group("name") and (DATE.search(text) or MONEY.search(text))):
        return False
    token = listed.group("code")
    return bool(ICD_WITH_DOT.fullmatch(token) or ICD_WITHOUT_DOT.fullmatch(token))


LISTED_DIAGNOSIS = re.compile(r"\s*(?:[A-L1-9][.)][ \t]+)?(?P<code>\S+?)[,;]?(?P<name>[ \t]+[A-Za-z].*)?\s*")


def _with_dot(code):
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


def _unique_diagnoses(diagnoses):
    seen = set()
    for diagnosis in diagnoses:
        if diagnosis.code not in seen:
            seen.add(diagnosis.code)
            yield diagnosis


HEADER_WORDS = frozenset(
    "date dates description charge charges amount units qty patient provider balance payments insurance "
    "adjustments billed paid visit # rev ndc dx mod service "
    # Spanish
    "fecha descripción descripcion cargo cargos cantidad unid. monto importe saldo paciente servicio".split()
)


def _looks_like_header(words):
    if any(re.search(r"\d{3}", w.text) for w in words):
        return False
    labels = [w.text.strip(":").lower() for w in words]
    known = sum(1 for label in labels if label in HEADER_WORDS)
    has_code = any(CODE_HEADERS.match(label) for label in labels)
    return (has_code and known >= 1) or known >= 3


def _header_cells(words):
    """Header cells (a cell may be several words: "Visit #", "Rev Code") with their extent and label.

    A "|" between words parts cells as a wide gap does ("Service code | Quantity").
    """
    cells, parted = [], False
    for word in words:
        if word.text in ("|", "¦"):
            parted = True
            continue
        gap = word.x0 - cells[-1][1] if cells else None
        single_space = gap is not None and not parted and (gap <= 1 if word.top == 0 else gap <= 4)
        if single_space and MOD_HEADER.fullmatch(cells[-1][2]) and word.text[:1].isalpha():
            single_space = False  # "Mod" and "Description" side by side are two cells; "Mod 1" is one
        parted = False
        if single_space:
            cells[-1] = (cells[-1][0], word.x1, f"{cells[-1][2]} {word.text}")
        else:
            cells.append((word.x0, word.x1, word.text))
    return cells


# "Mod", "Modifiers", "Mod1", "Modificador": a column of modifiers
MOD_HEADER = re.compile(r"mod(?:s|ifiers?)?\d?|modificador(?:es)?", re.IGNORECASE)


def _columns(cells):
    """Each header cell's extent and kind. Of two code columns ("Test Code" and "CPT"), the one
    that names CPT, HCPCS or the procedure holds the codes; the other, the lab's or hospital's own numbers."""
    columns = [(x0, x1, _column_kind(label)) for x0, x1, label in cells]
    named = [NAMED_CODE_COLUMN.search(label) is not None for _, _, label in cells]
    if sum(kind == "code" for _, _, kind in columns) > 1 and any(named):
        columns = [
            (x0, x1, "other" if kind == "code" and not name else kind)
            for (x0, x1, kind), name in zip(columns, named, strict=True)
        ]
    return columns


NAMED_CODE_COLUMN = re.compile(r"\b(?:cpt|hcpcs|proc(?:edure)?)", re.IGNORECASE)


def _stacked(above, below):
    """A header printed on two lines: each cell below joins the cell above it that it overlaps most."""
    joined = [[x0, x1, [label]] for x0, x1, label in above]
    for x0, x1, label in below:
        overlaps = [min(x1, cell[1]) - max(x0, cell[0]) for cell in joined]
        best = max(range(len(joined)), key=overlaps.__getitem__, default=None)
        if best is None or overlaps[best] <= 0:
            joined.append([x0, x1, [label]])
            continue
        cell = joined[best]
        cell[0], cell[1] = min(cell[0], x0), max(cell[1], x1)
        cell[2].append(label)
    return sorted((x0, x1, " ".join(labels)) for x0, x1, labels in joined)


# Header words of codes that are no procedures: diagnoses and drugs, and revenue and ZIP codes.
DIAGNOSES_OR_DRUGS = frozenset("dx diag diagnosis icd ndc".split())
NOT_PROCEDURES = DIAGNOSES_OR_DRUGS | {"rev", "revenue", "zip"}
# Headers of a hospital's own item numbers, which look like CPT codes: "Charge Code", "Chg Code", "CDM #".
OWN_NUMBERS = frozenset("charge chg item internal supply stock sku catalog trans transaction".split())
NUMBER_WORDS = frozenset("code codes # no number id".split())
DESCRIPTIONS = frozenset("description descriptions desc descr descripción".split())


@functools.lru_cache(maxsize=1024)  # every page repeats the same few headers
def _column_kind(label):
    words = re.findall(r"[a-záéíóúñü#®]+(?:/[a-záéíóúñü]+)?", label.lower())
    if not words:
        return "text"
    pairs = zip(words, words[1:], strict=False)
    if "cdm" in words or any(a in OWN_NUMBERS and b in NUMBER_WORDS for a, b in pairs):
        return "other"
    if not DIAGNOSES_OR_DRUGS & set(words):
        if any(CODE_HEADERS.match(w) and w != "service" for w in words) and not NOT_PROCEDURES & set(words):
            return "code"
        if NAMED_CODE_COLUMN.search(label):
            return "code"  # "REV-CPT", "Rev/HCPCS": the revenue code joined to the code
    # "Mod", "Modifiers", "Mod 1", and "Modifier/description" (Medicare.gov)
    if MOD_HEADER.fullmatch(words[0].split("/")[0]) and len(words) <= 2:
        return "mod"
    if DESCRIPTIONS & set(words):
        return "text"  # "Charge Description", "Service Description": words, and any code printed in them
    if any(OTHER_HEADERS.match(w) for w in words) or words[-1] in ("id", "no", "number", "#"):
        return "other"
    return "code" if words == ["service"] else "text"


def _column_at(line, columns, char_index):
    """The kind of column ("code", "other", "text") the character sits under, if the page has headers."""
    if not columns or not _has_words(line, columns):
        return None
    # Pasted text needs one word here, not all of them: a 1 MB paste has a hundred thousand.
    word = _word_at(line, char_index) if line.words else _text_word_at(line.text, char_index)
    if word is None:
        return None
    centre = (word.x0 + word.x1) / 2
    # The column the word starts or centres in; then, a little wider, for headers set a little off.
    # (In pasted text two spaces apart, "0300  85025" under "REV  HCPCS" starts two past REV's end.)
    for slack in (0, 2):
        for x0, x1, kind in columns:
            if x0 - slack <= word.x0 <= x1 + slack or x0 - slack <= centre <= x1 + slack:
                return kind
    nearest = min(columns, key=lambda c: abs((c[0] + c[1]) / 2 - centre))
    return nearest[2] if nearest[2] == "code" and abs(nearest[0] - word.x0) < 20 else None


def _read_in_a_code_column(line, start):
    word = _word_at(line, start)
    return word is not None and word.in_code_column


def _word_at(line, char_index):
    """The word a character of the line's text belongs to (words appear in the text in order)."""
    position = 0
    for word in line.words:
        start = line.text.find(word.text, position)
        if start < 0:
            return None
        if start <= char_index < start + len(word.text):
            return word
        position = start + len(word.text)
    return None
