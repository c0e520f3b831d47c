"""Everything a patient reads stays plain: Flesch-Kincaid grade 8 or below as a median, 10 at most."""

import json
import statistics
from pathlib import Path

import pytest
import textstat

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {
    "coding.codenote": ["plain_language"],
    "coding.section": ["plain_language"],
    "coding.faqentry": ["answer"],
    "coding.modifier": ["plain_language"],
}


def fixture_texts():
    for path in sorted((ROOT / "fixtures").glob("*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            for name in FIELDS.get(row["model"], []):
                text = row["fields"].get(name)
                if text:
                    yield f"{path.name} {row['pk']} {name}", text


def template_texts():
    """The English sentences of the templates, as makemessages collected them."""
    po = (ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for block in po.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith(('msgid "', '"')) and "msgstr" not in line]
        text = "".join(line.split('"', 1)[1].rsplit('"', 1)[0] for line in lines).replace("\\n", " ")
        if len(text.split()) >= 8:  # sentences, not labels
            yield "template", text


@pytest.mark.parametrize("source", [fixture_texts, template_texts], ids=["content", "templates"])
def test_patient_facing_text_reads_at_grade_eight_or_below(source):
    grades = {label: textstat.flesch_kincaid_grade(text) for label, text in source()}
    assert grades
    assert statistics.median(grades.values()) <= 8
    too_hard = {label: grade for label, grade in grades.items() if grade > 10}
    assert not too_hard, too_hard
