"""`{% load lists %}{% sort_header "name" _("Name") param="ordering" default="name" %}`: a list's
column header that sorts by its column: a link to the list sorted by `key` (ascending, or
descending when it already is), the page and keyset cursors dropped, the other filters kept,
and `aria-sort` on the current sort's header (`default` when the URL names none)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key, label, param="sort", default="", css=""):
    query = context["request"].GET.copy()
    current = query.get(param) or default
    for name in ("page", "after", "before"):
        query.pop(name, None)
    state, mark = {key: ("ascending", "\u00a0▲"), f"-{key}": ("descending", "\u00a0▼")}.get(
        current, (None, "")
    )
    query[param] = f"-{key}" if state == "ascending" else key
    return format_html(
        '<th{}{}><a href="?{}">{}{}</a></th>',
        format_html(' class="{}"', css) if css else "",
        format_html(' aria-sort="{}"', state) if state else "",
        query.urlencode(),
        label,
        mark,
    )
