"""ICD-10-CM diagnosis codes: why a service was done. Official text from CDC/CMS (public domain).

The code list comes from the simple-icd-10-cm package, which ships the data and works
offline. Loading it takes a few seconds, so it is loaded once, on first use.
"""

import functools


@functools.cache
def _icd():
    import simple_icd_10_cm

    return simple_icd_10_cm


def describe(code):
    """The official description of a diagnosis code (with or without its dot), or None if it is not one."""
    icd = _icd()
    try:
        return icd.get_description(code) if icd.is_valid_item(code) else None
    except (ValueError, KeyError):
        return None


def with_dot(code):
    code = code.replace(".", "").upper()
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def preload():
    _icd()
