from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from activities.models import Activity, Inquiry, Note
from crm.admin_scope import ScopedAdmin


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["subject", "kind", "state", "due_at", "owner_user", "owner_team", "created_at"]
    list_filter = ["kind", "state", "priority"]
    search_fields = ["subject", "other_party"]
    raw_id_fields = ["owner_user", "owner_team"]
    date_hierarchy = "created_at"


@admin.register(Note)
class NoteAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "attachment_name", "attachment_size", "created_by", "created_at"]
    search_fields = ["text", "attachment_name"]
    raw_id_fields = ["owner_user", "owner_team"]
    # Files are uploaded through the checked form on the timeline, never here.
    readonly_fields = [
        "attachment",
        "attachment_name",
        "attachment_content_type",
        "attachment_size",
    ]


@admin.register(Inquiry)
class InquiryAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["title", "channel", "priority", "state", "owner_user", "created_at"]
    list_filter = ["channel", "state", "priority"]
    search_fields = ["title"]
    raw_id_fields = ["owner_user", "owner_team"]
