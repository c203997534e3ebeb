from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_base import VersionCheckedAdmin, VersionedAdminForm
from crm.admin_extensions import ExtensibleAdmin
from crm.admin_scope import ScopedAdmin
from crm.history import Reason
from leads import services
from leads.models import (
    Campaign,
    Lead,
    LeadSource,
    LeadStatusChange,
    Qualification,
    QualificationSettings,
    Status,
)


@admin.register(LeadSource)
class LeadSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "start_date", "end_date", "budget", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    date_hierarchy = "start_date"


@admin.register(QualificationSettings)
class QualificationSettingsAdmin(admin.ModelAdmin):
    """One row: the admin shows it as a single settings form."""

    list_display = ["__str__", "create_account", "create_contact", "create_opportunity"]

    def has_add_permission(self, request):
        return not QualificationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    """The status log is append-only: shown, never edited here."""

    model = LeadStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_state", "from_status", "to_state", "to_status", "changed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "performed_at",
        "performed_by",
        "account",
        "created_account",
        "contact",
        "created_contact",
        "opportunity",
        "created_opportunity",
        "source_campaign",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class LeadAdminForm(VersionedAdminForm):
    def validate_constraints(self):
        # A new lead without an owner is routed (see save_model): the owner is set before
        # the insert, so the exactly-one-owner constraint is not checked on the form.
        exclude = self._get_validation_exclusions()
        if self.instance._state.adding:
            exclude |= {"owner_user", "owner_team"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Lead)
class LeadAdmin(ScopedAdmin, ExtensibleAdmin, VersionCheckedAdmin, SimpleHistoryAdmin):
    """Other apps add actions and inlines (crm/admin_extensions.py: routing's)."""

    form = LeadAdminForm
    list_display = [
        "__str__",
        "last_name",
        "company_name",
        "email",
        "state",
        "status",
        "source",
        "owner_user",
        "owner_team",
        "created_at",
    ]
    list_filter = ["state", "status", "source", "campaign", "rating", "owner_team"]
    search_fields = ["topic", "first_name", "last_name", "company_name", "email"]
    list_select_related = ["source", "owner_user", "owner_team"]
    autocomplete_fields = ["existing_account", "existing_contact"]
    readonly_fields = ["state", "status", "created_by", "created_at", "modified_at", "version"]
    inlines = [QualificationInline, StatusChangeInline]
    base_actions = ["qualify_with_defaults", "disqualify_as_canceled"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        # New leads go through the create service like every other entry path; edits are
        # versioned and refused for closed leads.
        if change:
            services.update_lead(
                lead=obj,
                user=request.user,
                data={name: getattr(obj, name) for name in form.changed_data},
            )
        else:
            # No owner picked: the routing rules choose (leads.routing receives lead_creating).
            owner = obj.owner
            services.create_lead(
                lead=obj, created_by=request.user, owner=owner, route=owner is None
            )

    def has_delete_permission(self, request, obj=None):
        # Qualified and disqualified leads are never deleted, by anyone (the reports count
        # them): the delete view and the "delete selected" action are refused for them.
        if obj is not None and services.lead_deletion_refusal(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.delete_lead(lead=obj, user=request.user, reason=Reason.DELETED_IN_ADMIN)

    @transaction.atomic  # all the selected leads, or none
    def delete_queryset(self, request, queryset):
        for lead in queryset:
            self.delete_model(request, lead)

    def get_urls(self):
        deleted = self.admin_site.admin_view(self.deleted_view)
        return [path("deleted/", deleted, name="leads_lead_deleted"), *super().get_urls()]

    def deleted_view(self, request):
        """The leads deleted by mistake: who deleted each, when and why (their history's
        last row), newest first."""
        if not request.user.has_perm("leads.delete_lead"):
            raise PermissionDenied
        rows = (
            Lead.history.filter(history_type="-")
            .select_related("history_user")
            .order_by("-history_date")[:200]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Deleted leads"),
            "rows": rows,
        }
        return TemplateResponse(request, "admin/leads/deleted_leads.html", context)

    def _report(self, request, done, refused, text):
        self.message_user(request, text % {"n": len(done)}, messages.SUCCESS)
        for lead, reason in refused:
            self.message_user(request, f"{lead}: {reason}", messages.WARNING)

    @admin.action(description=_("Qualify with the default options"))
    def qualify_with_defaults(self, request, queryset):
        done, refused = services.qualify_leads(leads=queryset, user=request.user)
        self._report(
            request,
            done,
            refused,
            ngettext("%(n)s lead qualified.", "%(n)s leads qualified.", len(done)),
        )

    @admin.action(description=_("Disqualify (Canceled)"))
    def disqualify_as_canceled(self, request, queryset):
        done, refused = services.disqualify_leads(
            leads=queryset, user=request.user, status=Status.CANCELED
        )
        self._report(
            request,
            done,
            refused,
            ngettext("%(n)s lead disqualified.", "%(n)s leads disqualified.", len(done)),
        )
