"""The leads' possible duplicates, found in batch (crm/duplicate_finder.py): open leads that
are not merged, paired by the same e-mail key, the same phone key, or the same person key
with a similar company name."""

from django.db.models import Q

from crm.duplicate_finder import Finder, KeyRule, register_finder
from crm.models import PossibleDuplicate
from leads.merge import lead_name
from leads.models import Lead, State

Reason = PossibleDuplicate.Reason


LEAD_FINDER = Finder(
    model=Lead,
    active=Q(state=State.OPEN, merged_into__isnull=True),
    rules=(
        KeyRule("email_key", Reason.EMAIL, 100),
        KeyRule("phone_key", Reason.PHONE, 95),
        KeyRule("name_key", Reason.NAME_COMPANY, similar=("company_key",)),
    ),
    shows=(
        "topic",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "business_phone",
        "city",
        "owner",
    ),
    title=lead_name,  # as the merge screens name it: "Anna Jensen (Nordic Foods)"
)


def register():
    register_finder(Lead, LEAD_FINDER)
