from django.contrib import admin

from leads.imports.models import ImportBatch, ImportRowError


class ImportRowErrorInline(admin.TabularInline):
    model = ImportRowError
    fields = ["line", "error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "file_name",
        "created_by",
        "created_at",
        "status",
        "dry_run",
        "created",
        "updated",
        "skipped",
        "rejected",
    ]
    list_filter = ["status", "dry_run", "created_at"]
    search_fields = ["file_name", "checksum", "created_by__username"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]
    readonly_fields = [
        "file_name",
        "file",
        "checksum",
        "size",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "progress_at",
        "runner",
        "options",
        "dry_run",
        "status",
        "last_line",
        "rows",
        "created",
        "updated",
        "skipped",
        "rejected",
        "message",
        "error_file",
    ]
    inlines = [ImportRowErrorInline]

    def get_queryset(self, request):
        # As on the Imports page: a manager's own batches, every batch for administrators.
        batches = super().get_queryset(request)
        return (
            batches if request.user.is_administrator else batches.filter(created_by=request.user)
        )

    def has_add_permission(self, request):
        return False  # imports start from the Imports page or the command line
