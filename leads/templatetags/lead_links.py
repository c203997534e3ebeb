"""`{% load lead_links %}{% record_leads account %}`: the leads panel of an account, contact
or opportunity page, so those apps' templates show leads without their code importing leads."""

from django import template

from leads.selectors import record_leads as record_leads_context

register = template.Library()


@register.inclusion_tag("leads/_record_leads.html", takes_context=True)
def record_leads(context, record):
    """The record's originating and linked leads, with link and unlink for accounts and
    contacts. The page's view has already checked that the user sees `record`."""
    request = context["request"]
    panel = record_leads_context(record, request.user)
    panel["request"] = request
    panel["csrf_token"] = context.get("csrf_token")
    return panel
