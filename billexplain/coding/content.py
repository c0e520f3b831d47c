"""Load the shipped, staff-editable content without overwriting what staff changed."""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import transaction

FIXTURES = settings.BASE_DIR / "fixtures"


def fixture_paths():
    return sorted(Path(FIXTURES).glob("*.json"))


@transaction.atomic
def load_missing(paths):
    """Add rows the database lacks; keep every row that is already there (staff may have edited it)."""
    added = kept = 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            objects = list(serializers.deserialize("json", handle))
        by_model = {}
        for obj in objects:
            by_model.setdefault(type(obj.object), []).append(obj)
        for model, items in by_model.items():
            existing = set(model.objects.filter(pk__in=[i.object.pk for i in items]).values_list("pk", flat=True))
            for item in items:
                if item.object.pk in existing:
                    kept += 1
                else:
                    item.save()
                    added += 1
    return added, kept
