"""Web form submissions of a person's leads, for the privacy app's export and erasure
(crm/personal_data.py): the fingerprint (made from their e-mail address), the page and the
campaign tags they came with."""

from django.utils.translation import gettext_lazy as _

from capture.models import Submission, SubmissionGuard
from crm.personal_data import PersonalData, record_item, register_personal_data, scrub_rows


def _submissions(person):
    return Submission.objects.filter(lead__in=person.pks_of("leads.Lead")).order_by("pk")


def export_submissions(person):
    return [
        record_item(submission, exclude=["fingerprint"]) for submission in _submissions(person)
    ]


def erase_submissions(person, *, user):
    submissions = _submissions(person)
    fingerprints = [f for f in submissions.values_list("fingerprint", flat=True) if f]
    SubmissionGuard.objects.filter(fingerprint__in=fingerprints).delete()
    count = scrub_rows(submissions, person, replace={"fingerprint": "", "referrer_url": ""})
    return {"web_submissions": count}


def register():
    register_personal_data(
        PersonalData(
            "web_submissions",
            _("Web form submissions"),
            export=export_submissions,
            erase=erase_submissions,
            order=50,
        )
    )
