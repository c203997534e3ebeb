"""Admin base for business records (imported by admin modules; no registrations here)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin


class OwnedRecordAdmin(SimpleHistoryAdmin):
    """Admin edits stamp the record like a service would (who and the version bump)."""

    list_select_related = ["owner_user", "owner_team"]
    readonly_fields = ["version", "created_at", "created_by", "modified_at", "modified_by"]
    autocomplete_fields = ["owner_user", "owner_team"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        obj.stamp(request.user)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("owner"))
    def owner_display(self, record):
        return record.owner
