"""The search indexes of accounts and contacts (crm.search_index): what the global search
matches them by. Account: name, e-mail and website folded, the main phone as digits. Contact:
first, middle and last name, e-mail and the account's name folded, business and mobile phone
as digits (so "Havn Logistics" finds the people who work there). The models' refresh_keys()
keep search_text current on every save, and an account's rename rewrites its contacts'
(Account.save); migration 0005 fills it and builds the index (trigram GIN on PostgreSQL, FTS5
on SQLite); `manage.py rebuild_search_index` rebuilds it."""

from crm.lib import search
from crm.search_index import SearchIndex

# Migrations use these too: they cannot import the models.
ACCOUNT_FIELDS = ("name", "email", "website", "phone")
CONTACT_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "business_phone",
    "mobile_phone",
    "account__name",
)


def account_text(name, email, website, phone):
    return search.search_text((name, email, website), (phone,))


def contact_text(first, middle, last, email, business, mobile, account_name):
    return search.search_text((first, middle, last, email, account_name or ""), (business, mobile))


ACCOUNT_INDEX = SearchIndex(
    table="accounts_account", fields=ACCOUNT_FIELDS, text_of=account_text, label="accounts.Account"
)
CONTACT_INDEX = SearchIndex(
    table="accounts_contact", fields=CONTACT_FIELDS, text_of=contact_text, label="accounts.Contact"
)
