"""`{% load lead_links %}{% record_leads account %}`: the leads panel of an account, contact
or opportunity page on its own. The pages show it as a record panel (leads/panels.py)."""

from django import template

from leads import panels

register = template.Library()

record_leads = register.inclusion_tag("leads/_record_leads.html", takes_context=True)(
    panels.record_leads
)
