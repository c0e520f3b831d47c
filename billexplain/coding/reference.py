"""The rows codes are explained with, kept in each worker's memory while they are current.

An explain request asks about dozens of codes: the notes and section texts staff wrote,
the CMS records, the modifier meanings and Medicare's prices. Five queries for them took
a tenth of each request's time, for rows that change a few times a year.

So each worker keeps the rows it has read, by key, and asks one small question per
lookup (the token in `ReferenceVersion`) to know whether they are still current.
Every write to those tables through the app calls `changed()` in its transaction:
saves and deletes through signals (coding/apps.py), updates and bulk writes through
their QuerySet (the tables are models.Kept), as the admin, the CMS imports and
load_content make them. A new token is random, never a count, so a change rolled
back can never come back under a token a worker has already seen.
"""

import secrets

from django.db import connection

# The most keys kept for one table: past it the table starts again, so no bill can make it grow for ever.
MAX_KEYS = 50_000

_kept = {"token": None, "tables": {}}  # this worker's rows, read under `token`


def changed():
    """The kept tables changed: every worker reads them again at its next lookup."""
    from billexplain.coding.models import ReferenceVersion

    token = secrets.token_hex(16)
    if not ReferenceVersion.objects.filter(pk=1).update(token=token):
        ReferenceVersion.objects.create(pk=1, token=token)


def current():
    """What this worker kept, if it is still current; else a fresh start (one query)."""
    from billexplain.coding.models import ReferenceVersion

    # Every lookup asks this, so it skips the ORM's query building (a third of a lookup's time).
    table = connection.ops.quote_name(ReferenceVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 our own table name
        row = cursor.fetchone()
    token = row[0] if row else None
    if token is None:  # no version row (a database being built or emptied): keep nothing
        return Snapshot({})
    if token != _kept["token"]:
        _kept.update(token=token, tables={})
    return Snapshot(_kept["tables"], keep=True)


class Snapshot:
    """The rows kept under one token. Read rows are shared between requests: keep them immutable."""

    def __init__(self, tables, keep=False):
        self.tables = tables  # table -> {key: row, or None for a key the table does not have}
        self.keep = keep

    def rows(self, table, keys, read):
        """{key: row} for the keys the table has: kept rows, and `read(missing keys)` -> {key: row} for the rest."""
        kept = self.tables.setdefault(table, {}) if self.keep else {}
        missing = [key for key in dict.fromkeys(keys) if key not in kept]
        if missing:
            if len(kept) + len(missing) > MAX_KEYS:
                kept.clear()
            found = read(missing)
            for key in missing:
                kept[key] = found.get(key)
        return {key: kept[key] for key in keys if kept[key] is not None}

    def value(self, name, read):
        """A single fact about the tables, `read()` once per token."""
        return self.rows(name, [name], lambda keys: {name: (read(),)})[name][0]
