"""The admin of business records for staff who are not administrators (a sales manager who
keeps web forms there): the changelist, the object pages, the history, the autocomplete and
the choices of related records show what the user sees in the app (`visible_to`), and an
object they may see but not change (`editable_by`) opens read-only."""

from django.contrib import admin


def _scoped(queryset, user):
    if user.is_administrator or not hasattr(queryset, "visible_to"):
        return queryset
    return queryset.visible_to(user)


class ScopedAdmin(admin.ModelAdmin):
    """Mixin, first among the bases of the model admin of an OwnedRecord."""

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request.user)

    def _may(self, request, obj, scope):
        if obj is None or request.user.is_administrator:
            return True
        records = getattr(self.model._default_manager, scope)(request.user)
        return records.filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        # simple-history's pages take the object from its history table, not get_queryset.
        return super().has_view_permission(request, obj) and self._may(request, obj, "visible_to")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may(
            request, obj, "editable_by"
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may(
            request, obj, "editable_by"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A select of accounts or contacts lists only those the user sees.
        if "queryset" not in kwargs:
            related = db_field.remote_field.model._default_manager.all()
            if hasattr(related, "visible_to") and not request.user.is_administrator:
                kwargs["queryset"] = related.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
