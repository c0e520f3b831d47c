from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from billexplain.coding import readability
from billexplain.coding.models import CodeNote, FaqEntry, HcpcsCode, MedicareFee, Modifier, Section


class SpanishListFilter(admin.SimpleListFilter):
    """Lets editors find the rows still waiting for their Spanish words."""

    title = "Spanish text"
    parameter_name = "spanish"

    def __init__(self, request, params, model, model_admin):
        self.empty = Q()
        for field in model_admin.spanish_fields:
            self.empty |= Q(**{field: ""})
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("missing", "Missing"), ("written", "Written")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(self.empty)
        if self.value() == "written":
            return queryset.exclude(self.empty)
        return queryset


class PlainLanguageAdmin(SimpleHistoryAdmin):
    """Shows editors how easy their words are to read, in English and in Spanish.

    "History" shows who changed what, and when.
    """

    plain_field = "plain_language"
    plain_field_es = "plain_language_es"
    spanish_fields = ("plain_language_es",)  # all must be filled for a row to count as translated

    @admin.display(description="Reading level")
    def reading_level(self, obj):
        return readability.hint(getattr(obj, self.plain_field, "")) if obj else ""

    @admin.display(description="Reading level (Spanish)")
    def reading_level_es(self, obj):
        return readability.hint_es(getattr(obj, self.plain_field_es, "")) if obj else ""

    @admin.display(description="Spanish", boolean=True)
    def has_spanish(self, obj):
        return all(getattr(obj, field, "").strip() for field in self.spanish_fields)


@admin.register(Section)
class SectionAdmin(PlainLanguageAdmin):
    list_display = ["name", "key", "code_set", "has_spanish", "position", "updated_at"]
    list_filter = ["code_set", SpanishListFilter]
    search_fields = ["name", "key", "plain_language", "plain_language_es"]
    readonly_fields = ["key", "reading_level", "reading_level_es", "updated_at"]
    fields = [
        "key",
        "name",
        "code_set",
        ("plain_language", "plain_language_es"),
        ("reading_level", "reading_level_es"),
        "position",
        "updated_at",
    ]


@admin.register(CodeNote)
class CodeNoteAdmin(PlainLanguageAdmin):
    list_display = ["code", "short_note", "has_spanish", "reviewed_by", "reviewed_on", "updated_at"]
    search_fields = ["code", "plain_language", "plain_language_es"]
    list_filter = ["reviewed_by", "reviewed_on", SpanishListFilter]
    readonly_fields = ["reading_level", "reading_level_es", "updated_at"]
    fields = [
        "code",
        ("plain_language", "plain_language_es"),
        ("reading_level", "reading_level_es"),
        "reviewed_by",
        "reviewed_on",
        "updated_at",
    ]

    @admin.display(description="Note")
    def short_note(self, note):
        return note.plain_language[:80]


@admin.register(FaqEntry)
class FaqEntryAdmin(PlainLanguageAdmin):
    plain_field = "answer"
    plain_field_es = "answer_es"
    spanish_fields = ("question_es", "answer_es")
    list_display = ["question", "has_spanish", "position", "updated_at"]
    list_editable = ["position"]
    list_filter = [SpanishListFilter]
    search_fields = ["question", "answer", "question_es", "answer_es"]
    readonly_fields = ["reading_level", "reading_level_es", "updated_at"]
    fields = [
        ("question", "question_es"),
        ("answer", "answer_es"),
        ("reading_level", "reading_level_es"),
        "position",
        "updated_at",
    ]


@admin.register(Modifier)
class ModifierAdmin(PlainLanguageAdmin):
    list_display = ["code", "code_set", "plain_language", "has_spanish", "ended_on"]
    list_filter = ["code_set", SpanishListFilter]
    search_fields = ["code", "plain_language", "plain_language_es", "official_description"]
    readonly_fields = [
        "reading_level",
        "reading_level_es",
        "official_description",
        "ended_on",
        "release",
        "updated_at",
    ]
    fields = [
        "code",
        "code_set",
        ("plain_language", "plain_language_es"),
        ("reading_level", "reading_level_es"),
        "official_description",
        "ended_on",
        "release",
        "updated_at",
    ]


@admin.register(HcpcsCode)
class HcpcsCodeAdmin(admin.ModelAdmin):
    """Official CMS records: read-only here, changed only by importing a new CMS file."""

    list_display = ["code", "short_description", "effective_on", "ended_on", "release"]
    list_filter = ["release", "action_code", "coverage_code"]
    search_fields = ["code", "short_description", "long_description"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MedicareFee)
class MedicareFeeAdmin(admin.ModelAdmin):
    """Official CMS fee schedule amounts: read-only here, changed only by `manage.py import_fees`."""

    list_display = ["code", "modifier", "status_code", "non_facility_amount", "facility_amount", "year", "source"]
    list_filter = ["year", "status_code", "modifier"]
    search_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
