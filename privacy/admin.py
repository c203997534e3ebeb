from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.admin_base import VersionCheckedAdmin
from crm.services import next_version
from privacy import retention
from privacy.models import RetentionPolicy

# The dry-run page lists this many leads per rule; the command lists them all.
DRY_RUN_ROWS = 100


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(VersionCheckedAdmin):
    """The organisation's retention rules (administrators only: no group is given them). A
    rule is created disabled; its dry run lists what it would anonymise before anyone
    enables it."""

    list_display = [
        "name",
        "target",
        "months",
        "is_enabled",
        "last_applied_at",
        "last_applied_count",
    ]
    list_filter = ["is_enabled", "target"]
    search_fields = ["name"]
    actions = ["dry_run"]
    fields = ["name", "target", "months", "action", "is_enabled"]
    readonly_fields = ["last_applied_at", "last_applied_count"]
    change_form_template = "admin/privacy/retentionpolicy/change_form.html"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, *self.readonly_fields] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            next_version(obj, request.user)
        else:
            obj.stamp(request.user)
        super().save_model(request, obj, form, change)

    @admin.action(
        description=_("Dry run: list what the selected rules would anonymise now"),
        permissions=["change"],
    )
    def dry_run(self, request, queryset):
        return self._dry_run_page(request, list(queryset.order_by("name", "pk")))

    def get_urls(self):
        dry_run = self.admin_site.admin_view(require_GET(self.dry_run_view))
        return [
            path("<int:pk>/dry-run/", dry_run, name="privacy_retentionpolicy_dry_run"),
            *super().get_urls(),
        ]

    def dry_run_view(self, request, pk):
        """One rule's dry run: what it would anonymise now; nothing is changed."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        return self._dry_run_page(request, [get_object_or_404(RetentionPolicy, pk=pk)])

    def _dry_run_page(self, request, policies):
        reports = [
            retention.dry_run(policy, limit=DRY_RUN_ROWS, user=request.user) for policy in policies
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Dry run"),
            "reports": reports,
        }
        return TemplateResponse(request, "admin/privacy/retentionpolicy/dry_run.html", context)
