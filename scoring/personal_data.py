"""A person's lead scores for the privacy app's export and erasure (crm/personal_data.py):
the reasons name their values ("City: Aarhus"), so they go with the person."""

from django.utils.translation import gettext_lazy as _

from crm.personal_data import PersonalData, record_item, register_personal_data
from scoring.models import LeadScore
from scoring.services import erase_scores


def _scores(person):
    return LeadScore.objects.filter(lead__in=person.pks_of("leads.Lead")).order_by("pk")


def export_scores(person):
    return [record_item(score) for score in _scores(person)]


def erase(person, *, user):
    lead_ids = list(person.pks_of("leads.Lead"))
    count = _scores(person).count()
    erase_scores(lead_ids)
    return {"lead_scores": count}


def register():
    register_personal_data(
        PersonalData(
            "lead_scores",
            _("Lead scores"),
            export=export_scores,
            erase=erase,
            order=55,
        )
    )
