"""The lead page's Score panel (crm/panels.py): the score and its grade, its two parts (the
predicted likelihood and the rules' points) and the reasons that raised and lowered it."""

from django.urls import reverse

from scoring.engine import factor_words
from scoring.models import LeadScore

FACTORS_SHOWN = 4  # of each direction


def score_panel(context, lead):
    """One query: the lead's LeadScore. Why a lead has no prediction is said without asking
    (readiness() costs two queries more): the model is missing, so closed leads are."""
    detail = LeadScore.objects.filter(lead_id=lead.pk).first()
    panel = {"lead": lead, "lead_score": detail}
    if detail is None:
        return panel
    # The factors come sorted by their size (scoring/services.py): the first of each way.
    factors = [{**f, "label": factor_words(f)} for f in detail.factors]
    panel["raised"] = [f for f in factors if f["points"] > 0][:FACTORS_SHOWN]
    panel["lowered"] = [f for f in factors if f["points"] < 0][:FACTORS_SHOWN]
    if detail.predicted is None:
        panel["report_url"] = reverse("scoring_report:report")
    else:
        panel["predicted_percent"] = round(detail.predicted * 100)
    return panel
