"""The contact and account merge pages (activities/merge_views.py does the work for every
kind): their models, services and words."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.forms import AccountForm, ContactForm
from accounts.merge import merge_accounts, merge_contacts
from accounts.models import Account, Contact
from activities.merge_views import MergeKind


def _state(record):
    return "" if record.is_active else _("Inactive")


def _contacts_merged(count, master):
    return ngettext(
        "Merged %(n)s contact into %(master)s.", "Merged %(n)s contacts into %(master)s.", count
    ) % {"n": count, "master": master}


def _accounts_merged(count, master):
    return ngettext(
        "Merged %(n)s account into %(master)s.", "Merged %(n)s accounts into %(master)s.", count
    ) % {"n": count, "master": master}


CONTACTS = MergeKind(
    model=Contact,
    merge=merge_contacts,
    page_url="accounts:merge_contacts",
    lookup="contact",
    selected="contacts",
    plural=gettext_lazy("contacts"),
    merged=_contacts_merged,
    state=_state,
    can_be_master=lambda contact: contact.is_active,
    related=("account",),
    order=tuple(ContactForm.Meta.fields),
    list_url="accounts:contact_list",
)
ACCOUNTS = MergeKind(
    model=Account,
    merge=merge_accounts,
    page_url="accounts:merge_accounts",
    lookup="account",
    selected="accounts",
    plural=gettext_lazy("accounts"),
    merged=_accounts_merged,
    state=_state,
    can_be_master=lambda account: account.is_active,
    related=("parent_account",),
    order=tuple(AccountForm.Meta.fields),
    list_url="accounts:account_list",
)
contact_merge = CONTACTS.view
account_merge = ACCOUNTS.view
