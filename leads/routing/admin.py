from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_base import ManagedSettingAdmin
from crm.admin_extensions import extend_admin
from crm.errors import DomainError
from crm.forms import OwnerChoiceField
from leads.models import Lead
from leads.routing import services
from leads.routing.explain import describe
from leads.routing.forms import RulePreviewForm
from leads.routing.models import (
    AssignmentCondition,
    AssignmentExplanation,
    AssignmentRule,
    DepartingUser,
    RoutingSettings,
)

AUTO = "auto"


class AssignmentConditionInline(admin.TabularInline):
    model = AssignmentCondition
    extra = 1


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ManagedSettingAdmin):
    list_display = [
        "name",
        "priority",
        "is_active",
        "target",
        "distribution",
        "capacity",
        "condition_summary",
    ]
    list_display_links = ["name"]
    # Reordering: edit the priorities in the list and save (lower goes first).
    list_editable = ["priority", "is_active"]
    list_filter = ["is_active", "distribution", "target_team"]
    list_select_related = ["target_user", "target_team"]
    search_fields = ["name"]
    ordering = ["priority", "pk"]
    inlines = [AssignmentConditionInline]
    actions = ["activate", "deactivate", "renumber"]
    change_list_template = "admin/routing/assignmentrule/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "priority", "is_active"]}),
        (
            _("Target"),
            {
                "fields": ["target_user", "target_team", "distribution", "capacity"],
                "description": _(
                    "A user, or a team and how its members share the leads. Away or inactive "
                    "users and inactive memberships are skipped; if nobody can take the lead, "
                    "the next matching rule is tried."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("conditions")

    @admin.display(description=_("conditions"))
    def condition_summary(self, rule):
        return "; ".join(str(c) for c in rule.conditions.all()) or _("(every lead)")

    @admin.action(description=_("Activate the selected rules"))
    def activate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    @admin.action(description=_("Deactivate the selected rules"))
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    def _set_active(self, request, queryset, *, active):
        # Through the in-app service, rule by rule: a new version (an edit opened before is
        # refused), who and when, and a history row saying why; only the rules the user may
        # change (a manager reads the other teams' rules here).
        rules = queryset.filter(pk__in=AssignmentRule.objects.manageable_by(request.user))
        for rule in rules.order_by("priority", "pk"):
            services.set_rule_active(rule=rule, user=request.user, active=active)
        skipped = queryset.count() - rules.count()
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d rule was left as it was: it is not one of your teams' rules.",
                    "%(count)d rules were left as they were: they are not your teams' rules.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Renumber all priorities 10, 20, 30… keeping the order"))
    def renumber(self, request, queryset):
        services.renumber_rules(user=request.user)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="routing_assignmentrule_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """Which rule would match a lead, and who would get it; nothing is assigned."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RulePreviewForm(request.GET or None)
        decision, lead = None, None
        if form.is_bound and form.is_valid():
            lead = form.lead()
            decision = services.preview_routing(lead=lead)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview routing"),
            "form": form,
            "lead": lead,
            "info": describe(decision) if decision else None,
        }
        return TemplateResponse(request, "admin/routing/assignmentrule/preview.html", context)


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "default_owner_user", "default_owner_team"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RoutingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssignmentExplanation)
class AssignmentExplanationAdmin(admin.ModelAdmin):
    """Why each lead went to whom (read-only; written by the routing services)."""

    list_display = ["lead", "kind", "outcome", "rule_name", "owner", "performed_by", "created_at"]
    list_filter = ["kind", "outcome", "rule"]
    list_select_related = ["lead", "owner_user", "owner_team", "performed_by"]
    search_fields = ["lead__topic", "lead__company_name", "lead__last_name", "rule_name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AssignmentExplanation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HandOverForm(forms.Form):
    deactivate = forms.BooleanField(
        label=_("Deactivate these users as well"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here, not on the class: its choices are read from the database.
        self.fields["owner"] = OwnerChoiceField(
            label=_("Give their open leads to"),
            extra_choices=[(AUTO, _("Re-route them by the routing rules"))],
            initial=AUTO,
        )
        self.order_fields(["owner", "deactivate"])


@admin.register(DepartingUser)
class DepartingUserAdmin(admin.ModelAdmin):
    """Hand a departing (or deactivated) user's open leads over in one step."""

    list_display = ["username", "__str__", "is_active", "away_until", "open_leads"]
    list_filter = ["is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    actions = ["hand_over"]

    def get_queryset(self, request):
        # Lead.owner_user has no reverse relation (related_name="+"): count with a subquery.
        open_leads = (
            Lead.objects.open()
            .filter(owner_user=OuterRef("pk"))
            .order_by()
            .values("owner_user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(open_lead_count=Coalesce(Subquery(open_leads), 0))
        )

    @admin.display(description=_("open leads"), ordering="open_lead_count")
    def open_leads(self, user):
        return user.open_lead_count

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Hand over their open leads…"), permissions=["view"])
    def hand_over(self, request, queryset):
        form = HandOverForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            owner = form.cleaned_data["owner"]
            try:
                moved = services.hand_over_open_leads(
                    users=list(queryset),
                    performed_by=request.user,
                    to=None if owner == AUTO else owner,
                    deactivate=form.cleaned_data["deactivate"],
                )
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)s open lead handed over.", "%(n)s open leads handed over.", len(moved)
                    )
                    % {"n": len(moved)},
                    messages.SUCCESS,
                )
            return redirect(reverse("admin:routing_departinguser_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Hand over open leads"),
            "form": form,
            "users": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/routing/departinguser/hand_over.html", context)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_administrator

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_administrator


@admin.action(description=_("Apply routing rules to the selected leads"))
def apply_routing_rules(modeladmin, request, queryset):
    done, refused = services.reroute_leads(leads=list(queryset), user=request.user)
    modeladmin.message_user(
        request,
        ngettext("%(n)s lead re-routed.", "%(n)s leads re-routed.", len(done)) % {"n": len(done)},
        messages.SUCCESS,
    )
    for lead, reason in refused:
        modeladmin.message_user(request, f"{lead}: {reason}", messages.WARNING)


class AssignmentExplanationInline(admin.TabularInline):
    model = AssignmentExplanation
    fk_name = "lead"
    fields = ["created_at", "kind", "outcome", "rule_name", "owner_user", "owner_team"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("why the lead went to whom")

    def has_add_permission(self, request, obj=None):
        return False


# The leads app does not know routing: routing adds its action and inline to the lead admin.
extend_admin(Lead, actions=[apply_routing_rules], inlines=[AssignmentExplanationInline])
