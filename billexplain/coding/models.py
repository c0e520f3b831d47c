"""What codes mean: the staff-edited words and the official CMS records.

Everything a patient reads about a code comes from here. Text written by staff
(sections, notes, FAQ, modifier meanings) is shipped as fixtures; official CMS
HCPCS Level II records come from `manage.py import_hcpcs`.
"""

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class KeptQuerySet(models.QuerySet):
    """For the rows workers keep in memory (coding/reference.py): writes that send no
    signal (update, bulk_create, bulk_update) still tell every worker to read again."""

    def update(self, **kwargs):
        return _told(super().update(**kwargs))

    def bulk_create(self, objs, *args, **kwargs):
        return _told(super().bulk_create(objs, *args, **kwargs))

    def bulk_update(self, objs, fields, *args, **kwargs):
        return _told(super().bulk_update(objs, fields, *args, **kwargs))


class Kept(models.Model):
    """A table whose rows workers keep in memory (coding/reference.py). Every write through the app
    tells them: saves and deletes through signals (coding/apps.py), the rest through KeptQuerySet."""

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True


def _told(written):
    """Tell the workers when rows were written (a count or the created rows), then return it."""
    if written:
        from billexplain.coding import reference

        reference.changed()
    return written


class CodeSet(models.TextChoices):
    CPT = "CPT", "CPT (HCPCS Level I)"
    HCPCS2 = "HCPCS2", "HCPCS Level II"


class Edited(models.Model):
    """Remembers when staff last saved a row (fixtures may leave the time out)."""

    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class Section(Edited, Kept):
    """A part of a code set: a CPT section or subsection, or a HCPCS letter.

    The key matches the keys in coding/classification.py, which decides what
    section a code falls in; this row holds what we say about it.
    """

    key = models.SlugField(primary_key=True, max_length=80)
    name = models.CharField(max_length=200, help_text="The name patients see, e.g. “Surgery: bones and muscles”.")
    code_set = models.CharField(max_length=10, choices=CodeSet.choices)
    plain_language = models.TextField(
        help_text="Two or three short sentences a patient can follow: what kind of care "
        "codes in this part stand for. Aim for grade 6 to 8. No medical advice."
    )
    plain_language_es = models.TextField(
        "plain language (Spanish)",
        blank=True,
        help_text="The same words in Spanish, for Spanish-speaking patients. Use “usted”, short sentences "
        "and everyday words. Leave empty to show the English.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers come first in lists.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "key"]

    def __str__(self):
        return self.name


class CodeNote(Edited, Kept):
    """Our own plain-language note on one code (never the AMA's CPT text)."""

    code = models.CharField(
        primary_key=True, max_length=5, help_text="The code exactly as billed, e.g. 99213 or J1100."
    )
    plain_language = models.TextField(
        help_text="In your own words: what this usually means for the patient. "
        "Never paste the AMA's CPT description. Aim for grade 6 to 8."
    )
    plain_language_es = models.TextField(
        "plain language (Spanish)",
        blank=True,
        help_text="The same note in Spanish, for Spanish-speaking patients. Use “usted”, short sentences "
        "and everyday words. Leave empty to show the English.",
    )
    reviewed_by = models.CharField(max_length=100, blank=True, help_text="Who last checked this note.")
    reviewed_on = models.DateField(null=True, blank=True, help_text="When it was last checked.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class FaqEntry(Edited):
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="A short, plain answer. Aim for grade 6 to 8.")
    question_es = models.CharField(
        "question (Spanish)",
        max_length=200,
        blank=True,
        help_text="The same question in Spanish. Leave empty to show the English.",
    )
    answer_es = models.TextField(
        "answer (Spanish)",
        blank=True,
        help_text="The same answer in Spanish, for Spanish-speaking patients. Use “usted”, short sentences "
        "and everyday words. Leave empty to show the English.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question


class Modifier(Edited, Kept):
    """A two-character modifier: CPT's digits (AMA) or Level II letters (CMS)."""

    code = models.CharField(primary_key=True, max_length=2)
    code_set = models.CharField(max_length=10, choices=CodeSet.choices)
    plain_language = models.TextField(blank=True, help_text="What this modifier tells the insurer, in plain words.")
    plain_language_es = models.TextField(
        "plain language (Spanish)",
        blank=True,
        help_text="The same meaning in Spanish, for Spanish-speaking patients. Leave empty to show the English "
        "(or the official CMS words).",
    )
    official_description = models.TextField(blank=True, help_text="From the CMS HCPCS file (Level II only).")
    ended_on = models.DateField(null=True, blank=True)
    release = models.CharField(max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class HcpcsCode(Kept):
    """One HCPCS Level II code as CMS publishes it (public domain)."""

    code = models.CharField(primary_key=True, max_length=5)
    long_description = models.TextField()
    short_description = models.CharField(max_length=40, blank=True)
    added_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, help_text="Last day the code may be used.")
    action_code = models.CharField(max_length=1, blank=True)
    coverage_code = models.CharField(max_length=1, blank=True)
    betos = models.CharField(max_length=3, blank=True)
    release = models.CharField(max_length=40, help_text="The CMS file this record came from.")

    class Meta:
        ordering = ["code"]
        verbose_name = "HCPCS Level II code"

    def __str__(self):
        return self.code


class MedicareFee(Kept):
    """Medicare's national Physician Fee Schedule amount for one code in one year (CMS, public domain).

    Loaded from the CMS PPRRVU file by `manage.py import_fees`; never edited by hand.
    """

    code = models.CharField(max_length=5, help_text="The CPT or HCPCS code, e.g. 99213.")
    modifier = models.CharField(
        max_length=2,
        blank=True,
        help_text="Blank for the whole service; 26 = the doctor's part, TC = the equipment and staff part, "
        "53 = stopped early.",
    )
    status_code = models.CharField(
        max_length=1, help_text="CMS status: A, R and T are paid from this schedule; other letters are not."
    )
    non_facility_amount = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="National amount in a doctor's office, in dollars. Empty when Medicare lists no price there.",
    )
    facility_amount = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="National amount in a hospital or surgery center, in dollars. Empty when Medicare lists none.",
    )
    year = models.PositiveSmallIntegerField(help_text="The calendar year the fee schedule applies to.")
    source = models.CharField(max_length=100, help_text="The CMS file this row came from.")

    class Meta:
        ordering = ["code", "modifier", "-year"]
        verbose_name = "Medicare fee"
        constraints = [
            models.UniqueConstraint(fields=["code", "modifier", "year"], name="unique_medicare_fee"),
        ]

    def __str__(self):
        return f"{self.code}-{self.modifier} ({self.year})" if self.modifier else f"{self.code} ({self.year})"


class ReferenceVersion(models.Model):
    """One row whose token changes with every change to the rows codes are explained with.

    Workers keep those rows in memory and read this token to know they are current
    (coding/reference.py).
    """

    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token
