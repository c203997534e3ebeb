from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm import services
from crm.forms import InviteUserForm
from crm.models import Membership, Share, Team, User
from crm.signals import user_deactivated


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
                self._warn_about_deactivation(request, obj)
        else:
            services.invite_user(user=obj, invited_by=request.user)
            messages.info(
                request, _("An invitation was sent to %(email)s.") % {"email": obj.email}
            )

    def _warn_about_deactivation(self, request, user):
        """What other apps say about a user going inactive (crm.signals.user_deactivated:
        routing warns about the open leads they still own)."""
        responses = user_deactivated.send(sender=User, user=user, by=request.user)
        for _receiver, warning in responses:
            if warning:
                self.message_user(request, warning, messages.WARNING)

    @admin.action(description=_("Send the invitation e-mail again"))
    def send_invitation(self, request, queryset):
        sent = 0
        for user in queryset.exclude(email=""):
            services.send_invitation(user=user, invited_by=request.user)
            sent += 1
        self.message_user(
            request, ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent
        )


# The background tasks' admin (failed and stale tasks, Retry): its own module, one idea.


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    """Who has been given access to which record, read-only: shares are made and ended on the
    record's own page (its owner, their manager or an administrator), where the history is
    written."""

    list_display = ("record_label", "target", "access", "granted_by", "granted_at", "revoked_at")
    list_filter = ("access", "content_type", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("content_type", "user", "team", "granted_by")
    date_hierarchy = "granted_at"

    @admin.display(description=_("record"))
    def record_label(self, share):
        return f"{share.content_type.name} #{share.object_id}"

    @admin.display(description=_("shared with"))
    def target(self, share):
        return share.target

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from crm import admin_tasks  # noqa: E402, F401
