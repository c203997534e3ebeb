"""`{% load timeline %}{% timeline record %}` drops a record's timeline into any detail page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from activities.timeline import panel_context, panel_id
from crm.templatetags.readable import dialled_number

register = template.Library()


@register.inclusion_tag("activities/_timeline.html", takes_context=True)
def timeline(context, record):
    """`record`'s timeline with the filter bar and the quick-add buttons: the first page, or
    the filter and page the record page's URL names (`?timeline=note&timeline_page=2`, what
    the filter links push into the address bar, so a reload or a shared link keeps them).

    The page's view has already checked that the user sees `record`."""
    request = context["request"]
    page = request.GET.get("timeline_page", "")
    panel = panel_context(
        record,
        request.user,
        kind=request.GET.get("timeline", ""),
        page=int(page) if page.isdigit() else 1,
    )
    panel["request"] = request
    panel["csrf_token"] = context.get("csrf_token")
    return panel


@register.filter
def editable_work_of(author_id, user):
    """`{{ note.created_by_id|editable_work_of:request.user }}`: may the user change it?"""
    return user.can_edit_work_of(author_id)


@register.simple_tag
def call_button(record, phone, person=""):
    """`{% call_button lead lead.mobile_phone lead.full_name %}`: a "Call" button that dials
    `phone` (a `tel:` link) and, with static/js/crm.js, opens the record's "Log a call" form
    with the number, the person and the start time filled in, for the outcome after hanging
    up. Nothing for no number."""
    number = dialled_number(phone)
    if not number:
        return ""
    if getattr(record, "can_add", True) is False:
        # A record the user only reads: the number still dials, no call is logged on it.
        return format_html(
            '<a class="btn btn-sm btn-outline-success ms-1" href="tel:{}" data-testid='
            '"call-button">{}<span class="visually-hidden"> {}</span></a>',
            number,
            _("Call"),
            str(phone).strip(),
        )
    log_url = reverse(
        "activities:quick_add", args=[record._meta.label_lower, record.pk, "phone_call"]
    )
    query = urlencode({"phone": str(phone).strip(), "person": person or ""})
    return format_html(
        '<a class="btn btn-sm btn-outline-success ms-1" href="tel:{}" data-call-log="{}?{}"'
        ' data-call-target="#{}-form" data-testid="call-button">{}<span class="visually-hidden">'
        " {}</span></a>",
        number,
        log_url,
        query,
        panel_id(record),
        _("Call"),
        str(phone).strip(),
    )


@register.simple_tag
def timeline_panel_id(record):
    """`{% timeline_panel_id lead as panel %}`: the id of `record`'s timeline panel, so a
    button elsewhere on the page can open a quick-add form in it (`#{{ panel }}-form`)."""
    return panel_id(record)
