from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from capture.forms import WebFormAdminForm
from capture.models import Submission, WebForm


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    form = WebFormAdminForm
    list_display = ["name", "is_active", "source", "campaign", "created_by", "public_link"]
    list_filter = ["is_active", "source", "campaign"]
    search_fields = ["name", "key"]
    autocomplete_fields = ["created_by"]
    fieldsets = [
        (None, {"fields": ["name", "key", "is_active", "title", "introduction"]}),
        (_("Fields"), {"fields": ["fields", "required_fields"]}),
        (_("The leads it creates"), {"fields": ["source", "campaign", "created_by"]}),
        (_("After submitting"), {"fields": ["thank_you_url", "thank_you_message"]}),
        (_("Embedding"), {"fields": ["allowed_origins"]}),
    ]

    @admin.display(description=_("public address"))
    def public_link(self, web_form):
        url = reverse("capture:form", args=[web_form.key])
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["submitted_at", "web_form", "lead", "utm_source", "utm_campaign"]
    list_filter = ["web_form", "utm_source", "utm_medium"]
    date_hierarchy = "submitted_at"
    readonly_fields = [field.name for field in Submission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
