"""Consent records: recording a consent given or withdrawn, a record's current consents and
their history (the "Consent" panel), and the consents an import or a web form brings (the
`crm.signals.consent_given` receiver)."""

from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Contact
from crm.errors import DomainError
from crm.models import User, is_merged
from crm.personal_data import ERASED, record_item
from leads.models import Lead
from privacy.models import ConsentRecord

# The record kinds a consent regards: the URL's word, the model, the consent's foreign key.
CONSENT_MODELS = {"lead": (Lead, "lead"), "contact": (Contact, "contact")}

# How many history rows the record page shows (the export lists them all).
HISTORY_ROWS = 5


class ConsentRefused(DomainError):
    """The user may not record a consent on this record."""


def _field_for(record: Lead | Contact) -> str:
    for model, field in CONSENT_MODELS.values():
        if isinstance(record, model):
            return field
    raise TypeError(f"A consent regards a lead or a contact, not {type(record).__name__}.")


def consents_of(record: Lead | Contact):
    return ConsentRecord.objects.filter(**{_field_for(record): record})


@transaction.atomic
def record_consent(
    *,
    record: Lead | Contact,
    purpose: str,
    status: str,
    how: str,
    note: str = "",
    user: User,
    recorded_at=None,
) -> ConsentRecord:
    """Append a consent given or withdrawn for `purpose` to the lead or contact `record`
    (a withdrawal is a new record: the newest of a purpose is its state). The record is
    locked, so two people recording at once are ordered; refused with ConsentRefused when
    `user` may not add to it (another team's, a read share, a record merged into another)."""
    manager = type(record)._default_manager
    locked = manager.select_for_update().filter(pk=record.pk).first()
    if locked is None:
        raise ConsentRefused(_("This record no longer exists."))
    # Whoever may add to the record's timeline (log a call on it) may record what the person
    # said about consent: a teammate who takes the call too (appendable_by).
    if not manager.appendable_by(user).filter(pk=record.pk).exists():
        if is_merged(locked):
            raise ConsentRefused(
                _("This record was merged into another: record the consent on the master.")
            )
        raise ConsentRefused(_("You may not change this record, so you cannot record consent."))
    record = locked
    consent = ConsentRecord(
        **{_field_for(record): record},
        purpose=purpose,
        status=status,
        how=how,
        note=note.strip(),
        recorded_by=user,
    )
    if recorded_at is not None:
        consent.recorded_at = recorded_at
    consent.full_clean()
    consent.save()
    return consent


def current_consents(record: Lead | Contact, purposes=None) -> list[ConsentRecord]:
    """The newest record of each purpose (of `purposes`, or all) the record has one for, in
    the purposes' order: one query (a window over the record's consents, by its index)."""
    newest = Window(RowNumber(), partition_by=[F("purpose")], order_by=_newest_first())
    rows = consents_of(record)
    if purposes is not None:
        rows = rows.filter(purpose__in=list(purposes))
    return _by_purpose(rows.annotate(newest=newest).filter(newest=1))


def _by_purpose(rows):
    """In the order of the purposes' choices."""
    order = list(ConsentRecord.Purpose.values)
    return sorted(rows, key=lambda row: order.index(row.purpose) if row.purpose in order else 99)


def _newest_first():
    return [F("recorded_at").desc(), F("pk").desc()]


def consent_panel_rows(record: Lead | Contact, *, limit: int = HISTORY_ROWS):
    """(current, history, more) in one query: the newest record of each purpose, the
    newest `limit` records (who recorded them joined), and whether there are older ones
    (one row more than shown is read)."""
    rows = list(
        consents_of(record)
        .select_related("recorded_by")
        .annotate(
            newest=Window(RowNumber(), partition_by=[F("purpose")], order_by=_newest_first()),
            position=Window(RowNumber(), order_by=_newest_first()),
        )
        .filter(Q(newest=1) | Q(position__lte=limit + 1))
        .order_by("-recorded_at", "-pk")
    )
    current = _by_purpose(row for row in rows if row.newest == 1)
    history = [row for row in rows if row.position <= limit]
    return current, history, any(row.position > limit for row in rows)


def record_consents_given(
    sender, *, records, purpose, how, note="", user=None, **kwargs
) -> list[ConsentRecord]:
    """The `crm.signals.consent_given` receiver: an import's consent column, a web form's
    consent checkbox. Sent inside the creating transaction, by the code that created or
    changed the records (so no rights check here); one insert."""
    consents = [
        ConsentRecord(
            **{_field_for(record): record},
            purpose=purpose,
            status=ConsentRecord.Status.GIVEN,
            how=how,
            note=note,
            recorded_by=user,
        )
        for record in records
    ]
    return ConsentRecord.objects.bulk_create(consents)


def person_consents(lead_pks, contact_pks):
    return ConsentRecord.objects.filter(
        Q(lead__in=list(lead_pks)) | Q(contact__in=list(contact_pks))
    ).order_by("recorded_at", "pk")


# The consent an outgoing activity of each kind needs (activities/opt_outs.py).
OPT_OUT_PURPOSES = {
    "email": (ConsentRecord.Purpose.MARKETING_EMAIL,),
    "phone_call": (ConsentRecord.Purpose.PHONE,),
}


def consent_opt_outs(record, kind: str) -> list[str]:
    """The log-activity form's warnings from consent: the purpose's newest record is a
    withdrawal (one query; none for a record that is not a lead or contact)."""
    purposes = OPT_OUT_PURPOSES.get(kind)
    if not purposes or not isinstance(record, Lead | Contact):
        return []
    withdrawn = [
        consent
        for consent in current_consents(record, purposes)
        if consent.status == ConsentRecord.Status.WITHDRAWN
    ]
    return [
        _("This person withdrew their consent to %(purpose)s on %(date)s.")
        % {
            "purpose": consent.get_purpose_display().lower(),
            "date": formats.date_format(
                timezone.localtime(consent.recorded_at), "SHORT_DATE_FORMAT"
            ),
        }
        for consent in withdrawn
    ]


# A person's data (privacy/handlers.py registers these) --------------------------------------


def _consents_of_person(person):
    return person_consents(person.pks_of("leads.Lead"), person.pks_of("accounts.Contact"))


def export_consents(person) -> list:
    return [record_item(consent) for consent in _consents_of_person(person)]


def erase_consents(person, *, user) -> dict[str, int]:
    """The records stay (what was consented or withdrawn, when, how: reports and the proof
    a withdrawal was honoured keep them); the free-text note, which may name the person,
    goes."""
    consents = _consents_of_person(person).select_for_update()
    pks = list(consents.values_list("pk", flat=True))
    ConsentRecord.objects.filter(pk__in=pks).exclude(note="").update(note=ERASED)
    return {"consent_records": len(pks)}
