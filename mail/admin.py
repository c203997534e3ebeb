from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.errors import DomainError
from mail import receiving
from mail.models import BlockedSender, EmailTemplate, IncomingEmail, OutgoingEmail


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "subject"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Read only: what was sent, to whom, and whether it went."""

    list_display = ["subject", "to_addresses", "status", "queued_at", "sent_at", "sent_by"]
    list_filter = ["status"]
    search_fields = ["subject", "to_addresses", "message_id"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    exclude = ["attachments"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IncomingEmail)
class IncomingEmailAdmin(admin.ModelAdmin):
    """Every message received, refused ones among them with the reason; read only. A refused
    message that was not junk is made into a lead here (an action), and a sender blocked."""

    list_display = [
        "received_at",
        "from_address",
        "subject",
        "outcome",
        "reason",
        "lead_link",
        "activity_link",
    ]
    list_filter = ["outcome", "reason", "via"]
    search_fields = ["subject", "from_address", "from_name", "message_id"]
    date_hierarchy = "received_at"
    fields = [
        "received_at",
        "via",
        "message_id",
        "from_name",
        "from_address",
        "to_addresses",
        "subject",
        "sent_at",
        "size",
        "outcome",
        "reason",
        "problems",
        "lead_link",
        "activity_link",
        "handled_by",
        "body",
    ]
    readonly_fields = fields
    actions = ["make_leads", "block_senders"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The lead and logged-on columns: a few queries for the page, not a few per row.
        return (
            super()
            .get_queryset(request)
            .select_related("lead", "activity")
            .prefetch_related("activity__regarding")
        )

    @admin.display(description=_("lead"))
    def lead_link(self, email):
        if email.lead_id is None:
            return ""
        return format_html('<a href="{}">{}</a>', email.lead.get_absolute_url(), email.lead)

    @admin.display(description=_("logged on"))
    def activity_link(self, email):
        record = email.activity.regarding if email.activity_id else None
        if record is None:
            return ""
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record)

    @admin.action(description=_("Make the selected refused messages into leads"))
    def make_leads(self, request, queryset):
        made = 0
        skipped = queryset.exclude(outcome=IncomingEmail.Outcome.REFUSED).count()
        for email in queryset.filter(outcome=IncomingEmail.Outcome.REFUSED):
            try:
                receiving.make_lead(incoming=email, user=request.user)
            except DomainError as error:
                self.message_user(
                    request, f"{email.from_address or email.message_id}: {error}", messages.ERROR
                )
                continue
            made += 1
        text = ngettext("%(count)d lead made.", "%(count)d leads made.", made) % {"count": made}
        if skipped:
            text += " " + ngettext(
                "%(count)d message was not refused and stays as it is.",
                "%(count)d messages were not refused and stay as they are.",
                skipped,
            ) % {"count": skipped}
        self.message_user(request, text, messages.SUCCESS if made else messages.WARNING)

    @admin.action(description=_("Block the senders of the selected messages"))
    def block_senders(self, request, queryset):
        added = 0
        for address in set(
            queryset.exclude(from_address="").values_list("from_address", flat=True)
        ):
            _blocked, created = BlockedSender.objects.get_or_create(
                pattern=address.lower(), defaults={"note": _("Blocked from a received message.")}
            )
            added += created
        self.message_user(
            request,
            ngettext("%(count)d sender blocked.", "%(count)d senders blocked.", added)
            % {"count": added},
        )


@admin.register(BlockedSender)
class BlockedSenderAdmin(admin.ModelAdmin):
    list_display = ["pattern", "note", "created_at"]
    search_fields = ["pattern", "note"]
