"""Hospital revenue codes (four digits, like 0450): the department or kind of charge. Pure.

The National Uniform Billing Committee (NUBC) groups revenue codes by their first
three digits. A revenue code names where in the hospital a charge came from; it
is never a procedure code. The words here are our own.
"""

import re

REVENUE_SHAPE = re.compile(r"^0\d{3}$")

# First three digits -> what a patient would call that kind of charge.
GROUPS = {
    "001": "Total of all charges",
    "010": "All-inclusive daily rate",
    "011": "Room and board: private room",
    "012": "Room and board: room for two",
    "013": "Room and board: room for three or four",
    "014": "Room and board: deluxe private room",
    "015": "Room and board: ward",
    "016": "Room and board: other",
    "017": "Nursery for newborns",
    "018": "Days away from the hospital while still admitted",
    "019": "Subacute care",
    "020": "Intensive care unit (ICU)",
    "021": "Coronary (heart) care unit",
    "022": "Special charges",
    "023": "Extra nursing care",
    "024": "All-inclusive extra services",
    "025": "Pharmacy: drugs and medicines",
    "026": "IV therapy",
    "027": "Medical and surgical supplies",
    "028": "Cancer care (oncology)",
    "029": "Medical equipment",
    "030": "Laboratory tests",
    "031": "Laboratory: pathology (tissue tests)",
    "032": "X-rays and diagnostic imaging",
    "033": "Radiation treatment",
    "034": "Nuclear medicine",
    "035": "CT scan",
    "036": "Operating room",
    "037": "Anesthesia",
    "038": "Blood and blood products",
    "039": "Handling and storing blood",
    "040": "Other imaging (such as mammograms and ultrasound)",
    "041": "Breathing treatments (respiratory therapy)",
    "042": "Physical therapy",
    "043": "Occupational therapy",
    "044": "Speech therapy",
    "045": "Emergency room",
    "046": "Lung function tests",
    "047": "Hearing tests (audiology)",
    "048": "Heart tests (cardiology)",
    "049": "Same-day surgery",
    "050": "Outpatient services",
    "051": "Clinic visit",
    "052": "Freestanding clinic",
    "053": "Osteopathic treatment",
    "054": "Ambulance",
    "055": "Skilled nursing",
    "056": "Home health: social services",
    "057": "Home health aide",
    "058": "Home health: other visits",
    "059": "Home health: units of service",
    "060": "Home health: oxygen",
    "061": "MRI scan",
    "062": "Medical and surgical supplies (more)",
    "063": "Pharmacy: drugs that must be listed one by one",
    "064": "Home IV therapy",
    "065": "Hospice care",
    "066": "Respite care",
    "067": "Outpatient special residence",
    "068": "Trauma team response",
    "069": "Palliative or pre-hospice care",
    "070": "Cast room",
    "071": "Recovery room",
    "072": "Labor and delivery room",
    "073": "EKG (heart tracing)",
    "074": "EEG (brain wave test)",
    "075": "Stomach and bowel procedures",
    "076": "Treatment or observation room",
    "077": "Preventive care, such as shots",
    "078": "Telehealth",
    "079": "Kidney stone treatment with sound waves",
    "080": "Kidney dialysis in the hospital",
    "081": "Donor organs and tissue",
    "082": "Hemodialysis (outpatient)",
    "083": "Peritoneal dialysis (outpatient)",
    "084": "Home dialysis (CAPD)",
    "085": "Home dialysis (CCPD)",
    "086": "Brain scan (magnetoencephalography)",
    "087": "Cell and gene therapy",
    "088": "Other dialysis",
    "090": "Behavioral health treatment",
    "091": "Behavioral health services",
    "092": "Other diagnostic tests",
    "093": "Rehabilitation day program",
    "094": "Other treatments",
    "095": "Other treatments (more)",
    "096": "Professional fees",
    "097": "Professional fees (more)",
    "098": "Professional fees (more)",
    "099": "Comfort items (such as TV or phone)",
}


def describe(code):
    """What a revenue code's group means, or None when it is not a revenue code we know."""
    code = code.strip()
    if not REVENUE_SHAPE.match(code):
        return None
    return GROUPS.get(code[:3])
