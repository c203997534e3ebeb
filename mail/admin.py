from django.contrib import admin

from mail.models import EmailTemplate, OutgoingEmail


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
