"""The global search: one box in the top bar finds leads, contacts, accounts and opportunities.

Each app that owns a searchable model registers a `SearchKind` from its ready()
(`register_kind`): the model, its search index (crm.search_index), the fields a match is
shown by, and how a closed record is marked. This module never imports those apps; the views
(`crm/search_views.py: search`, `search_suggest`) only read the registry.

Every kind is read through `visible_to(user)` and its index, never by a scan: a type-ahead is
two queries per kind (at most SUGGEST_CANDIDATES rows each, ranked here), the results page one
capped count per kind and one page of rows. On PostgreSQL, when no kind has an exact match,
the results page runs the same queries again with pg_trgm's word similarity ("small typos")
and says the matches are close rather than exact; the type-ahead only offers that page (a
similarity is computed per row, too slow for every keystroke).
"""

from dataclasses import dataclass

from django.apps import apps

from crm.lib import search
from crm.lib.pagination import count_up_to
from crm.search_index import SearchIndex

SUGGEST_SHOWN = 5  # per kind in the type-ahead
CANDIDATE_IDS = 100  # matching ids read per kind, unsorted
SUGGEST_CANDIDATES = 20  # of those, read per kind in the model's order, ranked here
COUNT_CAP = 1000  # the results page counts up to this ("1,000+")
CLOSE_COUNT_CAP = 100  # and close matches up to this ("100+"): each is a similarity computed
MIN_LENGTH = 2  # the type-ahead starts at this many characters
MAX_QUERY = 200


@dataclass(frozen=True)
class Shown:
    """A field a match is shown by: `attr` is read off the record (a dotted path is
    followed), `phone` ones are compared by their digits."""

    attr: str
    label: object
    phone: bool = False

    def value(self, record):
        value = record
        for part in self.attr.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        return str(value)


@dataclass(frozen=True)
class SearchKind:
    kind: str  # "lead": the tab's key in URLs
    model: str  # "leads.Lead"
    label: object  # "Leads"
    index: object  # crm.search_index.SearchIndex
    title: str  # attribute read for the result's title ("display_topic")
    fields: tuple  # Shown: what a match is shown by (the title's own field first)
    details: tuple = ()  # Shown: context shown under the title, matched or not
    closed: object = None  # record -> a label when the record is closed ("Qualified"), else ""
    select_related: tuple = ()
    order: int = 100  # the tabs' order

    def queryset(self, user):
        records = apps.get_model(self.model).objects.visible_to(user)
        if self.select_related:
            records = records.select_related(*self.select_related)
        return records

    def matching(self, user, terms, *, close=False):
        """The visible records matching every term (by the index), in the model's order;
        with `close`, within a small typo (PostgreSQL only: None elsewhere)."""
        records = self.queryset(user)
        if close:
            return self.index.filter_close(records, terms)
        return self.index.filter(records, terms)


# kind -> SearchKind, filled by the apps that own the models (register_kind in ready()).
KINDS: dict[str, SearchKind] = {}


def register_kind(spec):
    """Offer `spec`'s model in the global search; call from AppConfig.ready()."""
    KINDS[spec.kind] = spec


def kinds():
    return sorted(KINDS.values(), key=lambda spec: (spec.order, spec.kind))


def terms_of(text):
    return search.search_terms((text or "")[:MAX_QUERY])[:8]


@dataclass
class Hit:
    """One record found, with what it was found by."""

    record: object
    spec: SearchKind
    title: str
    url: str
    matched: list  # [(label, value)] of the shown fields that hold a term, title excluded
    details: list  # [(label, value)] of the spec's details that have a value
    closed: str
    score: tuple

    @property
    def kind(self):
        return self.spec.kind


def hit(record, spec, terms):
    """The record as a result: its title, the fields that matched, and a rank (closed
    records after open ones; a term at a word's start, then a whole field, before one
    inside a word; earlier in the list first)."""
    title = str(getattr(record, spec.title))
    details = [(shown.label, value) for shown in spec.details if (value := shown.value(record))]
    # A match in the title or a detail is seen there; the others are listed as matched.
    visible = {title, *(value for _label, value in details)}
    matched, starts, whole = [], 0, 0
    for shown in spec.fields:
        value = shown.value(record)
        folded = (search.digits(value) if shown.phone else search.fold(value)) if value else ""
        if not any(term in folded for term in terms if term):
            continue
        words = folded.split()
        starts += sum(1 for term in terms if any(word.startswith(term) for word in words))
        whole += sum(1 for term in terms if term == folded or term in words)
        if value not in visible:
            matched.append((shown.label, value))
    closed = str(spec.closed(record) or "") if spec.closed else ""
    return Hit(
        record=record,
        spec=spec,
        title=title,
        url=record.get_absolute_url(),
        matched=matched,
        details=details,
        closed=closed,
        score=(bool(closed), -whole, -starts),
    )


def suggest(user, text):
    """The type-ahead: {"groups": [(spec, [Hit], more)], "close": bool}; two queries per kind
    (and two more per kind on PostgreSQL when nothing matched exactly)."""
    terms = terms_of(text)
    if len((text or "").strip()) < MIN_LENGTH or not terms:
        return {"groups": [], "close": False, "terms": terms}
    groups = _suggest_groups(user, terms, close=False)
    # Close matches (a typo) are the results page's: their similarity is computed row by row
    # (0.1-0.5 s at 1,000,000 leads), too slow for every keystroke; the type-ahead says so.
    typo_search = not any(hits for _spec, hits, _more in groups) and SearchIndex.supports_close()
    return {"groups": [g for g in groups if g[1]], "close": False, "offer_close": typo_search,
            "terms": terms}  # fmt: skip


def _suggest_groups(user, terms, *, close):
    """Per kind: up to CANDIDATE_IDS matching ids in whatever order the index gives them (no
    sort: a rare term's matches are not looked for by walking a sort index over the whole
    table, 255 ms for the accounts of one company name at 250,000), then the first
    SUGGEST_CANDIDATES of those in the model's order, ranked here. Two queries per kind."""
    groups = []
    for spec in kinds():
        records = spec.matching(user, terms, close=close)
        if records is None:
            return None
        ids = list(records.order_by().values_list("pk", flat=True)[:CANDIDATE_IDS])
        rows = list(spec.queryset(user).filter(pk__in=ids)[:SUGGEST_CANDIDATES]) if ids else []
        hits = [hit(record, spec, terms) for record in rows]
        # Stable: equal scores keep the model's order (newest or by name).
        hits.sort(key=lambda found: found.score)
        groups.append((spec, hits[:SUGGEST_SHOWN], len(ids) > SUGGEST_SHOWN))
    return groups


def counts(user, terms, *, close=False):
    """{kind: matches counted up to COUNT_CAP + 1 (close matches: CLOSE_COUNT_CAP + 1)}, one
    capped count per kind; None for `close` on a database without trigram similarity."""
    found = {}
    cap = CLOSE_COUNT_CAP if close else COUNT_CAP
    for spec in kinds():
        records = spec.matching(user, terms, close=close)
        if records is None:
            return None
        found[spec.kind] = count_up_to(records, cap + 1)
    return found
