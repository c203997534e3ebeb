"""A person's data on request, and their erasure (the kinds are in crm/personal_data.py)."""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from crm.models import User
from crm.personal_data import ERASED, Item, Person, personal_data_kinds
from leads.models import Lead
from privacy import copies, handlers
from privacy.models import Erasure


@dataclass
class Section:
    key: str
    label: str
    items: list[Item]


@dataclass
class PersonExport:
    email: str
    exported_at: object
    sections: list[Section]
    record: object = None  # the lead or contact asked about, when it has no e-mail address

    @property
    def subject(self) -> str:
        """Whom the export is about: the address, or the record asked about alone."""
        return self.email or str(self.record)

    @property
    def file_name(self) -> str:
        """The JSON download's name: whom it is about and the day, so that two people's
        files (or two days') do not overwrite each other in a downloads folder."""
        if self.email:
            subject = slugify(self.email.replace("@", "-").replace(".", "-"))
        else:
            subject = f"{self.record._meta.model_name}-{self.record.pk}"
        return f"personal-data-{subject}-{timezone.localdate(self.exported_at).isoformat()}.json"

    @property
    def is_empty(self) -> bool:
        return not any(section.items for section in self.sections)

    def as_json(self) -> dict:
        return {
            "email": self.email,
            "subject": self.subject,
            "exported_at": self.exported_at.isoformat(),
            "sections": {s.key: [item.as_json() for item in s.items] for s in self.sections},
        }


def find_person(*, email: str) -> Person:
    """The person with every record about them the finders know (leads, contacts)."""
    person = Person(email)
    for kind in personal_data_kinds():
        if kind.find is not None:
            kind.find(person)
    return person


def person_of_record(record: models.Model) -> Person:
    """The person a lead or contact is about: everything found by its e-mail address, or,
    for a record without one, that record alone (an address is what ties records to one
    person; a name alone is not)."""
    if record.email.strip():
        person = find_person(email=record.email)
        if record not in person.records:  # an address the finders' exact match missed
            handlers.add_record(person, record)
        return person
    person = Person("")
    handlers.add_record(person, record)
    return person


# The section of every kind's history rows: a record with three earlier versions is one
# record and three history entries, not four records.
HISTORY_SECTION = "history"


def export_person(*, email: str = "", record: models.Model | None = None) -> PersonExport:
    """Everything held about the person with the address `email`, or about the person a
    lead or contact `record` is (person_of_record): a section per kind of record, then one
    of the history entries of them all."""
    person = find_person(email=email) if record is None else person_of_record(record)
    sections, history = [], []
    for kind in personal_data_kinds():
        items = kind.export(person)
        sections.append(Section(kind.key, str(kind.label), [i for i in items if not i.is_history]))
        history += [item for item in items if item.is_history]
    sections.append(Section(HISTORY_SECTION, _("History entries"), history))
    alone = record if not person.email else None
    return PersonExport(person.email, timezone.now(), sections, alone)


@dataclass
class ErasedFields:
    label: str
    blanked: list[str]  # the fields emptied
    replaced: list[str]  # the fields that become ERASED


def erased_fields() -> list[ErasedFields]:
    """The fields erase_person replaces outright, by kind of record, as the confirmation
    page lists them (read from the erasers' own tables, so the page says what they do)."""
    shown = []
    for label, model, erased in (
        (_("Leads"), Lead, handlers.LEAD_ERASED),
        (_("Contacts"), Contact, handlers.CONTACT_ERASED),
        (_("Accounts that are the person's own"), Account, copies.ACCOUNT_ERASED),
    ):
        labels = {name: str(model._meta.get_field(name).verbose_name) for name in erased}
        shown.append(
            ErasedFields(
                label,
                [labels[name] for name, value in erased.items() if value != ERASED],
                [labels[name] for name, value in erased.items() if value == ERASED],
            )
        )
    return shown


@transaction.atomic
def erase_person(*, email: str, user: User, reason: str) -> Erasure:
    """Anonymise everything held about the person, in one transaction (each kind locks the
    rows it changes), and keep a tombstone: when, by whom, why, how many of what."""
    person = find_person(email=email)
    counts = {}
    for kind in personal_data_kinds():
        for key, number in kind.erase(person, user=user).items():
            counts[key] = counts.get(key, 0) + number
    erasure = Erasure(erased_by=user, reason=reason, counts=counts)
    erasure.set_email(person.email)
    erasure.save()
    return erasure
