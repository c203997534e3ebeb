"""`{% load timeline %}{% timeline record %}` drops a record's timeline into any detail page."""

from django import template

from activities.timeline import panel_context

register = template.Library()


@register.inclusion_tag("activities/_timeline.html", takes_context=True)
def timeline(context, record):
    """The first page of `record`'s timeline with the filter bar and the quick-add buttons.

    The page's view has already checked that the user sees `record`."""
    request = context["request"]
    panel = panel_context(record, request.user)
    panel["request"] = request
    panel["csrf_token"] = context.get("csrf_token")
    return panel
