"""The other copies of a person's data the product keeps, found from their leads and contacts
(crm/personal_data.py is the registry; privacy/handlers.py the records themselves): the
opportunities and accounts qualifying their leads made, background tasks' arguments and
results, the admin's log of changes, and the import files still on the server.

Which account is the person: one a lead of theirs made, or that holds their e-mail address,
is erased as a person (anonymised as a contact is) only when it is theirs alone: its e-mail
address is theirs or its name is their name, and no one else's contact or lead belongs to
it. Any other account is a company's: it stays, only their values leave it (their phone
number copied from the lead, their address in its e-mail or text)."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from accounts.models import Account, Contact
from crm.history import change_reason
from crm.lib import search
from crm.personal_data import (
    ERASED,
    Item,
    Person,
    PersonalData,
    history_items,
    record_item,
    register_personal_data,
    scrub_rows,
)
from crm.services import next_version
from leads.imports.models import ExternalKey, ImportBatch
from leads.models import Qualification
from opportunities.models import Opportunity
from privacy.handlers import ERASURE_REASON, _scrub_file

ACCOUNT_ERASED = {
    "name": ERASED,
    "website": "",
    "phone": "",
    "email": "",
    "street": "",
    "city": "",
    "state_or_province": "",
    "postal_code": "",
    "country": "",
    "description": "",
}
# What a company's account keeps, in its history too: its name and address are not hers.
COMPANY_KEPT = ("name", "street", "city", "state_or_province", "postal_code", "country")
COMPANY_SCRUBBED = ("phone", "email", "description", "website")


# Accounts --------------------------------------------------------------------------------------


def _candidate_accounts(person):
    made = Qualification.objects.filter(lead__in=person.pks_of("leads.Lead"), created_account=True)
    candidates = Q(pk__in=made.values("account"))
    if person.email:
        candidates |= Q(email__iexact=person.email)
    return Account.objects.filter(candidates).order_by("pk")


def find_accounts(person: Person) -> None:
    """Add the accounts that are the person (see the module docstring): they are erased as
    the person's records are, and what regards them with them."""
    leads, contacts = person.pks_of("leads.Lead"), person.pks_of("accounts.Contact")
    names = {search.fold(value) for value in person.keys if " " in value}
    for account in _candidate_accounts(person):
        others = (
            Contact.objects.filter(account=account).exclude(pk__in=contacts).exists()
            or Qualification.objects.filter(account=account).exclude(lead__in=leads).exists()
        )
        theirs = (person.email and account.email.lower() == person.email.lower()) or (
            search.fold(account.name) in names
        )
        if theirs and not others:
            person.found(account, names=[account.name], phones=[account.phone])


def _accounts(person):
    """(the person's own accounts, company accounts holding values of theirs), by pk."""
    own = person.pks_of("accounts.Account")
    company = list(_candidate_accounts(person).values_list("pk", flat=True))
    return own, [pk for pk in company if pk not in own]


def export_accounts(person: Person) -> list[Item]:
    own, company = _accounts(person)
    rows = Account.objects.filter(pk__in=own + company).order_by("pk")
    return [record_item(row) for row in rows] + history_items(Account, own + company)


def erase_accounts(person: Person, *, user) -> dict[str, int]:
    own, company = _accounts(person)
    phones = {search.digits(value) for value in person.keys} - {""}
    with change_reason(ERASURE_REASON, user=user):
        for account in Account.objects.select_for_update().filter(pk__in=own + company):
            if account.pk in own:
                for name, value in ACCOUNT_ERASED.items():
                    setattr(account, name, value)
            else:
                before = [getattr(account, name) for name in COMPANY_SCRUBBED]
                if search.digits(account.phone) in phones:  # copied from their lead
                    account.phone = ""
                if person.email and account.email.lower() == person.email.lower():
                    account.email = ""
                account.description = person.scrub(account.description)
                account.website = person.scrub(account.website)
                unchanged = before == [getattr(account, name) for name in COMPANY_SCRUBBED]
            if account.pk in own or not unchanged:
                next_version(account, user)
                account.save()  # the keys and the search text, its contacts' search text
            keys = {name: getattr(account, name) for name in account.KEY_FIELDS}
            history = Account.history.filter(id=account.pk)
            if account.pk in own:
                scrub_rows(history, person, replace={**ACCOUNT_ERASED, **keys})
                # Its contacts' search text names it: their history's too (the contacts
                # were erased first, while the account still had her name).
                for contact in Contact.objects.filter(account=account):
                    Contact.history.filter(id=contact.pk).update(search_text=contact.search_text)
            else:  # the earlier values: their phone, address, words in the text scrubbed
                replace = {"search_text": account.search_text}
                scrub_rows(history, person, replace=replace, keep=COMPANY_KEPT)
    return {"accounts": len(own), "company_accounts": len(company)}


# Opportunities ---------------------------------------------------------------------------------


def _opportunities(person):
    leads, contacts = person.pks_of("leads.Lead"), person.pks_of("accounts.Contact")
    own = person.pks_of("accounts.Account")
    made = Qualification.objects.filter(lead__in=leads, opportunity__isnull=False)
    condition = (
        Q(pk__in=made.values("opportunity"))
        | Q(contact__in=contacts)
        | Q(parent_contact__in=contacts)
        | Q(account__in=own)
    )
    return Opportunity.objects.filter(condition).order_by("pk")


def export_opportunities(person: Person) -> list[Item]:
    rows = list(_opportunities(person))
    return [record_item(row) for row in rows] + history_items(Opportunity, [r.pk for r in rows])


def erase_opportunities(person: Person, *, user) -> dict[str, int]:
    """The opportunity stays (the reports count it and its value), its text scrubbed of the
    person: its topic ("Anna Hansen wants laptops"), description and closing notes."""
    pks = list(_opportunities(person).values_list("pk", flat=True))
    changed = 0
    with change_reason(ERASURE_REASON, user=user):
        rows = Opportunity.objects.select_for_update(of=("self",)).filter(pk__in=pks)
        for deal in rows.order_by("pk").select_related("account", "contact"):
            before = (deal.topic, deal.description, deal.close_description)
            deal.topic = person.scrub(deal.topic)
            deal.description = person.scrub(deal.description)
            deal.close_description = person.scrub(deal.close_description)
            deal.refresh_search_text()  # its customer may have been anonymised just now
            if (deal.topic, deal.description, deal.close_description) != before:
                next_version(deal, user)
                deal.save()
                changed += 1
            else:
                Opportunity.objects.filter(pk=deal.pk).update(search_text=deal.search_text)
            scrub_rows(
                Opportunity.history.filter(id=deal.pk),
                person,
                replace={"search_text": deal.search_text},
            )
    return {"opportunities": changed}


# Background tasks ------------------------------------------------------------------------------


def _task_results(person):
    if not person.keys:
        return DBTaskResult.objects.none()
    condition = Q()
    for key in person.keys:
        for column in ("args_kwargs", "return_value", "traceback"):
            condition |= Q(**{f"{column}__icontains": key})
    rows = DBTaskResult.objects.filter(condition).order_by("enqueued_at", "pk")
    return rows.filter(pk__in=[row.pk for row in rows if _mentions_task(person, row)])


def _mentions_task(person, row):
    return any(person.mentions(v) for v in (row.args_kwargs, row.return_value, row.traceback))


def export_task_results(person: Person) -> list[Item]:
    return [
        record_item(row, exclude=["worker_ids", "backend_name", "exception_class_path"])
        for row in _task_results(person)
    ]


def erase_task_results(person: Person, *, user) -> dict[str, int]:
    return {"task_results": scrub_rows(_task_results(person), person)}


# The admin's log of changes: the record's name as it was, the changed fields' names ------------


def erase_log_entries(person: Person, *, user) -> dict[str, int]:
    records = [*person.records, *_opportunities(person)]
    condition = Q(pk__in=[])
    for record in records:
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
        condition |= Q(content_type=content_type, object_id=str(record.pk))
    entries = LogEntry.objects.filter(condition)
    return {"log_entries": scrub_rows(entries, person, replace={"object_repr": ERASED})}


# Import files: the uploaded files and error files of the batches their leads came through -----


def _holds(stored, email):
    """Whether the stored file holds the address, read line by line (a file of a million
    rows is not read into memory to learn it does not)."""
    needle = email.lower().encode()
    try:
        with stored.open("rb") as handle:
            return any(needle in line.lower() for line in handle)
    except FileNotFoundError:
        return False


def _batches(person):
    """Every batch whose uploaded file or error file still on the server holds the address:
    an upload only dry-run, or whose row of theirs was skipped as a duplicate, links to no
    lead of theirs, so the files are read (an erasure is rare; the files are few)."""
    if not person.email:
        return []
    batches = ImportBatch.objects.exclude(file="", error_file="").order_by("pk")
    return [
        batch
        for batch in batches
        if (batch.file and _holds(batch.file, person.email))
        or (batch.error_file and _holds(batch.error_file, person.email))
    ]


def export_import_files(person: Person) -> list[Item]:
    return [
        record_item(batch, exclude=["options", "runner", "checksum", "message", "file"])
        for batch in _batches(person)
    ]


def erase_import_files(person: Person, *, user) -> dict[str, int]:
    files = 0
    for batch in _batches(person):
        encoding = batch.options.get("encoding") or "utf-8-sig"
        files += _scrub_file(batch.file, person, encoding) + _scrub_file(batch.error_file, person)
    # A lead's identifier in the system it came from, if it is their address or name.
    scrub_rows(ExternalKey.objects.filter(lead__in=person.pks_of("leads.Lead")), person)
    return {"import_files": files}


def register() -> None:
    register_personal_data(
        PersonalData(
            "accounts", _("Accounts"), export=export_accounts, erase=erase_accounts,
            find=find_accounts, order=22,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData(
            "opportunities", _("Opportunities"), export=export_opportunities,
            erase=erase_opportunities, order=25,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData(
            "import_files", _("Import files"), export=export_import_files,
            erase=erase_import_files, order=65,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData(
            "task_results", _("Background tasks"), export=export_task_results,
            erase=erase_task_results, order=90,
        )
    )  # fmt: skip
    register_personal_data(
        PersonalData(
            "log_entries", _("Administration log"), export=lambda person: [],
            erase=erase_log_entries, order=95,
        )
    )  # fmt: skip
