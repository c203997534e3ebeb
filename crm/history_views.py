"""The History tab of a record page: read-only, through the model's `visible_to`.

Each app routes its own: ``path("<int:pk>/history/", history_view(Lead, detail_url=
"leads:detail"), name="history")``; another team's record is a 404, a POST a 405."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from crm.history import history_page

PER_PAGE = 50


def history_view(model, *, detail_url):
    """The view of `model`'s History tab, for the records the user may read (`visible_to`);
    `detail_url` names its record page (the Details tab)."""

    @require_GET
    def view(request, pk):
        record = model._default_manager.visible_to(request.user).filter(pk=pk).first()
        if record is None:
            raise Http404
        page = request.GET.get("page", "1")
        history = history_page(
            record,
            user=request.user,
            page=int(page) if page.isdigit() and int(page) > 0 else 1,
            per_page=PER_PAGE,
        )
        return render(
            request,
            "crm/history/record_history.html",
            {
                "record": record,
                "history": history,
                "details_url": reverse(detail_url, args=[record.pk]),
                "history_url": request.path,
            },
        )

    view.__name__ = f"{model._meta.model_name}_history"
    view.__qualname__ = view.__name__
    return view
