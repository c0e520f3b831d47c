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
    """Add rows the database lacks, and fill fields left empty (say, a new Spanish text).

    Every field that already has a value is kept: staff may have edited it.
    """
    added = kept = 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            objects = list(serializers.deserialize("json", handle))
        by_model = {}
        for obj in objects:
            by_model.setdefault(type(obj.object), []).append(obj)
        for model, items in by_model.items():
            existing = model.objects.in_bulk([i.object.pk for i in items])
            for item in items:
                current = existing.get(item.object.pk)
                if current is None:
                    item.save()
                    added += 1
                    continue
                kept += 1
                empty = [
                    f.name
                    for f in model._meta.concrete_fields
                    if f.get_internal_type() in ("CharField", "TextField")
                    and not getattr(current, f.name)
                    and getattr(item.object, f.name)
                ]
                if empty:
                    for name in empty:
                        setattr(current, name, getattr(item.object, name))
                    model.objects.filter(pk=current.pk).update(**{name: getattr(current, name) for name in empty})
    return added, kept
