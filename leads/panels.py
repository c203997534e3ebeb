"""The leads panel of account, contact and opportunity pages (crm/panels.py): those apps sit
below leads, so leads adds it to their pages."""

from leads.selectors import record_leads as record_leads_context


def record_leads(context, record):
    """The record's originating and linked leads, with link and unlink for accounts and
    contacts. The page's view has already checked that the user sees `record`."""
    request = context["request"]
    panel = record_leads_context(record, request.user)
    panel["request"] = request
    panel["csrf_token"] = context.get("csrf_token")
    return panel
