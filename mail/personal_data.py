"""E-mails sent from a person's records or to their address, and e-mails received from them or
logged on their records, for the privacy app's export and erasure (crm/personal_data.py): the
addresses, the subject and the body go with the person; a refused message's stored copy is
deleted. The activities and notes (files) made from a received message are the activities
app's to erase, with the records they hang on."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.personal_data import (
    ERASED,
    PersonalData,
    record_item,
    register_personal_data,
    scrub_rows,
)
from mail.models import IncomingEmail, OutgoingEmail


def _on_records(person):
    """Rows whose activity hangs on one of the person's records."""
    about = Q(pk__in=[])
    for record in person.records:
        kind = ContentType.objects.get_for_model(record, for_concrete_model=False)
        about |= Q(activity__content_type=kind, activity__object_id=record.pk)
    return about


def _emails(person):
    about = _on_records(person)
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


def _received(person):
    about = _on_records(person)
    lead_pks = person.pks_of("leads.Lead")
    if lead_pks:
        about |= Q(lead__in=lead_pks)
    if person.email:
        about |= Q(from_address__iexact=person.email)
    return IncomingEmail.objects.filter(about).order_by("pk")


def export_received(person):
    return [record_item(email, exclude=["raw"]) for email in _received(person)]


def erase_received(person, *, user):
    # By id: the lookup joins activities, and a row lock cannot reach through an outer join.
    pks = list(_received(person).values_list("pk", flat=True))
    received = IncomingEmail.objects.filter(pk__in=pks)
    for email in received.exclude(raw="").select_for_update():
        email.raw.delete(save=False)
    count = scrub_rows(
        received,
        person,
        replace={"from_address": ERASED, "from_name": "", "body": ERASED, "raw": ""},
        keep=["message_id"],
    )
    return {"received_emails": count}


def register():
    register_personal_data(
        PersonalData(
            "sent_emails", _("E-mails sent"), export=export_emails, erase=erase_emails, order=45
        )
    )
    register_personal_data(
        PersonalData(
            "received_emails",
            _("E-mails received"),
            export=export_received,
            erase=erase_received,
            order=46,
        )
    )
