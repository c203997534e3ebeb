from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm import services
from crm.forms import InviteUserForm
from crm.models import Membership, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "role", "is_active", "joined_at"]


class UserMembershipInline(MembershipInline):
    autocomplete_fields = ["team"]
    fields = ["team", "role", "is_active", "joined_at"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "member_count"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    @admin.display(description=_("active members"))
    def member_count(self, team):
        return team.memberships.filter(is_active=True).count()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = InviteUserForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "first_name", "last_name"],
                "description": _(
                    "The new user gets an e-mail with a link to choose their password."
                ),
            },
        ),
    )
    fieldsets = BaseUserAdmin.fieldsets + ((_("CRM"), {"fields": ["time_zone", "away_until"]}),)
    list_display = ["username", "email", "first_name", "last_name", "is_active", "away_until"]
    list_filter = ["is_active", "is_staff", "groups", "teams"]
    inlines = [UserMembershipInline]
    actions = ["send_invitation"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if not obj.is_active:
                self._warn_about_open_leads(request, obj)
        else:
            services.invite_user(user=obj, invited_by=request.user)
            messages.info(
                request, _("An invitation was sent to %(email)s.") % {"email": obj.email}
            )

    def _warn_about_open_leads(self, request, user):
        """An inactive owner's open leads are stuck with nobody to work them: say how many
        and link to the hand-over (leads.routing's "Hand over open leads" admin)."""
        from leads.models import Lead  # crm is the base app: import the leads app lazily

        count = Lead.objects.open().filter(owner_user=user).count()
        if not count:
            return
        link = (
            reverse("admin:routing_departinguser_changelist")
            + "?"
            + urlencode({"is_active__exact": "0", "q": user.username})
        )
        text = ngettext(
            "%(user)s is inactive and still owns %(count)s open lead.",
            "%(user)s is inactive and still owns %(count)s open leads.",
            count,
        ) % {"user": user, "count": count}
        self.message_user(
            request,
            format_html('{} <a href="{}">{}</a>', text, link, _("Hand their open leads over…")),
            messages.WARNING,
        )

    @admin.action(description=_("Send the invitation e-mail again"))
    def send_invitation(self, request, queryset):
        sent = 0
        for user in queryset.exclude(email=""):
            services.send_invitation(user=user, invited_by=request.user)
            sent += 1
        self.message_user(
            request, ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent
        )
