"""E-mails sent from a person's records, or to their address, for the privacy app's export and
erasure (crm/personal_data.py): the addresses, the subject and the body go with the person."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.personal_data import PersonalData, record_item, register_personal_data, scrub_rows
from mail.models import OutgoingEmail


def _emails(person):
    about = Q(pk__in=[])
    for record in person.records:
        kind = ContentType.objects.get_for_model(record, for_concrete_model=False)
        about |= Q(activity__content_type=kind, activity__object_id=record.pk)
    if person.email:
        about |= Q(to_addresses__icontains=person.email) | Q(cc_addresses__icontains=person.email)
    return OutgoingEmail.objects.filter(about).order_by("pk")


def export_emails(person):
    return [record_item(email) for email in _emails(person)]


def erase_emails(person, *, user):
    # Each address is the person's or a colleague's on the same message: all of them go.
    count = scrub_rows(
        _emails(person), person, replace={"to_addresses": "[erased]", "cc_addresses": ""}
    )
    return {"sent_emails": count}


def register():
    register_personal_data(
        PersonalData(
            "sent_emails", _("E-mails sent"), export=export_emails, erase=erase_emails, order=45
        )
    )
