"""How hard a text is to read, for the hints editors see. Pure; textstat works offline."""

import textstat
from textstat.backend import metrics

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


# Spanish: the Fernández Huerta reading ease (0 to 100, higher is easier), counting
# syllables with Spanish rules. `textstat.fernandez_huerta` would count them with the
# global language (English by default), and `textstat.set_lang` would change that for
# every caller, so call the stateless backend with the language given.
SPANISH_TARGET = 60.0
SPANISH_BANDS = [
    (90, "very easy"),
    (80, "easy"),
    (70, "fairly easy"),
    (60, "normal"),
    (50, "fairly hard"),
    (30, "hard"),
]


def spanish_ease(text):
    """The Fernández Huerta reading ease of a Spanish text (0 for an empty one)."""
    if not text or not text.strip():
        return 0.0
    return round(metrics.fernandez_huerta(text, "es"), 1)


def hint_es(text):
    if not text or not text.strip():
        return "No Spanish text yet: patients reading in Spanish see the English."
    ease = spanish_ease(text)
    band = next((name for floor, name in SPANISH_BANDS if ease >= floor), "very hard")
    message = f"Spanish reading ease {ease:g} ({band}; higher is easier)"
    if ease >= SPANISH_TARGET:
        return message + ": easy enough to read."
    return message + f": below our target of {SPANISH_TARGET:g}. Try shorter sentences and everyday words."
