"""How privacy finds, exports and erases the personal data of the apps below it: leads,
contacts, the activities, notes and inquiries regarding them, the merges that stored their
values, and the history rows of each (crm/personal_data.py is the registry)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Contact
from activities.models import Activity, Inquiry, Note, RecordMerge
from crm.history import Reason, change_reason
from crm.personal_data import (
    ERASED,
    Person,
    PersonalData,
    history_items,
    record_item,
    register_personal_data,
    scrub_rows,
)
from crm.services import next_version
from leads.imports.models import ImportRowError
from leads.models import Lead, LeadStatusChange
from privacy import consent

# Stored in the history rows' reason (English, as every reason; translated when shown); the
# History tab says what such an entry did (crm.history).
ERASURE_REASON = Reason.PERSONAL_DATA_ERASED

# The fields of a person replaced outright: names, e-mail, phones, address, free text.
LEAD_ERASED = {
    "topic": "",
    "salutation": "",
    "first_name": "",
    "middle_name": "",
    "last_name": ERASED,
    "job_title": "",
    "website": "",
    "email": "",
    "business_phone": "",
    "mobile_phone": "",
    "street": "",
    "city": "",
    "state_province": "",
    "postal_code": "",
    "country": "",
    "description": "",
}
CONTACT_ERASED = {
    "salutation": "",
    "first_name": "",
    "middle_name": "",
    "last_name": ERASED,
    "job_title": "",
    "email": "",
    "business_phone": "",
    "mobile_phone": "",
    "street": "",
    "city": "",
    "state_or_province": "",
    "postal_code": "",
    "country": "",
    "description": "",
}


def _names(record):
    full = " ".join(p for p in (record.first_name, record.last_name) if p)
    return [record.full_name, full, record.first_name, record.last_name]


# Leads and contacts: found by e-mail address ------------------------------------------------


def add_record(person: Person, record) -> None:
    """Add one lead or contact to the person, with the names and phones it holds."""
    person.found(record, names=_names(record), phones=(record.business_phone, record.mobile_phone))


def find_leads(person: Person) -> None:
    for lead in Lead.objects.filter(email__iexact=person.email).order_by("pk"):
        person.found(lead, names=_names(lead), phones=(lead.business_phone, lead.mobile_phone))


def find_contacts(person: Person) -> None:
    for contact in Contact.objects.filter(email__iexact=person.email).order_by("pk"):
        person.found(
            contact,
            names=_names(contact),
            phones=(contact.business_phone, contact.mobile_phone),
        )


def _export_records(model, person):
    pks = person.pks_of(model._meta.label)
    records = model._default_manager.filter(pk__in=pks).order_by("pk")
    return [record_item(record) for record in records] + history_items(model, pks)


def _erase_records(model, erased, person, *, user):
    """Anonymise the person's records of `model` (their next version, its history row says
    why), then scrub every earlier history row of theirs."""
    pks = person.pks_of(model._meta.label)
    history_rows = 0
    records = model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk")
    with change_reason(ERASURE_REASON, user=user):
        for record in records:
            for name, value in erased.items():
                setattr(record, name, value)
            if hasattr(record, "company_name"):
                record.company_name = person.scrub(record.company_name)
            next_version(record, user)
            record.save()  # save() refreshes the keys and the search index (search_text)
            keys = {name: getattr(record, name) for name in record.KEY_FIELDS}
            history_rows += scrub_rows(
                model.history.filter(id=record.pk), person, replace={**erased, **keys}
            )
    # Earlier history of another record that once held the address (not when the records
    # are asked about alone, by retention: the person's other records are not theirs).
    if person.email:
        history_rows += scrub_rows(
            model.history.filter(email__iexact=person.email).exclude(id__in=pks), person
        )
    return len(pks), history_rows


def erase_leads(person: Person, *, user) -> dict[str, int]:
    count, history_rows = _erase_records(Lead, LEAD_ERASED, person, user=user)
    # What a person typed about a status change (the stays stay: reports count them).
    scrub_rows(LeadStatusChange.objects.filter(lead__in=person.pks_of("leads.Lead")), person)
    return {"leads": count, "lead_history": history_rows}


def erase_contacts(person: Person, *, user) -> dict[str, int]:
    count, history_rows = _erase_records(Contact, CONTACT_ERASED, person, user=user)
    return {"contacts": count, "contact_history": history_rows}


# What regards those records ------------------------------------------------------------------


def _regarding(model, person):
    condition = Q(pk__in=[])
    for record in person.records:
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
        condition |= Q(content_type=content_type, object_id=record.pk)
    return model.objects.filter(condition).order_by("pk")


REGARDING = {"activities": Activity, "notes": Note, "inquiries": Inquiry}


def export_regarding(person: Person) -> list:
    items = []
    for model in REGARDING.values():
        rows = list(_regarding(model, person))
        items += [record_item(row) for row in rows]
        items += history_items(model, [row.pk for row in rows])
    return items


def erase_regarding(person: Person, *, user) -> dict[str, int]:
    counts = {}
    for key, model in REGARDING.items():
        pks = list(_regarding(model, person).values_list("pk", flat=True))
        counts[key] = len(pks)
        if model is Note:
            # The files go; the note stays, its text scrubbed (a note needs a text or a file).
            for note in Note.objects.select_for_update().filter(pk__in=pks).exclude(attachment=""):
                note.attachment.delete(save=False)
                Note.objects.filter(pk=note.pk).update(
                    attachment="",
                    attachment_name="",
                    attachment_content_type="",
                    attachment_size=None,
                    text=person.scrub(note.text) or ERASED,
                )
                counts["attachments"] = counts.get("attachments", 0) + 1
            scrub_rows(
                Note.history.filter(id__in=pks),
                person,
                replace={"attachment": "", "attachment_name": ""},
            )
        else:
            scrub_rows(model.history.filter(id__in=pks), person)
        scrub_rows(model.objects.filter(pk__in=pks), person)
    return counts


# Merges: the values they stored for undo --------------------------------------------------


def _merges(person):
    found = []
    for label in ("leads.Lead", "accounts.Contact"):
        pks = set(person.pks_of(label))
        if not pks:
            continue
        model = Lead if label == "leads.Lead" else Contact
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        for merge in RecordMerge.objects.filter(content_type=content_type).order_by("pk"):
            if merge.master_id in pks or pks & set(merge.subordinate_ids):
                found.append(merge.pk)
    return RecordMerge.objects.filter(pk__in=found).order_by("pk")


def export_merges(person: Person) -> list:
    return [record_item(merge) for merge in _merges(person)]


def erase_merges(person: Person, *, user) -> dict[str, int]:
    """Each stored value of the person's becomes what their record holds now (anonymised),
    the rest scrubbed: an undo after the erasure brings nothing back."""
    merges = list(_merges(person).select_for_update())
    current = {(r._meta.label, r.pk): r for r in person.records}
    for merge in merges:
        label = merge.content_type.model_class()._meta.label
        for pk, before in merge.subordinates_before.items():
            record = current.get((label, int(pk)))
            if record is not None:
                record.refresh_from_db()
                for name in before.get("values", {}):
                    if person.mentions(before["values"][name]):
                        before["values"][name] = getattr(record, name)
        master = current.get((label, merge.master_id))
        if master is not None:
            master.refresh_from_db()
            for name, taken in merge.fields.items():
                for end in ("old", "new"):
                    if person.mentions(taken.get(end)):
                        taken[end] = getattr(master, name, "")
        RecordMerge.objects.filter(pk=merge.pk).update(
            fields=person.scrub(merge.fields),
            subordinates_before=person.scrub(merge.subordinates_before),
            moved=person.scrub(merge.moved),
        )
    return {"merges": len(merges)}


# Imports: rejected rows kept as read, and the files still on the server -------------------


def _rejected_rows(person):
    if not person.email:  # a record asked about alone: its rows are found by its address
        return []
    rows = ImportRowError.objects.filter(cells__icontains=person.email).order_by("pk")
    return [row for row in rows.select_related("batch") if person.mentions(row.cells)]


def export_rejected_rows(person: Person) -> list:
    return [
        record_item(row, title=f"{row.batch.file_name}: {row.line}")
        for row in _rejected_rows(person)
    ]


def _scrub_file(stored, person, encoding="utf-8-sig"):
    """Rewrite the lines of a stored CSV (an upload in its `encoding`, an error file) that
    hold the address."""
    if not stored or not person.email:
        return False
    try:
        with stored.open("rb") as handle:
            text = handle.read().decode(encoding, errors="replace")
    except FileNotFoundError:
        return False
    lines = text.splitlines(keepends=True)
    if not any(person.email.lower() in line.lower() for line in lines):
        return False
    scrubbed = "".join(
        person.scrub(line) if person.email.lower() in line.lower() else line for line in lines
    )
    with stored.open("wb") as handle:
        handle.write(scrubbed.encode(encoding, errors="replace"))
    return True


def erase_rejected_rows(person: Person, *, user) -> dict[str, int]:
    rows = _rejected_rows(person)
    count = scrub_rows(ImportRowError.objects.filter(pk__in=[row.pk for row in rows]), person)
    files = 0
    for batch in {row.batch for row in rows}:
        encoding = batch.options.get("encoding") or "utf-8-sig"
        files += _scrub_file(batch.error_file, person) + _scrub_file(batch.file, person, encoding)
    return {"import_rows": count, "import_files": files}


def register() -> None:
    register_personal_data(
        PersonalData(
            "leads", _("Leads"), export=lambda p: _export_records(Lead, p), erase=erase_leads,
            find=find_leads, order=10,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData(
            "contacts", _("Contacts"), export=lambda p: _export_records(Contact, p),
            erase=erase_contacts, find=find_contacts, order=20,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData(
            "activities", _("Activities, notes and inquiries"), export=export_regarding,
            erase=erase_regarding, order=30,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData("merges", _("Merges"), export=export_merges, erase=erase_merges, order=40)
    )
    register_personal_data(
        PersonalData(
            "consent_records", _("Consent records"), export=consent.export_consents,
            erase=consent.erase_consents, order=25,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData(
            "import_rows", _("Rejected import rows"), export=export_rejected_rows,
            erase=erase_rejected_rows, order=60,
        )
    )  # fmt: skip
