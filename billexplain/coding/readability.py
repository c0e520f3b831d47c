"""How hard a text is to read, for the hints editors see. Pure; textstat works offline."""

import textstat

TARGET = 8.0


def grade(text):
    """The Flesch-Kincaid grade of a text (0 for an empty one)."""
    return round(textstat.flesch_kincaid_grade(text), 1) if text and text.strip() else 0.0


def hint(text):
    level = grade(text)
    if not text or not text.strip():
        return "No text yet."
    if level <= TARGET:
        return f"Grade {level}: easy to read."
    return f"Grade {level}: above our grade {TARGET:g} target. Try shorter sentences and everyday words."
