"""A web form's public address and the snippets that put it on a website (the admin and the
Web forms page show the same)."""

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from capture.forms import HONEYPOT_FIELD, lead_form_class


def public_url(web_form):
    return f"{settings.SITE_URL}{reverse('capture:form', args=[web_form.key])}"


def iframe_markup(web_form):
    return format_html(
        '<iframe src="{}" title="{}" width="100%" height="640" loading="lazy"></iframe>',
        public_url(web_form),
        web_form.title or web_form.name,
    )


def form_markup(web_form):
    """The form's own HTML, to style on one's site: the fields and the hidden empty one."""
    form = lead_form_class(web_form)()
    rows = format_html_join("\n", "  <p>{} {}</p>", ((field.label_tag(), field) for field in form))
    return format_html(
        '<form method="post" action="{}">\n{}\n'
        '  <p hidden><label>{} <input type="text" name="{}" tabindex="-1" '
        'autocomplete="off"></label></p>\n'
        '  <button type="submit">{}</button>\n</form>',
        public_url(web_form),
        rows,
        gettext("Leave this field empty"),
        HONEYPOT_FIELD,
        gettext("Send"),
    )
