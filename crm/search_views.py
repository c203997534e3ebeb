"""The global search's pages: the top bar's type-ahead (`search_suggest`, an HTML fragment)
and the results page (`search`, a tab per kind with counts and paging). What is searched and
how: crm.global_search."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm import global_search
from crm.lib.pagination import ListPaginator
from crm.replica import reads_from_replica
from crm.search_index import SearchIndex

PER_PAGE = 25


def _query(request):
    return request.GET.get("q", "").strip()[: global_search.MAX_QUERY]


@require_GET
def search_suggest(request):
    """Best matches per kind for the typed text (at least MIN_LENGTH characters)."""
    text = _query(request)
    found = global_search.suggest(request.user, text)
    return render(request, "crm/search/_suggest.html", {"q": text, **found})


def _results(request, terms, specs, counts, *, close):
    """(the open tab's kind, its page, its hits, close, counts): the tab asked for, else the
    first kind with matches."""
    chosen = request.GET.get("kind", "")
    if chosen not in counts:
        chosen = next((spec.kind for spec in specs if counts[spec.kind]), specs[0].kind)
    spec = global_search.KINDS[chosen]
    records = spec.matching(request.user, terms, close=close)
    paginator = ListPaginator(
        records,
        PER_PAGE,
        cap=global_search.CLOSE_COUNT_CAP if close else global_search.COUNT_CAP,
        decorate=lambda rows: (
            rows.select_related(*spec.select_related) if spec.select_related else rows
        ),
    )
    # Counted already with the same cap and filter: the paginator need not count again.
    paginator.__dict__["count"] = counts[chosen]
    page = paginator.get_page(
        request.GET.get("page"), after=request.GET.get("after"), before=request.GET.get("before")
    )
    hits = [global_search.hit(record, spec, terms) for record in page.object_list]
    return spec, page, hits, close, counts


@require_GET
@reads_from_replica
def search(request):
    text = _query(request)
    terms = global_search.terms_of(text)
    specs = global_search.kinds()
    context = {"q": text, "search_query": text, "specs": specs, "cap": global_search.COUNT_CAP}
    if not terms:
        return render(request, "crm/search/results.html", {**context, "tabs": []})
    counts = global_search.counts(request.user, terms)
    if any(counts.values()):
        found = _results(request, terms, specs, counts, close=False)
    else:
        with SearchIndex.close_match_settings():
            fuzzy = global_search.counts(request.user, terms, close=True) or {}
            if any(fuzzy.values()):
                found = _results(request, terms, specs, fuzzy, close=True)
            else:
                found = _results(request, terms, specs, counts, close=False)
    spec, page, hits, close, counts = found
    cap = global_search.CLOSE_COUNT_CAP if close else global_search.COUNT_CAP
    tabs = [(each, counts[each.kind], counts[each.kind] > cap) for each in specs]
    return render(
        request,
        "crm/search/results.html",
        {**context, "tabs": tabs, "active": spec, "page": page, "hits": hits, "close": close,
         "total": sum(counts.values()), "cap": cap},
    )  # fmt: skip
