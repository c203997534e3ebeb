"""The record pages' "Send an e-mail" action and the e-mails sent from the record with their
delivery (crm/panels.py), on leads, contacts, accounts and opportunities."""

from django.contrib.contenttypes.models import ContentType

from crm.panels import register_panel
from mail.models import OutgoingEmail

SHOWN = 10


def sent_panel(context, record):
    """One query: the record's newest sent e-mails."""
    kind = ContentType.objects.get_for_model(record, for_concrete_model=False)
    emails = list(
        OutgoingEmail.objects.filter(
            activity__content_type=kind, activity__object_id=record.pk
        ).order_by("-queued_at", "-pk")[:SHOWN]
    )
    return {"record": record, "emails": emails, "label": record._meta.label_lower}


def send_action(context, record):
    return {"record": record, "label": record._meta.label_lower}


def register():
    from mail.services import SENDABLE

    for model in SENDABLE:
        register_panel(model, "mail/_send_action.html", context=send_action, slot="actions")
        register_panel(model, "mail/_sent_panel.html", context=sent_panel, order=40)
