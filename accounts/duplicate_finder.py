"""The contacts' and accounts' possible duplicates, found in batch (crm/duplicate_finder.py):
active records that are not merged. Contacts: the same e-mail, phone or mobile key, or the
same person key at the same account. Accounts: the same e-mail, phone or domain key, or the
same sound key with a similar name."""

from django.db.models import Q

from accounts.models import Account, Contact
from crm.duplicate_finder import Finder, KeyRule, register_finder
from crm.models import PossibleDuplicate

Reason = PossibleDuplicate.Reason
ACTIVE = Q(is_active=True, merged_into__isnull=True)

CONTACT_FINDER = Finder(
    model=Contact,
    active=ACTIVE,
    rules=(
        KeyRule("email_key", Reason.EMAIL, 100),
        KeyRule("phone_key", Reason.PHONE, 95),
        KeyRule("mobile_key", Reason.PHONE, 95),
        KeyRule("name_key", Reason.NAME_ACCOUNT, 90, same=("account",)),
    ),
    shows=("first_name", "last_name", "account", "email", "business_phone", "owner"),
)

ACCOUNT_FINDER = Finder(
    model=Account,
    active=ACTIVE,
    rules=(
        KeyRule("email_key", Reason.EMAIL, 100),
        KeyRule("phone_key", Reason.PHONE, 95),
        KeyRule("domain_key", Reason.DOMAIN, 90),
        KeyRule("name_sound", Reason.NAME, similar=("name_key",)),
    ),
    shows=("name", "email", "phone", "website", "owner"),
)


def register():
    register_finder(Contact, CONTACT_FINDER)
    register_finder(Account, ACCOUNT_FINDER)
