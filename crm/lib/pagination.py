"""Pages of a big list: a count that stops at a cap, the page's ids read first and only those
rows decorated (joins, per-row annotations), a real last page, and keyset pages.

A list of a million rows costs what its page costs: counting stops at `cap` ("10,000+", as
Dynamics and Salesforce say), OFFSET skips index entries rather than joined and annotated
rows, and `?after=<id>` / `?before=<id>` continue from a row without skipping any.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property

LAST = "last"
# The page sizes a list offers (?per_page=); the first is the default.
PAGE_SIZES = (25, 50, 100)


def list_count_cap():
    """Counts stop above this many rows (setting LIST_COUNT_CAP, default 10,000)."""
    return settings.LIST_COUNT_CAP


def page_size(request):
    """The rows a page of the list shows: ?per_page= when it is one of PAGE_SIZES."""
    value = request.GET.get("per_page", "")
    return int(value) if value.isdigit() and int(value) in PAGE_SIZES else PAGE_SIZES[0]


def list_page(request, queryset, *, decorate=None):
    """The page of `queryset` (filtered and ordered) the request asks for: ?page= (a number or
    "last"), ?after= / ?before= (keyset), ?per_page=; `decorate` as ListPaginator's."""
    paginator = ListPaginator(queryset, page_size(request), decorate=decorate)
    return paginator.get_page(
        request.GET.get("page"), after=request.GET.get("after"), before=request.GET.get("before")
    )


def board_column(cards, per_page, *, decorate, totals, after=None):
    """A board column: the first page of `cards` (or the page after the card `after`, its
    "Show more"), the count capped as a list's, and `totals` (aggregate expressions by name)
    summed while the count is under the cap (None above it: a sum would read every row)."""
    paginator = ListPaginator(cards, per_page, decorate=decorate)
    page = paginator.get_page(1, after=after)
    sums = dict.fromkeys(totals)
    if not paginator.capped:
        sums = cards.order_by().aggregate(**totals)
    return {"page": page, "count": paginator.shown_count, "capped": paginator.capped, **sums}


class ListPage(Page):
    """A page that knows its neighbours without a total: `cursor_first` / `cursor_last` are
    the ids the keyset links continue from; `number` is None when not known (a keyset page
    beyond the counted rows)."""

    def __init__(self, rows, number, paginator, *, has_next, has_previous):
        super().__init__(rows, number, paginator)
        self._has_next, self._has_previous = has_next, has_previous

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self._has_previous

    def next_page_number(self):
        return self.number + 1 if self.number else None

    def previous_page_number(self):
        return self.number - 1 if self.number else None

    @property
    def cursor_first(self):
        return self.object_list[0].pk if self.object_list else None

    @property
    def cursor_last(self):
        return self.object_list[-1].pk if self.object_list else None

    @property
    def is_last(self):
        return not self._has_next

    # Next and Previous continue from a row when the page they open is deep (past the counted
    # rows) or this page's number is not known; shallow pages keep their numbers.
    @property
    def next_uses_keyset(self):
        return self.number is None or self.paginator.is_deep(self.number + 1)

    @property
    def previous_uses_keyset(self):
        return self.number is None or self.paginator.is_deep(self.number - 1)


def count_up_to(queryset, limit):
    """Rows of `queryset`, counted no further than `limit`: a visibility-filtered queryset
    counts each branch of the filter by its index (OwnedQuerySet.count_up_to)."""
    if hasattr(queryset, "count_up_to"):
        return queryset.count_up_to(limit)
    return queryset.order_by().values("pk")[:limit].count()


class ListPaginator(Paginator):
    """`object_list` is the filtered, ordered queryset; `decorate(queryset)` adds what the
    rows show (select_related, annotations) and is applied to the page's ids only. Without
    it the rows are read through `object_list` itself (its joins and prefetches)."""

    def __init__(self, object_list, per_page, *, decorate=None, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.decorate = decorate
        self.cap = list_count_cap() if cap is None else cap

    @cached_property
    def count(self):
        """Rows, counted up to cap + 1 (a subquery with LIMIT): over the cap it is `capped`."""
        return count_up_to(self.object_list, self.cap + 1)

    @property
    def capped(self):
        return self.count > self.cap

    @property
    def shown_count(self):
        return min(self.count, self.cap)

    def is_deep(self, number):
        """Pages past the counted rows are reached by keyset only."""
        return (number - 1) * self.per_page >= self.cap

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        # Capped: num_pages counts only the counted rows, and pages go on past them.
        if not self.capped and number > max(self.num_pages, 1):
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def get_page(self, number, *, after=None, before=None):
        """Like Paginator.get_page (a bad number gives the first page, too big the last),
        plus "last" and the keyset cursors (ids of the row to continue after / before)."""
        if after or before:
            page = self._keyset_page(after, before)
            if page is not None:
                return page
        if number == LAST:
            return self.last_page()
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.last_page()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        total = self.count if not self.capped else None
        if total is None and self.is_deep(number):
            # A page number past the counted rows: the exact count (an index-only count)
            # costs less than an OFFSET that far, and tells which end is nearer.
            total = self.object_list.order_by().count()
            if bottom >= total:
                raise EmptyPage(self.error_messages["no_results"])
        if total == 0:
            return self._page([], number, False, False)  # nothing to read
        if total is not None and bottom > total // 2:
            # Nearer the end: read the reversed order from the end, OFFSET stays small.
            top = min(bottom + self.per_page, total)
            reverse = self._slice(self.object_list.reverse(), total - top, total - bottom)
            ids = list(reverse)[::-1]
            return self._page(ids, number, top < total, number > 1)
        ids = self._slice(self.object_list, bottom, bottom + self.per_page + 1)
        has_next = len(ids) > self.per_page
        return self._page(ids[: self.per_page], number, has_next, number > 1)

    def last_page(self):
        if not self.capped:
            return self.page(self.num_pages)
        # Capped: the last rows are the first of the reversed order.
        ids = list(self._ids(self.object_list.reverse())[: self.per_page])[::-1]
        return self._page(ids, None, False, True)

    def _ids(self, queryset):
        return queryset.values_list("pk", flat=True)

    def _slice(self, queryset, start, stop):
        """Ids of rows [start:stop]. Counted under the cap on PostgreSQL, the matching rows
        (at most `cap`) are read by the filter's index first and sorted after: walking the sort
        order's index, the planner may read a million entries for a few matches (5 s for an
        owner with no leads, sorted by company, at 1,000,000 leads)."""
        ordering = _sort_columns(queryset)
        vendor = connections[queryset.db].vendor
        if vendor != "postgresql" or self.capped or ordering is None:
            return list(self._ids(queryset)[start:stop])
        names = [name for name, _descending in ordering]
        sql, params = queryset.order_by().values_list("pk", *names).query.sql_with_params()
        columns = ", ".join(f"c{i}" for i in range(len(names) + 1))
        order = ", ".join(
            f"c{i} {'DESC' if descending else 'ASC'}"
            for i, (_name, descending) in enumerate(ordering, start=1)
        )
        # OFFSET 0 keeps the derived table a fence: filtered first, then sorted.
        query = (
            f"SELECT c0 FROM ({sql} OFFSET 0) AS t({columns})"
            f" ORDER BY {order} LIMIT {int(stop - start)} OFFSET {int(start)}"
        )
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(query, params)
            return [row[0] for row in cursor.fetchall()]

    def _page(self, ids, number, has_next, has_previous):
        if self.decorate is None:
            chosen = self.object_list.filter(pk__in=ids)
        else:
            chosen = self.decorate(self.object_list.model._default_manager.filter(pk__in=ids))
        # The page's order is the ids' order: the database need not sort the rows again.
        chosen = chosen.order_by()
        rows = {row.pk: row for row in chosen}
        return ListPage(
            [rows[pk] for pk in ids if pk in rows],
            number,
            self,
            has_next=has_next,
            has_previous=has_previous,
        )

    def _keyset_page(self, after, before):
        cursor = after or before
        if not str(cursor).isdigit() or len(str(cursor)) > 18:
            return None
        ordering = _ordering(self.object_list)
        if ordering is None:
            return None
        values = self.object_list.filter(pk=int(cursor)).values(*(name for name, _d in ordering))
        values = values.first()
        if values is None:
            return None
        forward = bool(after)
        rows = self.object_list.filter(_beyond(ordering, values, forward=forward))
        if not forward:
            rows = rows.reverse()
        ids = list(self._ids(rows)[: self.per_page + 1])
        more = len(ids) > self.per_page
        ids = ids[: self.per_page]
        if forward:
            return self._page(ids, None, more, True)
        return self._page(ids[::-1], None, True, more)


def _written_order(queryset):
    """[(field name, descending)] as the queryset's order is written (its own or the model's),
    or None when it names something else than a column of its own (a join, an expression)."""
    names = queryset.query.order_by or queryset.model._meta.ordering
    columns = []
    for name in names:
        if not isinstance(name, str) or "__" in name or "?" in name:
            return None
        columns.append((name.lstrip("-"), name.startswith("-")))
    return columns


def _sort_columns(queryset):
    """[(column's field name, descending)] the queryset is sorted by (reversed or not), or None
    when it is sorted by something else (a join, an expression)."""
    columns = _written_order(queryset)
    if not columns:
        return None
    pk_name, reversed_ = queryset.model._meta.pk.name, not queryset.query.standard_ordering
    return [
        (pk_name if name == "pk" else name, descending != reversed_)
        for name, descending in columns
    ]


def _ordering(queryset):
    """[(field name, descending)] of the queryset's order, or None when a keyset cannot follow
    it (a nullable column or a join: rows are then paged by number)."""
    ordering = _written_order(queryset)
    if ordering is None:
        return None
    meta = queryset.model._meta
    for name, _descending in ordering:
        if (meta.pk if name == "pk" else meta.get_field(name)).null:
            return None
    if not ordering or ordering[-1][0] not in ("pk", meta.pk.name):
        return None
    return ordering


def _beyond(ordering, values, *, forward):
    """Rows after (or before) the cursor row in `ordering`: (a > x) or (a = x and b > y) ...,
    with the first column's bound alone in front so the index's range is read from there."""
    condition, equal = None, Q()
    for name, descending in ordering:
        later = "lt" if descending == forward else "gt"
        step = equal & Q(**{f"{name}__{later}": values[name]})
        condition = step if condition is None else condition | step
        equal &= Q(**{name: values[name]})
    first, descending = ordering[0]
    bound = "lte" if descending == forward else "gte"
    return Q(**{f"{first}__{bound}": values[first]}) & condition
