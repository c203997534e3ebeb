"""The lead board (/leads/board/): open leads as cards in a column per status reason (New,
Contacted), with the list's saved views and filters, and drop zones that open the qualify or
disqualify form in a dialog (the same template as their pages: `?dialog=1` renders only its
`dialog` partial). Moving a card is `lead_set_status` with the card's version: a card another
user changed since the board was drawn is refused (409), and the board says so.

Each column reads one page of cards (CARDS_PER_COLUMN, newest first) by the list's index, a
count capped like the list's, and the sum of estimated value while the count is under the cap
(a sum over a bigger column would read every row); "Show more" continues from the last card
shown (keyset, `?column=new&after=<id>`)."""

from django.db.models import Exists, OuterRef, Sum
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm.forms import OwnerRows
from crm.lib.pagination import board_column
from leads.filters import saved_views_for
from leads.models import Lead, Status
from leads.views import _filtered

CARDS_PER_COLUMN = 20
COLUMNS = (Status.NEW, Status.CONTACTED)
# The saved views a board shows: the ones of open leads.
BOARD_VIEWS = ("mine", "team", "all")


def _choices():
    return [(status, Status(status).label) for status in COLUMNS]


def _column(leads, status, *, user, after=None):
    return {
        "status": status,
        "label": Status(status).label,
        **board_column(
            leads.filter(status=status),
            CARDS_PER_COLUMN,
            # can_edit: a card the user only reads (a read share, a teammate's) has no
            # controls and does not move.
            decorate=lambda rows: rows.select_related("owner_user", "owner_team").annotate(
                can_edit=Exists(Lead.objects.editable_by(user).filter(pk=OuterRef("pk")))
            ),
            totals={"value": Sum("estimated_value")},
            after=after,
        ),
    }


@require_GET
def lead_board(request):
    owners = OwnerRows(request.user)
    view, filterset = _filtered(request, owners)
    if view not in BOARD_VIEWS:
        view = "mine"
    leads = filterset.qs if filterset.is_valid() else filterset.queryset
    # The dialog's form (qualify, disqualify, close) has fields of the same names: the filter
    # panel's ids must not be theirs, or the dialog's labels would point at the filters.
    filterset.form.auto_id = "filter_%s"
    leads = leads.open()
    column = request.GET.get("column")
    if column in COLUMNS and request.GET.get("after"):
        # "Show more" of one column (htmx): its next cards and the next "Show more".
        return render(
            request,
            "leads/lead_board.html#column-cards",
            {
                "column": _column(leads, column, user=request.user, after=request.GET["after"]),
                "move_choices": _choices(),
            },
        )
    return render(
        request,
        "leads/lead_board.html",
        {
            "filter": filterset,
            "view": view,
            "saved_views": [
                (k, label) for k, label in saved_views_for(request.user) if k in BOARD_VIEWS
            ],
            "columns": [_column(leads, status, user=request.user) for status in COLUMNS],
            "move_choices": _choices(),
            "filtering": any(
                request.GET.get(name) for name in filterset.filters if name != "sort"
            ),
            "stale_message": _(
                "Someone changed this lead since the board was loaded. Reload the board to see it."
            ),
        },
    )
