"""Admin base for business records (imported by admin modules; no registrations here)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm.admin_scope import ScopedAdmin
from crm.errors import StaleRecord
from crm.services import lock_for_update, next_version


class VersionedAdminForm(forms.ModelForm):
    """An admin change form that carries the version the user opened, and refuses a save
    made after someone else changed the record (the lost-update check the pages make, with
    their message). The row stays locked from the check until the admin's save commits:
    the admin wraps the whole change view in one transaction."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        expected = cleaned_data.get("expected_version")
        if self.instance.pk is not None and expected is not None:
            try:
                with transaction.atomic():
                    lock_for_update(self.instance, expected_version=expected)
            except StaleRecord as error:
                raise ValidationError(str(error), code="stale") from None
        return cleaned_data


class VersionCheckedAdmin(admin.ModelAdmin):
    """Mixin for the admin of a versioned record: its change form carries the version."""

    form = VersionedAdminForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and "expected_version" not in flatten_fieldsets(fieldsets):
            fieldsets = [*fieldsets, (None, {"fields": ["expected_version"]})]
        return fieldsets


class ManagedSettingAdmin(VersionCheckedAdmin):
    """Admin of the configuration managers keep in the app too (routing rules, web forms,
    crm.models.VersionedSetting): as on the app's pages a manager changes their teams' ones
    and reads the rest, and a save is a new version, refused when the record changed after
    the page was opened (so neither side overwrites the other)."""

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        # Asked several times per page: once per record and request.
        answers = request.__dict__.setdefault("_manageable", {})
        key = (obj._meta.label, obj.pk)
        if key not in answers:
            manageable = type(obj)._default_manager.manageable_by(request.user)
            answers[key] = manageable.filter(pk=obj.pk).exists()
        return answers[key]

    def save_model(self, request, obj, form, change):
        if change:
            next_version(obj, request.user)
        else:
            obj.stamp(request.user)
        super().save_model(request, obj, form, change)


class OwnedRecordAdmin(ScopedAdmin, VersionCheckedAdmin, SimpleHistoryAdmin):
    """Admin edits stamp the record like a service would (who and the version bump) and are
    refused when the record changed after the user opened it."""

    list_select_related = ["owner_user", "owner_team"]
    readonly_fields = ["version", "created_at", "created_by", "modified_at", "modified_by"]
    autocomplete_fields = ["owner_user", "owner_team"]

    def save_model(self, request, obj, form, change):
        if change:
            next_version(obj, request.user)
        else:
            obj.stamp(request.user)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("owner"))
    def owner_display(self, record):
        return record.owner
