"""Where a 5-digit CPT Category I code sits: its section and subsection.

Pure Python, no Django. The ranges follow the AMA's published section and
subsection headings; the names are our own plain words, in English and marked
for translation (the page says them in the patient's language, the JSON in
English). Knowing the part of CPT a code falls in lets us say something true
about it without the AMA's copyrighted descriptor text.

The tables are sorted and never overlap, so `find` is two binary searches.
A section or subsection may own several ranges (with the same key) where CPT
places other codes in the middle of its numbers, e.g. the 2025 telehealth
visits 98000-98016 sit inside Medicine's numbers but belong to E/M.
Ranges are kept wide enough for codes that were deleted but still turn up on
older bills (99201, the observation codes 99217-99220, consultations 99241 and
99251).
"""

from bisect import bisect_right
from typing import NamedTuple

from billexplain.wording import gettext_noop


class CptRange(NamedTuple):
    first: str  # "20100" (5 characters, digits)
    last: str  # "29999"
    key: str  # "cpt-surgery-musculoskeletal"  (slug, max 80 chars)
    name: str  # patient-facing name, e.g. "Surgery: bones, joints and muscles"
    section_key: str  # key of the top-level section, e.g. "cpt-surgery"


_ANESTHESIA = "cpt-anesthesia"
_SURGERY = "cpt-surgery"
_RADIOLOGY = "cpt-radiology"
_LAB = "cpt-lab"
_MEDICINE = "cpt-medicine"
_EM = "cpt-em"

_ANESTHESIA_NAME = gettext_noop("Anesthesia")
_SURGERY_NAME = gettext_noop("Surgery")
_RADIOLOGY_NAME = gettext_noop("Radiology (imaging and radiation treatment)")
_LAB_NAME = gettext_noop("Lab tests and pathology")
_MEDICINE_NAME = gettext_noop("Medicine (tests and treatments that are not surgery)")
_EM_NAME = gettext_noop("Doctor visits (evaluation and management)")

SECTIONS: tuple[CptRange, ...] = (
    CptRange("00100", "01999", _ANESTHESIA, _ANESTHESIA_NAME, _ANESTHESIA),
    CptRange("10004", "69990", _SURGERY, _SURGERY_NAME, _SURGERY),
    CptRange("70010", "79999", _RADIOLOGY, _RADIOLOGY_NAME, _RADIOLOGY),
    CptRange("80047", "89398", _LAB, _LAB_NAME, _LAB),
    # Medicine is 90281-99199 and 99500-99607, minus the E/M telehealth visits.
    CptRange("90281", "97999", _MEDICINE, _MEDICINE_NAME, _MEDICINE),
    CptRange("98000", "98016", _EM, _EM_NAME, _EM),
    CptRange("98017", "99199", _MEDICINE, _MEDICINE_NAME, _MEDICINE),
    # 99201 was deleted after 2020 but still appears on older bills.
    CptRange("99201", "99499", _EM, _EM_NAME, _EM),
    CptRange("99500", "99607", _MEDICINE, _MEDICINE_NAME, _MEDICINE),
)


def _sub(first: str, last: str, key: str, name: str, section_key: str) -> CptRange:
    return CptRange(first, last, f"{section_key}-{key}", name, section_key)


def _a(first: str, last: str, key: str, name: str) -> CptRange:
    return _sub(first, last, key, name, _ANESTHESIA)


def _s(first: str, last: str, key: str, name: str) -> CptRange:
    return _sub(first, last, key, name, _SURGERY)


def _r(first: str, last: str, key: str, name: str) -> CptRange:
    return _sub(first, last, key, name, _RADIOLOGY)


def _l(first: str, last: str, key: str, name: str) -> CptRange:
    return _sub(first, last, key, name, _LAB)


def _m(first: str, last: str, key: str, name: str) -> CptRange:
    return _sub(first, last, key, name, _MEDICINE)


def _e(first: str, last: str, key: str, name: str) -> CptRange:
    return _sub(first, last, key, name, _EM)


# Names used by more than one range.
_EM_REMOTE = ("remote", gettext_noop("Care by phone, online or remote monitoring"))
_EM_PROLONGED = ("prolonged", gettext_noop("Extra time with a patient (prolonged services)"))
_EM_CARE_MANAGEMENT = ("care-management", gettext_noop("Care planning and care management"))
_EM_SPECIAL = ("special", gettext_noop("Exams for insurance or disability claims"))
_EM_PREVENTIVE = ("preventive", gettext_noop("Checkups and preventive counseling (preventive medicine)"))
_EM_NEWBORN_ICU = ("newborn-child-critical-care", gettext_noop("Intensive care for newborns and young children"))
_MEDICINE_VACCINES = ("vaccines", gettext_noop("Vaccines and giving shots"))
_MEDICINE_PHYSICAL = (
    "physical-medicine",
    gettext_noop("Physical and occupational therapy (physical medicine and rehabilitation)"),
)
_MEDICINE_BEHAVIOR = ("health-behavior", gettext_noop("Help with health habits and behavior"))

SUBSECTIONS: tuple[CptRange, ...] = (
    # Anesthesia, by the part of the body.
    _a("00100", "00222", "head", gettext_noop("Anesthesia: head")),
    _a("00300", "00352", "neck", gettext_noop("Anesthesia: neck")),
    _a("00400", "00474", "chest-wall", gettext_noop("Anesthesia: chest wall and shoulder area (thorax)")),
    _a("00500", "00580", "intrathoracic", gettext_noop("Anesthesia: heart, lungs and inside the chest")),
    _a("00600", "00670", "spine", gettext_noop("Anesthesia: spine and spinal cord")),
    _a("00700", "00797", "upper-abdomen", gettext_noop("Anesthesia: upper belly (abdomen)")),
    _a("00800", "00882", "lower-abdomen", gettext_noop("Anesthesia: lower belly (abdomen)")),
    _a("00902", "00952", "perineum", gettext_noop("Anesthesia: genital and rectal area (perineum)")),
    _a("01112", "01173", "pelvis", gettext_noop("Anesthesia: pelvis")),
    _a("01200", "01274", "upper-leg", gettext_noop("Anesthesia: hip and upper leg")),
    _a("01320", "01444", "knee", gettext_noop("Anesthesia: knee area")),
    _a("01462", "01522", "lower-leg", gettext_noop("Anesthesia: lower leg, ankle and foot")),
    _a("01610", "01682", "shoulder", gettext_noop("Anesthesia: shoulder and armpit")),
    _a("01710", "01782", "upper-arm", gettext_noop("Anesthesia: upper arm and elbow")),
    _a("01810", "01860", "forearm-hand", gettext_noop("Anesthesia: forearm, wrist and hand")),
    _a("01916", "01942", "radiology", gettext_noop("Anesthesia: during imaging and image-guided procedures")),
    _a("01951", "01953", "burns", gettext_noop("Anesthesia: burn care")),
    _a("01958", "01969", "obstetric", gettext_noop("Anesthesia: labor and delivery")),
    _a("01990", "01999", "other", gettext_noop("Anesthesia: other procedures")),
    # Surgery, by body system.
    _s("10004", "10021", "general", gettext_noop("Surgery: needle samples and general procedures")),
    _s("10030", "19499", "integumentary", gettext_noop("Surgery: skin, nails and breast (integumentary system)")),
    _s("20100", "29999", "musculoskeletal", gettext_noop("Surgery: bones, joints and muscles")),
    _s("30000", "32999", "respiratory", gettext_noop("Surgery: nose, throat, windpipe and lungs")),
    _s("33016", "37799", "cardiovascular", gettext_noop("Surgery: heart and blood vessels")),
    _s("38100", "38999", "hemic-lymphatic", gettext_noop("Surgery: spleen, bone marrow and lymph nodes")),
    _s("39000", "39599", "mediastinum-diaphragm", gettext_noop("Surgery: middle of the chest and diaphragm")),
    _s("40490", "49999", "digestive", gettext_noop("Surgery: mouth, stomach, bowels, liver and belly wall")),
    _s("50010", "53899", "urinary", gettext_noop("Surgery: kidneys and bladder (urinary system)")),
    _s("54000", "55899", "male-genital", gettext_noop("Surgery: male genital organs and prostate")),
    _s("55920", "55920", "reproductive", gettext_noop("Surgery: placing needles or tubes in the pelvis for radiation")),
    _s("55970", "55980", "intersex", gettext_noop("Surgery: genital surgery for gender change (intersex surgery)")),
    _s("56405", "58999", "female-genital", gettext_noop("Surgery: female genital organs, uterus and ovaries")),
    _s("59000", "59899", "maternity", gettext_noop("Surgery: pregnancy and childbirth")),
    _s("60000", "60699", "endocrine", gettext_noop("Surgery: thyroid and other hormone glands")),
    _s("61000", "64999", "nervous", gettext_noop("Surgery: brain, spine and nerves")),
    _s("65091", "68899", "eye", gettext_noop("Surgery: eyes and eyelids")),
    _s("69000", "69979", "auditory", gettext_noop("Surgery: ears")),
    _s("69990", "69990", "operating-microscope", gettext_noop("Surgery: use of an operating microscope")),
    # Radiology.
    _r("70010", "76499", "diagnostic-imaging", gettext_noop("X-rays, CT scans and MRI scans (diagnostic imaging)")),
    _r("76506", "76999", "ultrasound", gettext_noop("Ultrasound scans")),
    _r("77001", "77022", "guidance", gettext_noop("Imaging to guide a procedure")),
    _r("77046", "77067", "breast", gettext_noop("Breast imaging (mammograms and breast MRI)")),
    _r("77071", "77092", "bone-joint", gettext_noop("Bone and joint studies (including bone density)")),
    _r("77261", "77799", "radiation-oncology", gettext_noop("Radiation treatment (radiation oncology)")),
    _r("78012", "79999", "nuclear-medicine", gettext_noop("Nuclear medicine scans and treatments")),
    # Pathology and laboratory.
    _l("80047", "80081", "panels", gettext_noop("Lab test panels (groups of blood tests)")),
    _l("80143", "80299", "therapeutic-drug-levels", gettext_noop("Tests of medicine levels in the blood")),
    _l("80305", "80377", "drug-testing", gettext_noop("Drug tests (drug screening)")),
    _l(
        "80400",
        "80439",
        "hormone-challenge",
        gettext_noop("Hormone challenge tests (evocative and suppression testing)"),
    ),
    _l(
        "80500",
        "80506",
        "clinical-consultation",
        gettext_noop("Lab doctor's review of test results (pathology consultation)"),
    ),
    _l("81000", "81099", "urinalysis", gettext_noop("Urine tests (urinalysis)")),
    _l("81105", "81479", "molecular-genetic", gettext_noop("Gene and DNA tests (molecular pathology)")),
    _l(
        "81490",
        "81599",
        "multianalyte",
        gettext_noop("Tests that combine results with a formula (multianalyte assays)"),
    ),
    _l("82009", "84999", "chemistry", gettext_noop("Blood and body fluid chemistry tests")),
    _l("85002", "85999", "hematology", gettext_noop("Blood count and clotting tests (hematology)")),
    _l("86000", "86849", "immunology", gettext_noop("Immune system and antibody tests (immunology)")),
    _l("86850", "86999", "transfusion", gettext_noop("Blood typing and blood bank tests (transfusion medicine)")),
    _l("87003", "87999", "microbiology", gettext_noop("Tests for germs and infections (microbiology)")),
    _l("88000", "88099", "autopsy", gettext_noop("Autopsy (anatomic pathology)")),
    _l("88104", "88199", "cytopathology", gettext_noop("Cell tests, such as Pap tests (cytopathology)")),
    _l("88230", "88299", "cytogenetics", gettext_noop("Chromosome tests (cytogenetics)")),
    _l("88300", "88399", "surgical-pathology", gettext_noop("Tissue exams under a microscope (surgical pathology)")),
    _l("88720", "88749", "in-vivo", gettext_noop("Lab readings taken through the skin (in vivo tests)")),
    _l("89049", "89240", "other", gettext_noop("Other lab procedures")),
    _l("89250", "89398", "reproductive", gettext_noop("Fertility lab procedures (reproductive medicine)")),
    # Medicine.
    _m("90281", "90399", "immune-globulins", gettext_noop("Antibody treatments (immune globulins)")),
    _m("90460", "90759", *_MEDICINE_VACCINES),
    _m("90785", "90899", "psychiatry", gettext_noop("Mental health care (psychiatry)")),
    _m("90901", "90913", "biofeedback", gettext_noop("Biofeedback")),
    _m("90935", "90999", "dialysis", gettext_noop("Kidney dialysis")),
    _m("91010", "91299", "gastroenterology", gettext_noop("Digestive system tests (gastroenterology)")),
    _m("91300", "91399", *_MEDICINE_VACCINES),
    _m("92002", "92499", "ophthalmology", gettext_noop("Eye exams and eye tests (ophthalmology)")),
    _m("92502", "92700", "ear-nose-throat", gettext_noop("Hearing, balance and speech services")),
    _m("92920", "93799", "cardiovascular", gettext_noop("Heart tests and heart treatments (cardiovascular)")),
    _m("93880", "93998", "vascular-tests", gettext_noop("Blood vessel tests (noninvasive vascular studies)")),
    _m("94002", "94799", "pulmonary", gettext_noop("Breathing and lung tests and treatments (pulmonary)")),
    _m("95004", "95199", "allergy", gettext_noop("Allergy tests and allergy shots")),
    _m("95249", "95251", "endocrinology", gettext_noop("Blood sugar monitoring (endocrinology)")),
    _m("95700", "96020", "neurology", gettext_noop("Brain, nerve, muscle and sleep tests (neurology)")),
    _m("96040", "96041", "genetic-counseling", gettext_noop("Genetic counseling")),
    _m("96105", "96146", "cns-testing", gettext_noop("Memory, thinking and development tests")),
    # 96150-96155 were the older health behavior codes (deleted in 2020).
    _m("96150", "96171", *_MEDICINE_BEHAVIOR),
    _m("96202", "96203", *_MEDICINE_BEHAVIOR),
    _m("96360", "96549", "infusions-injections", gettext_noop("IV fluids, injections, infusions and chemotherapy")),
    _m("96567", "96574", "photodynamic", gettext_noop("Light-activated drug treatment (photodynamic therapy)")),
    _m("96900", "96999", "dermatology", gettext_noop("Special skin treatments (dermatology)")),
    _m("97010", "97150", *_MEDICINE_PHYSICAL),
    _m(
        "97151",
        "97158",
        "adaptive-behavior",
        gettext_noop("Behavior therapy, such as for autism (adaptive behavior services)"),
    ),
    _m("97159", "97799", *_MEDICINE_PHYSICAL),
    _m("97802", "97804", "nutrition", gettext_noop("Nutrition counseling (medical nutrition therapy)")),
    _m("97810", "97814", "acupuncture", gettext_noop("Acupuncture")),
    _m("98925", "98929", "osteopathic", gettext_noop("Osteopathic manipulation")),
    _m("98940", "98943", "chiropractic", gettext_noop("Chiropractic treatment")),
    _m("98960", "98962", "self-management-education", gettext_noop("Teaching patients to manage a health problem")),
    _m("98966", "98972", "non-face-to-face", gettext_noop("Phone and online care from non-doctor professionals")),
    _m("98975", "98981", "remote-therapeutic-monitoring", gettext_noop("Remote monitoring of therapy at home")),
    _m("99000", "99091", "special-services", gettext_noop("Special services, reports and supplies")),
    _m("99100", "99140", "anesthesia-circumstances", gettext_noop("Extra factors that make anesthesia harder")),
    _m(
        "99151",
        "99157",
        "moderate-sedation",
        gettext_noop("Moderate sedation (medicine to relax you during a procedure)"),
    ),
    _m("99170", "99199", "other", gettext_noop("Other services and procedures")),
    _m("99500", "99602", "home-health", gettext_noop("Home health visits and services")),
    _m("99605", "99607", "medication-therapy-management", gettext_noop("Medicine reviews with a pharmacist")),
    # Evaluation and management (visits).
    _e("98000", "98016", "telehealth", gettext_noop("Telehealth visits (video or audio)")),
    _e("99201", "99215", "office", gettext_noop("Office and clinic visits")),
    _e("99217", "99239", "hospital", gettext_noop("Hospital stays and observation care")),
    _e("99241", "99255", "consultations", gettext_noop("Consultations (another doctor's opinion)")),
    _e("99281", "99288", "emergency", gettext_noop("Emergency room visits")),
    _e("99291", "99292", "critical-care", gettext_noop("Critical care (for a life-threatening illness or injury)")),
    _e("99304", "99318", "nursing-facility", gettext_noop("Nursing home visits")),
    _e("99324", "99350", "home", gettext_noop("Visits at home or in assisted living")),
    _e("99354", "99360", *_EM_PROLONGED),
    _e("99366", "99368", *_EM_CARE_MANAGEMENT),
    _e("99374", "99380", *_EM_CARE_MANAGEMENT),
    _e("99381", "99412", *_EM_PREVENTIVE),
    _e("99415", "99418", *_EM_PROLONGED),
    _e("99421", "99423", *_EM_REMOTE),
    _e("99424", "99427", *_EM_CARE_MANAGEMENT),
    _e("99429", "99429", *_EM_PREVENTIVE),
    _e("99437", "99439", *_EM_CARE_MANAGEMENT),
    _e("99441", "99449", *_EM_REMOTE),
    _e("99450", "99450", *_EM_SPECIAL),
    _e("99451", "99454", *_EM_REMOTE),
    _e("99455", "99456", *_EM_SPECIAL),
    _e("99457", "99458", *_EM_REMOTE),
    _e("99459", "99459", "pelvic-exam", gettext_noop("Pelvic exam added to a visit")),
    _e("99460", "99465", "newborn", gettext_noop("Newborn care")),
    _e("99466", "99480", *_EM_NEWBORN_ICU),
    _e("99483", "99484", *_EM_CARE_MANAGEMENT),
    _e("99485", "99486", *_EM_NEWBORN_ICU),
    _e("99487", "99496", *_EM_CARE_MANAGEMENT),
    _e(
        "99497",
        "99498",
        "advance-care-planning",
        gettext_noop("Advance care planning (talking about future care wishes)"),
    ),
    _e("99499", "99499", "other", gettext_noop("Other visits")),
)

SUBSECTIONS = tuple(sorted(SUBSECTIONS))

_SECTION_FIRSTS = tuple(r.first for r in SECTIONS)
_SUBSECTION_FIRSTS = tuple(r.first for r in SUBSECTIONS)


def _lookup(code: str, firsts: tuple[str, ...], ranges: tuple[CptRange, ...]) -> CptRange | None:
    i = bisect_right(firsts, code) - 1
    if i >= 0 and code <= ranges[i].last:
        return ranges[i]
    return None


def find(code: str) -> tuple[CptRange | None, CptRange | None]:
    """Return (section, subsection) for a 5-digit code, or None where it falls in none."""
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None, None
    section = _lookup(code, _SECTION_FIRSTS, SECTIONS)
    if section is None:
        return None, None
    return section, _lookup(code, _SUBSECTION_FIRSTS, SUBSECTIONS)
