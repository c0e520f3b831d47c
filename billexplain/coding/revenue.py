"""Hospital revenue codes (four digits, like 0450): the department or kind of charge. Pure.

The National Uniform Billing Committee (NUBC) groups revenue codes by their first
three digits. A revenue code names where in the hospital a charge came from; it
is never a procedure code. The words here are our own, in English and marked for
translation: the page says them in the patient's language, the JSON in English.
"""

import re

from billexplain.wording import gettext_noop

REVENUE_SHAPE = re.compile(r"^0\d{3}$")

# First three digits -> what a patient would call that kind of charge.
GROUPS = {
    "001": gettext_noop("Total of all charges"),
    "010": gettext_noop("All-inclusive daily rate"),
    "011": gettext_noop("Room and board: private room"),
    "012": gettext_noop("Room and board: room for two"),
    "013": gettext_noop("Room and board: room for three or four"),
    "014": gettext_noop("Room and board: deluxe private room"),
    "015": gettext_noop("Room and board: ward"),
    "016": gettext_noop("Room and board: other"),
    "017": gettext_noop("Nursery for newborns"),
    "018": gettext_noop("Days away from the hospital while still admitted"),
    "019": gettext_noop("Subacute care"),
    "020": gettext_noop("Intensive care unit (ICU)"),
    "021": gettext_noop("Coronary (heart) care unit"),
    "022": gettext_noop("Special charges"),
    "023": gettext_noop("Extra nursing care"),
    "024": gettext_noop("All-inclusive extra services"),
    "025": gettext_noop("Pharmacy: drugs and medicines"),
    "026": gettext_noop("IV therapy"),
    "027": gettext_noop("Medical and surgical supplies"),
    "028": gettext_noop("Cancer care (oncology)"),
    "029": gettext_noop("Medical equipment"),
    "030": gettext_noop("Laboratory tests"),
    "031": gettext_noop("Laboratory: pathology (tissue tests)"),
    "032": gettext_noop("X-rays and diagnostic imaging"),
    "033": gettext_noop("Radiation treatment"),
    "034": gettext_noop("Nuclear medicine"),
    "035": gettext_noop("CT scan"),
    "036": gettext_noop("Operating room"),
    "037": gettext_noop("Anesthesia"),
    "038": gettext_noop("Blood and blood products"),
    "039": gettext_noop("Handling and storing blood"),
    "040": gettext_noop("Other imaging (such as mammograms and ultrasound)"),
    "041": gettext_noop("Breathing treatments (respiratory therapy)"),
    "042": gettext_noop("Physical therapy"),
    "043": gettext_noop("Occupational therapy"),
    "044": gettext_noop("Speech therapy"),
    "045": gettext_noop("Emergency room"),
    "046": gettext_noop("Lung function tests"),
    "047": gettext_noop("Hearing tests (audiology)"),
    "048": gettext_noop("Heart tests (cardiology)"),
    "049": gettext_noop("Same-day surgery"),
    "050": gettext_noop("Outpatient services"),
    "051": gettext_noop("Clinic visit"),
    "052": gettext_noop("Freestanding clinic"),
    "053": gettext_noop("Osteopathic treatment"),
    "054": gettext_noop("Ambulance"),
    "055": gettext_noop("Skilled nursing"),
    "056": gettext_noop("Home health: social services"),
    "057": gettext_noop("Home health aide"),
    "058": gettext_noop("Home health: other visits"),
    "059": gettext_noop("Home health: units of service"),
    "060": gettext_noop("Home health: oxygen"),
    "061": gettext_noop("MRI scan"),
    "062": gettext_noop("Medical and surgical supplies (more)"),
    "063": gettext_noop("Pharmacy: drugs that must be listed one by one"),
    "064": gettext_noop("Home IV therapy"),
    "065": gettext_noop("Hospice care"),
    "066": gettext_noop("Respite care"),
    "067": gettext_noop("Outpatient special residence"),
    "068": gettext_noop("Trauma team response"),
    "069": gettext_noop("Palliative or pre-hospice care"),
    "070": gettext_noop("Cast room"),
    "071": gettext_noop("Recovery room"),
    "072": gettext_noop("Labor and delivery room"),
    "073": gettext_noop("EKG (heart tracing)"),
    "074": gettext_noop("EEG (brain wave test)"),
    "075": gettext_noop("Stomach and bowel procedures"),
    "076": gettext_noop("Treatment or observation room"),
    "077": gettext_noop("Preventive care, such as shots"),
    "078": gettext_noop("Telehealth"),
    "079": gettext_noop("Kidney stone treatment with sound waves"),
    "080": gettext_noop("Kidney dialysis in the hospital"),
    "081": gettext_noop("Donor organs and tissue"),
    "082": gettext_noop("Hemodialysis (outpatient)"),
    "083": gettext_noop("Peritoneal dialysis (outpatient)"),
    "084": gettext_noop("Home dialysis (CAPD)"),
    "085": gettext_noop("Home dialysis (CCPD)"),
    "086": gettext_noop("Brain scan (magnetoencephalography)"),
    "087": gettext_noop("Cell and gene therapy"),
    "088": gettext_noop("Other dialysis"),
    "090": gettext_noop("Behavioral health treatment"),
    "091": gettext_noop("Behavioral health services"),
    "092": gettext_noop("Other diagnostic tests"),
    "093": gettext_noop("Rehabilitation day program"),
    "094": gettext_noop("Other treatments"),
    "095": gettext_noop("Other treatments (more)"),
    "096": gettext_noop("Professional fees"),
    "097": gettext_noop("Professional fees (more)"),
    "098": gettext_noop("Professional fees (more)"),
    "099": gettext_noop("Comfort items (such as TV or phone)"),
}


def describe(code):
    """What a revenue code's group means, or None when it is not a revenue code we know."""
    code = code.strip()
    if not REVENUE_SHAPE.match(code):
        return None
    return GROUPS.get(code[:3])
