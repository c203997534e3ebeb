from datetime import datetime

from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm.permissions import require_permission
from scoring.reporting import scoring_report


@require_GET
@require_permission("crm.view_reports")
def report(request):
    """The lead scoring report: the model's measures on held-out leads, the fields that
    matter most, the open leads by grade; or why there is no prediction yet."""
    data = scoring_report(request.user)
    trained_at = datetime.fromisoformat(data["trained_at"]) if data["trained_at"] else None
    top = data["top_features"][0]["importance"] if data["top_features"] else 0
    return render(
        request,
        "scoring/report.html",
        {
            "report": data,
            "trained_at": trained_at,
            # The meters' scale: the most important field fills its bar.
            "top_importance": top or 1,
        },
    )
