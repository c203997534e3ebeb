from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_base import ManagedSettingAdmin, VersionedAdminForm
from capture import embed
from capture.forms import WebFormAdminForm, key_help_text
from capture.models import Submission, WebForm


class WebFormAdminChangeForm(VersionedAdminForm, WebFormAdminForm):
    """The admin's form: the Web forms page's fields, with the admin's lost-update check."""


@admin.register(WebForm)
class WebFormAdmin(ManagedSettingAdmin):
    form = WebFormAdminChangeForm
    list_display = ["name", "is_active", "source", "campaign", "created_by", "public_link"]
    list_filter = ["is_active", "source", "campaign"]
    search_fields = ["name", "key"]
    autocomplete_fields = ["created_by"]
    fieldsets = [
        (None, {"fields": ["name", "key", "is_active", "language", "title", "introduction"]}),
        (_("Fields"), {"fields": ["fields", "required_fields"]}),
        (_("The leads it creates"), {"fields": ["source", "campaign", "created_by"]}),
        (_("After submitting"), {"fields": ["thank_you_url", "thank_you_message"]}),
        (_("Embedding"), {"fields": ["allowed_origins"]}),
        (_("Consent"), {"fields": ["ask_consent", "consent_text"]}),
    ]
    publish_fieldset = (
        _("Put it on your website"),
        {"fields": ["public_url", "preview_link", "embed_iframe", "embed_form"]},
    )
    readonly_fields = ["public_url", "preview_link", "embed_iframe", "embed_form"]

    def get_fieldsets(self, request, obj=None):
        # The address and snippets exist once the form is saved (its key is then fixed).
        return [*self.fieldsets, self.publish_fieldset] if obj else self.fieldsets

    def get_changeform_initial_data(self, request):
        # A new form creates its leads as the administrator setting it up, unless changed.
        return {"created_by": request.user.pk, **super().get_changeform_initial_data(request)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "key" in form.base_fields:  # not when the user may view, not change
            form.base_fields["key"].help_text = key_help_text()
        return form

    absolute_url = staticmethod(embed.public_url)

    @admin.display(description=_("public address"))
    def public_link(self, web_form):
        url = reverse("capture:form", args=[web_form.key])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=_("public URL"))
    def public_url(self, web_form):
        return format_html('<code data-testid="public-url">{}</code>', self.absolute_url(web_form))

    @admin.display(description=_("preview"))
    def preview_link(self, web_form):
        url = reverse("capture:form", args=[web_form.key])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" data-testid="preview-link">{}</a>',
            url,
            gettext("Open the form as visitors see it"),
        )

    @admin.display(description=_("embed as an iframe"))
    def embed_iframe(self, web_form):
        snippet = embed.iframe_markup(web_form)
        return self._snippet(
            snippet,
            "embed-iframe",
            gettext("Your website must be listed under allowed origins to show it."),
        )

    @admin.display(description=_("embed as HTML form markup"))
    def embed_form(self, web_form):
        snippet = embed.form_markup(web_form)
        return self._snippet(
            snippet,
            "embed-form",
            gettext("Style it as you like; keep the field names and the hidden empty field."),
        )

    @staticmethod
    def _snippet(markup, testid, note):
        # Shown as text to copy (escaped once more), never rendered.
        return format_html(
            '<pre class="embed-snippet" data-testid="{}"><code>{}</code></pre>'
            '<p class="help">{}</p>',
            testid,
            escape(markup),  # escape() escapes safe strings too
            note,
        )


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
