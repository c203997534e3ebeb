"""Merging contacts and accounts (Dynamics' Merge message), on the engine of
activities/merge.py: the merged records become inactive, read-only and point to the master
(`merged_into`); their activities, notes, inquiries, child contacts and accounts, and what
the apps above registered (opportunities, links and leads) move to the master."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, Contact
from activities.merge import (
    MergeRefused,
    MergeRules,
    MovedItems,
    may_undo,
    merge_preview,
    merge_records,
    mergeable_fields,
    merged_into_master,
    register_builtin_moves,
    register_merge_rules,
    register_moved_items,
    undo_merge,
)
from activities.models import RecordMerge
from crm.models import User
from crm.services import save_new_version

__all__ = [
    "merge_contacts",
    "merge_accounts",
    "undo_merge",
    "may_undo",
    "merge_preview",
    "mergeable_fields",
    "merged_into_master",
]


def _check_master(master: Account | Contact) -> None:
    if not master.is_active:
        raise MergeRefused(
            _("The master must be active: %(record)s is inactive. Activate it first.")
            % {"record": master}
        )


def _retire(record: Account | Contact, *, user: User, master: Account | Contact) -> None:
    record.is_active = False
    save_new_version(record, user, validate=False)


def _reinstate(
    record: Account | Contact, *, user: User, before: dict, master: Account | Contact
) -> None:
    record.is_active = before.get("is_active", True)
    save_new_version(record, user, validate=False)


def _refresh_contacts_search_text(pks: list[int]) -> None:
    """Contacts are found by their account's name: moved ones get the master's."""
    for contact in Contact.objects.filter(pk__in=pks).select_related("account"):
        before = contact.search_text
        contact.refresh_keys()
        if contact.search_text != before:
            Contact.objects.filter(pk=contact.pk).update(search_text=contact.search_text)


def register() -> None:
    """From AccountsConfig.ready(): contacts and accounts are mergeable; an account's
    contacts and child accounts move with it."""
    for label in ("accounts.Account", "accounts.Contact"):
        register_merge_rules(
            label,
            MergeRules(
                state_fields=("is_active",),
                check_master=_check_master,
                retire=_retire,
                reinstate=_reinstate,
            ),
        )
        register_builtin_moves(label)
    register_moved_items(
        MovedItems(
            key="contacts",
            label=gettext_lazy("Contacts"),
            merged="accounts.Account",
            model="accounts.Contact",
            field="account",
            after=_refresh_contacts_search_text,
        )
    )
    register_moved_items(
        MovedItems(
            key="child_accounts",
            label=gettext_lazy("Child accounts"),
            merged="accounts.Account",
            model="accounts.Account",
            field="parent_account",
        )
    )


def merge_contacts(
    *,
    user: User,
    master: Contact,
    others: list[Contact],
    take: dict | None = None,
    versions: dict | None = None,
) -> RecordMerge:
    """Merge up to two contacts into the active contact `master` (one transaction, every
    row locked; see activities/merge.py for `take` and `versions`)."""
    _same_kind(Contact, master, others)
    return merge_records(user=user, master=master, others=others, take=take, versions=versions)


def merge_accounts(
    *,
    user: User,
    master: Account,
    others: list[Account],
    take: dict | None = None,
    versions: dict | None = None,
) -> RecordMerge:
    """Merge up to two accounts into the active account `master`: their contacts, child
    accounts, opportunities, activities, notes and inquiries move to it."""
    _same_kind(Account, master, others)
    return merge_records(user=user, master=master, others=others, take=take, versions=versions)


def _same_kind(model: type, master: object, others: list) -> None:
    if not all(isinstance(record, model) for record in (master, *others)):
        raise MergeRefused(
            _("Only %(kind)s can be merged here.") % {"kind": model._meta.verbose_name_plural}
        )
