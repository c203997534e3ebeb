"""The leads' possible duplicates, found in batch (crm/duplicate_finder.py): open leads that
are not merged, paired by the same e-mail key, the same phone key, or the same person key
with a similar company name."""

from django.db.models import Q

from crm.duplicate_finder import Finder, KeyRule, register_finder
from crm.models import PossibleDuplicate
from leads.models import Lead, State

Reason = PossibleDuplicate.Reason


def lead_title(lead):
    """A lead by its person and company ("Anna Jensen, Nordic Foods"), as the lead list shows
    them (Lead.full_name beside the company), else by its topic."""
    return ", ".join(part for part in (lead.full_name, lead.company_name) if part) or str(lead)


LEAD_FINDER = Finder(
    model=Lead,
    active=Q(state=State.OPEN, merged_into__isnull=True),
    rules=(
        KeyRule("email_key", Reason.EMAIL, 100),
        KeyRule("phone_key", Reason.PHONE, 95),
        KeyRule("name_key", Reason.NAME_COMPANY, similar=("company_key",)),
    ),
    shows=("first_name", "last_name", "company_name", "email", "business_phone", "owner"),
    title=lead_title,
)


def register():
    register_finder(Lead, LEAD_FINDER)
