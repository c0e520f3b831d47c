"""ICD-10-CM diagnosis codes: why a service was done. Official text from CDC/CMS (public domain).

The codes and their descriptions come from the data file that the simple-icd-10-cm
package ships (it works offline). Reading that 10 MB XML takes seconds, so the
first use writes a small index (code, description) next to the database and
every later process reads the index instead: a few milliseconds, a few MB.
"""

import contextlib
import functools
import os
import tempfile
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

from django.conf import settings

INDEX_VERSION = "1"


def describe(code):
    """The official description of a diagnosis code (with or without its dot), or None if it is not one."""
    code = with_dot(code.strip())
    index = _index()
    if code in index.descriptions:
        return index.descriptions[code]
    # Seven-character codes (S72.001A): the six-character code, padded with X, plus the 7th character's meaning.
    if len(code.replace(".", "")) == 7:
        base = code[:-1].rstrip("X").rstrip(".")
        meaning = index.seventh.get(base, {}).get(code[-1])
        if base in index.descriptions and meaning:
            return f"{index.descriptions[base]}, {meaning}"
    return None


def with_dot(code):
    code = code.replace(".", "").upper()
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


class _Index:
    def __init__(self, descriptions, seventh):
        self.descriptions = descriptions
        self.seventh = seventh


@functools.cache
def _index():
    source = _source()
    path = Path(settings.ICD_INDEX_PATH)
    if path.exists() and path.stat().st_mtime >= source.stat().st_mtime:
        try:
            return _read(path)
        except (OSError, ValueError):
            pass  # a damaged index is rebuilt below
    descriptions, seventh = _parse(source)
    with contextlib.suppress(OSError):  # a read-only install keeps the index in memory only
        _write(path, descriptions, seventh)
    return _Index(descriptions, seventh)


def _source():
    data = files("simple_icd_10_cm.data")
    return Path(str(next(p for p in data.iterdir() if p.name.startswith("icd10c-tabular") and p.name.endswith(".xml"))))


def _parse(source):
    """Each <diag>'s code and description, and the 7th-character meanings it has or inherits."""
    descriptions, seventh, stack = {}, {}, []
    # The file comes from an installed package, not from a user.
    for event, element in ET.iterparse(source, events=("start", "end")):  # noqa: S314
        if event == "start":
            if element.tag == "diag":
                stack.append([None, None])
            continue
        if element.tag == "name" and stack and stack[-1][0] is None:
            stack[-1][0] = (element.text or "").strip()
        elif element.tag == "desc" and stack and stack[-1][0] and stack[-1][0] not in descriptions:
            descriptions[stack[-1][0]] = (element.text or "").strip()
        elif element.tag == "sevenChrDef" and stack:
            stack[-1][1] = {e.get("char"): (e.text or "").strip() for e in element.findall("extension")}
        elif element.tag == "diag":
            code, characters = stack.pop()
            characters = characters or next((s[1] for s in reversed(stack) if s[1]), None)
            if characters and code:
                seventh[code] = characters
            element.clear()
    return descriptions, seventh


def _write(path, descriptions, seventh):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as handle:
        handle.write(f"#icd-index {INDEX_VERSION}\n")
        for code, text in descriptions.items():
            chars = seventh.get(code)
            packed = "|".join(f"{k}={v}" for k, v in chars.items()) if chars else ""
            handle.write(f"{code}\t{text}\t{packed}\n")
    os.replace(handle.name, path)  # readers never see a half-written index


def _read(path):
    descriptions, seventh, shared = {}, {}, {}
    with open(path, encoding="utf-8") as handle:
        if handle.readline().strip() != f"#icd-index {INDEX_VERSION}":
            raise ValueError("old index")
        for line in handle:
            code, text, packed = line.rstrip("\n").split("\t")
            descriptions[code] = text
            if packed:
                # Many codes share one set of 7th characters: keep one dict per distinct set.
                seventh[code] = shared.setdefault(packed, dict(p.split("=", 1) for p in packed.split("|")))
    return _Index(descriptions, seventh)
