"""The opportunity board (/opportunities/board/): open opportunities as cards in a column per
sales stage, with the list's filters, each column's count, average probability and estimated
value (in the base currency: each amount divided by its currency's exchange rate, and weighted
by probability), and drop zones Won and Lost that open the close dialog (the close page's form,
`?dialog=1`). Moving a card is `opportunity_set_stage` with the card's version (a stale card is
refused with 409). Cards page as the lead board's (keyset "Show more")."""

from django.db.models import Avg, DecimalField, ExpressionWrapper, F, Sum
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm.lib.pagination import board_column
from opportunities.filters import OpportunityFilter
from opportunities.models import Opportunity, SalesStage

CARDS_PER_COLUMN = 20
COLUMNS = tuple(SalesStage)
_BASE = DecimalField(max_digits=24, decimal_places=4)


def _choices():
    return [(stage.value, stage.label) for stage in COLUMNS]


def _column(deals, stage, *, after=None):
    rate = F("currency__exchange_rate")
    base = ExpressionWrapper(F("estimated_value") / rate, output_field=_BASE)
    weighted = ExpressionWrapper(
        F("estimated_value") * F("probability") / rate / 100,
        output_field=_BASE,
    )
    return {
        "status": stage.value,
        "label": stage.label,
        **board_column(
            deals.filter(sales_stage=stage),
            CARDS_PER_COLUMN,
            decorate=lambda rows: rows.select_related(
                "account", "contact", "currency", "owner_user", "owner_team"
            ),
            totals={
                "value": Sum(base),
                "weighted": Sum(weighted),
                "probability": Avg("probability"),
            },
            after=after,
        ),
    }


@require_GET
def opportunity_board(request):
    data = request.GET.copy()
    data["state"] = str(Opportunity.State.OPEN)  # a board of open opportunities only
    filterset = OpportunityFilter(
        data,
        queryset=Opportunity.objects.visible_to(request.user).order_by("-created_at", "-pk"),
        request=request,
    )
    deals = filterset.qs if filterset.is_valid() else filterset.queryset.open()
    # The dialog's form (qualify, disqualify, close) has fields of the same names: the filter
    # panel's ids must not be theirs, or the dialog's labels would point at the filters.
    filterset.form.auto_id = "filter_%s"
    column = request.GET.get("column", "")
    if column.isdigit() and int(column) in COLUMNS and request.GET.get("after"):
        return render(
            request,
            "opportunities/opportunity_board.html#column-cards",
            {
                "column": _column(deals, SalesStage(int(column)), after=request.GET["after"]),
                "move_choices": _choices(),
            },
        )
    return render(
        request,
        "opportunities/opportunity_board.html",
        {
            "filter": filterset,
            "columns": [_column(deals, stage) for stage in COLUMNS],
            "move_choices": _choices(),
            "filtering": any(
                request.GET.get(name) for name in filterset.filters if name != "state"
            ),
            "stale_message": _(
                "Someone changed this opportunity since the board was loaded."
                " Reload the board to see it."
            ),
        },
    )
