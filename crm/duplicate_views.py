"""The "Possible duplicates" pages and record panel of any registered kind, fed by the
stored pairs (crm/duplicate_finder.py). The higher app wires them in its urls and ready()
with its own merge page's URL name (crm never reverses a higher app)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm import duplicate_finder
from crm.errors import DomainError
from crm.lib.http import safe_next
from crm.lib.pagination import ListPaginator, page_size


def _label(record, name):
    if name == "owner":  # the owner_user / owner_team property
        return _("owner")
    return record._meta.get_field(name).verbose_name


def _rows(pairs, finder):
    """Each pair with its two records' names and key fields side by side."""
    rows = []
    for pair in pairs:
        fields = [
            (
                _label(pair.record, name),
                getattr(pair.record, name) or "",
                getattr(pair.other, name) or "",
            )
            for name in finder.shows
        ]
        rows.append(
            {
                "pair": pair,
                "fields": fields,
                "record_name": finder.title(pair.record),
                "other_name": finder.title(pair.other),
            }
        )
    return rows


DUPLICATES_COUNT_CAP = 1000


DISMISSED = "dismissed"  # ?view=dismissed: the pairs marked "Not a duplicate"


@require_GET
def duplicates_page(request, *, model, merge_url, list_url, title):
    """Open pairs whose two records the user sees, newest first, paginated; with
    ?view=dismissed the dismissed ones, newest dismissal first, each with Restore for who
    dismissed it or an administrator."""
    finder = duplicate_finder.finder_for(model)
    dismissed = request.GET.get("view") == DISMISSED
    if dismissed:
        pairs = duplicate_finder.dismissed_pairs_visible_to(request.user, model)
    else:
        pairs = duplicate_finder.pairs_visible_to(request.user, model)
    # Counted up to 1,000 ("1,000+"): each pair counted is two visibility checks.
    paginator = ListPaginator(pairs, page_size(request), cap=DUPLICATES_COUNT_CAP)
    page = paginator.get_page(
        request.GET.get("page"), after=request.GET.get("after"), before=request.GET.get("before")
    )
    shown = duplicate_finder.with_records(request.user, model, page.object_list)
    for pair in shown:
        pair.can_restore = dismissed and duplicate_finder.may_restore(request.user, pair)
    return render(
        request,
        "crm/duplicates.html",
        {
            "title": title,
            "page": page,
            "rows": _rows(shown, finder),
            "dismissed": dismissed,
            "merge_url": reverse(merge_url),
            "list_url": reverse(list_url),
        },
    )


@require_POST
def dismiss_duplicate(request, pk, *, model, page_url):
    """ "Not a duplicate": only a pair whose two records the user sees (404 otherwise)."""
    pair = duplicate_finder.pairs_visible_to(request.user, model).filter(pk=pk).first()
    if pair is None:
        raise Http404
    try:
        duplicate_finder.dismiss_pair(user=request.user, pair=pair)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked as not a duplicate."))
    return redirect(safe_next(request, reverse(page_url)))


@require_POST
def restore_duplicate(request, pk, *, model, page_url):
    """Undo "Not a duplicate": a dismissed pair whose two records the user sees (404
    otherwise), by who dismissed it or an administrator."""
    pair = duplicate_finder.dismissed_pairs_visible_to(request.user, model).filter(pk=pk).first()
    if pair is None:
        raise Http404
    try:
        duplicate_finder.restore_pair(user=request.user, pair=pair)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The pair is back in the possible duplicates."))
    return redirect(safe_next(request, reverse(page_url) + f"?view={DISMISSED}"))


def duplicates_panel(merge_url):
    """The record panel's context function: "Possible duplicates (N)", hidden when none."""

    def context(template_context, record):
        request = template_context.get("request")
        if request is None or getattr(record, "merged_into_id", None):
            return None
        pairs = list(duplicate_finder.pairs_of(request.user, record)[:10])
        if not pairs:
            return None
        model = type(record)
        finder = duplicate_finder.finder_for(model)
        # The page's own record in the same query: whether the user may edit it too.
        others = duplicate_finder.with_access(request.user, model).in_bulk(
            {record.pk}
            | {pair.other_id if pair.record_id == record.pk else pair.record_id for pair in pairs}
        )
        own = others.get(record.pk)
        shown = []
        for pair in pairs:
            other = others.get(pair.other_id if pair.record_id == record.pk else pair.record_id)
            if other is not None:
                shown.append(
                    {
                        "pair": pair,
                        "other": other,
                        "other_name": finder.title(other),
                        "can_edit": bool(own and own.can_edit and other.can_edit),
                    }
                )
        if not shown:
            return None
        return {
            "record": record,
            "rows": shown,
            "merge_url": reverse(merge_url),
            "request": request,
        }

    return context
