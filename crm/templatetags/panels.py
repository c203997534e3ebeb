"""`{% load panels %}{% record_panels record %}`: the panels other apps registered for the
record's model (crm/panels.py), in order."""

from django import template
from django.utils.safestring import mark_safe

from crm.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context, record, slot="main"):
    """Render each panel's partial with the context its app gives it (as an inclusion tag
    would: its own context, the page's csrf_token passed on)."""
    parts = []
    for panel in panels_for(record, slot):
        if panel.context is None:
            values = {"record": record, "request": context.get("request")}
        else:
            values = panel.context(context, record)
            if values is None:
                continue
        values.setdefault("csrf_token", context.get("csrf_token"))
        partial = context.template.engine.get_template(panel.template)
        parts.append(partial.render(context.new(values)))
    return mark_safe("".join(parts))
