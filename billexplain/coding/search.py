"""Find codes by code or by words, for the search box. A few small queries, limited results.

On a Spanish page the words also match our Spanish notes, and a note is shown in
Spanish where staff wrote it. Official CMS descriptions are English only.
"""

from django.db.models import Q

from billexplain.coding.classification import classify
from billexplain.coding.knowledge import ENGLISH, SPANISH, content_language, pick_text
from billexplain.coding.models import CodeNote, HcpcsCode

LIMIT = 20


def find_codes(query, language=ENGLISH):
    """(code, text, language of the text, classification) for codes whose number starts with the query,
    or whose words contain every word of it."""
    query = query.strip()
    if len(query) < 2:
        return []
    language = content_language(language)
    code_like = query.upper().replace(" ", "")
    if code_like[:1].isdigit() or (code_like[:1].isalpha() and code_like[1:2].isdigit()):
        notes = CodeNote.objects.filter(code__startswith=code_like)
        official = HcpcsCode.objects.filter(code__startswith=code_like)
    else:
        words = query.split()[:5]
        note_filter, official_filter = Q(), Q()
        for word in words:
            in_note = Q(plain_language__icontains=word)
            if language == SPANISH:
                in_note |= Q(plain_language_es__icontains=word)
            note_filter &= in_note
            official_filter &= Q(long_description__icontains=word) | Q(short_description__icontains=word)
        notes = CodeNote.objects.filter(note_filter)
        official = HcpcsCode.objects.filter(official_filter).filter(ended_on__isnull=True)
    results = {}
    for note in notes.order_by("code")[:LIMIT]:
        results[note.code] = pick_text(note.plain_language, note.plain_language_es, language)
    for record in official.order_by("code")[:LIMIT]:
        results.setdefault(record.code, (record.short_description or record.long_description, ENGLISH))
    return [(code, text, in_language, classify(code)) for code, (text, in_language) in sorted(results.items())[:LIMIT]]
