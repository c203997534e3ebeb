"""`{% load timeline %}{% timeline record %}` drops a record's timeline into any detail page."""

from django import template

from activities.timeline import panel_context

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
