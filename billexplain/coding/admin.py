from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from billexplain.coding import readability
from billexplain.coding.models import CodeNote, FaqEntry, HcpcsCode, MedicareFee, Modifier, Section


class PlainLanguageAdmin(SimpleHistoryAdmin):
    """Shows editors how easy their words are to read; "History" shows who changed what, and when."""

    plain_field = "plain_language"

    @admin.display(description="Reading level")
    def reading_level(self, obj):
        return readability.hint(getattr(obj, self.plain_field, "")) if obj else ""


@admin.register(Section)
class SectionAdmin(PlainLanguageAdmin):
    list_display = ["name", "key", "code_set", "position", "updated_at"]
    list_filter = ["code_set"]
    search_fields = ["name", "key", "plain_language"]
    readonly_fields = ["key", "reading_level", "updated_at"]
    fields = ["key", "name", "code_set", "plain_language", "reading_level", "position", "updated_at"]


@admin.register(CodeNote)
class CodeNoteAdmin(PlainLanguageAdmin):
    list_display = ["code", "short_note", "reviewed_by", "reviewed_on", "updated_at"]
    search_fields = ["code", "plain_language"]
    list_filter = ["reviewed_by", "reviewed_on"]
    readonly_fields = ["reading_level", "updated_at"]

    @admin.display(description="Note")
    def short_note(self, note):
        return note.plain_language[:80]


@admin.register(FaqEntry)
class FaqEntryAdmin(PlainLanguageAdmin):
    plain_field = "answer"
    list_display = ["question", "position", "updated_at"]
    list_editable = ["position"]
    search_fields = ["question", "answer"]
    readonly_fields = ["reading_level", "updated_at"]


@admin.register(Modifier)
class ModifierAdmin(PlainLanguageAdmin):
    list_display = ["code", "code_set", "plain_language", "ended_on"]
    list_filter = ["code_set"]
    search_fields = ["code", "plain_language", "official_description"]
    readonly_fields = ["reading_level", "official_description", "ended_on", "release", "updated_at"]


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
