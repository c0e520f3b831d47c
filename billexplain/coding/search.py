"""Find codes by code or by words, for the search box. A few small queries, limited results."""

from django.db.models import Q

from billexplain.coding.classification import classify
from billexplain.coding.models import CodeNote, HcpcsCode

LIMIT = 20


def find_codes(query):
    """Codes whose number starts with the query, or whose words contain every word of it."""
    query = query.strip()
    if len(query) < 2:
        return []
    code_like = query.upper().replace(" ", "")
    if code_like[:1].isdigit() or (code_like[:1].isalpha() and code_like[1:2].isdigit()):
        notes = CodeNote.objects.filter(code__startswith=code_like)
        official = HcpcsCode.objects.filter(code__startswith=code_like)
    else:
        words = query.split()[:5]
        note_filter, official_filter = Q(), Q()
        for word in words:
            note_filter &= Q(plain_language__icontains=word)
            official_filter &= Q(long_description__icontains=word) | Q(short_description__icontains=word)
        notes = CodeNote.objects.filter(note_filter)
        official = HcpcsCode.objects.filter(official_filter).filter(ended_on__isnull=True)
    results = {}
    for note in notes.order_by("code")[:LIMIT]:
        results[note.code] = note.plain_language
    for record in official.order_by("code")[:LIMIT]:
        results.setdefault(record.code, record.short_description or record.long_description)
    return [(code, text, classify(code)) for code, text in sorted(results.items())[:LIMIT]]
