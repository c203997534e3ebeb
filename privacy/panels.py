"""The "Consent" panel on the lead and contact pages (crm/panels.py), registered from
privacy's ready(): the current consent per purpose, the newest records, and the form."""

from django.urls import reverse

from privacy.consent import consent_panel_rows
from privacy.forms import ConsentForm


def consent_panel(context, record):
    """One query (privacy.consent.consent_panel_rows). Whether the viewer may record is
    the page's own `can_add` annotation (who may add to the timeline), else `can_edit`."""
    kind = record._meta.model_name  # "lead" or "contact"
    current, history, more = consent_panel_rows(record)
    may_add = getattr(record, "can_add", getattr(record, "can_edit", False))
    can_edit = bool(may_add) and record.merged_into_id is None
    # The record's own do-not-contact flags, beside the consents: they are separate (as
    # Salesforce keeps the opt-outs apart from consent), and the log forms warn on both.
    flags = [
        record._meta.get_field(name).verbose_name
        for name in ("do_not_email", "do_not_phone", "do_not_postal_mail", "do_not_bulk_email")
        if getattr(record, name, False)
    ]
    return {
        "flags": flags,
        "record": record,
        "request": context.get("request"),
        "current": current,
        "history": history,
        "more": more,
        "form": ConsentForm(prefix="consent") if can_edit else None,
        "action": reverse(f"privacy:{kind}_consent", args=[record.pk]),
    }
