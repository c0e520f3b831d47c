from django.contrib import admin

from billexplain.coding.models import CodeNote, FaqEntry, HcpcsCode, Modifier, Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "code_set", "position", "updated_at"]
    list_filter = ["code_set"]
    search_fields = ["name", "key", "plain_language"]
    readonly_fields = ["key", "updated_at"]
    fields = ["key", "name", "code_set", "plain_language", "position", "updated_at"]


@admin.register(CodeNote)
class CodeNoteAdmin(admin.ModelAdmin):
    list_display = ["code", "short_note", "reviewed_by", "reviewed_on", "updated_at"]
    search_fields = ["code", "plain_language"]
    list_filter = ["reviewed_on"]

    @admin.display(description="Note")
    def short_note(self, note):
        return note.plain_language[:80]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "position", "updated_at"]
    list_editable = ["position"]
    search_fields = ["question", "answer"]


@admin.register(Modifier)
class ModifierAdmin(admin.ModelAdmin):
    list_display = ["code", "code_set", "plain_language", "ended_on"]
    list_filter = ["code_set"]
    search_fields = ["code", "plain_language", "official_description"]
    readonly_fields = ["official_description", "ended_on", "release"]


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
