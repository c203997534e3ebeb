"""Possible duplicates of a lead being entered: other leads, contacts and accounts.

Leads are narrowed by their indexed normalised keys (one query), then scored with the shared
helpers of crm.lib.duplicates; contacts and accounts are asked through accounts.duplicates.
Only records the user can see are offered."""

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.duplicates import account_matches, contact_matches
from crm.lib import duplicates
from crm.lib.duplicates import NAME_THRESHOLD, Match, name_similarity, rank_matches
from leads.models import Lead

CANDIDATE_LIMIT = 200


def lead_matches(*, user, data, exclude_pk=None, limit=10):
    """Visible leads that look like `data` (lead field values), best first."""
    email_key = duplicates.normalise_email(data.get("email"))
    phone_keys = {
        key
        for key in (
            duplicates.normalise_phone(data.get("business_phone")),
            duplicates.normalise_phone(data.get("mobile_phone")),
        )
        if key
    }
    name_key = duplicates.person_key(data.get("first_name", ""), data.get("last_name", ""))
    company_key = duplicates.company_key(data.get("company_name", ""))

    narrow = Q()
    if email_key:
        narrow |= Q(email_key=email_key)
    if phone_keys:
        narrow |= Q(phone_key__in=phone_keys)
    if name_key and company_key:
        narrow |= Q(company_key__startswith=company_key.split()[0])
    if not narrow:
        return []
    # A merged lead is its master now: never offered as a duplicate again.
    candidates = Lead.objects.visible_to(user).filter(narrow, merged_into__isnull=True)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)

    matches = []
    for lead in candidates.order_by("-pk")[:CANDIDATE_LIMIT]:
        reasons, score = [], 0
        if email_key and lead.email_key == email_key:
            reasons.append(_("same e-mail address"))
            score = 100
        if phone_keys and lead.phone_key in phone_keys:
            reasons.append(_("same phone number"))
            score = max(score, 95)
        if name_key and company_key:
            company = name_similarity(company_key, lead.company_key)
            person = name_similarity(name_key, lead.name_key)
            if company >= NAME_THRESHOLD and person >= NAME_THRESHOLD:
                reasons.append(_("similar name and company"))
                score = max(score, min(company, person))
        if reasons:
            matches.append(Match(record=lead, score=score, reasons=tuple(reasons)))
    return rank_matches(matches, limit=limit)


def possible_duplicates(*, user, data, exclude_pk=None):
    """Leads, contacts and accounts matching a lead's values (the entry form's warning)."""
    return [
        *lead_matches(user=user, data=data, exclude_pk=exclude_pk),
        *contact_matches(
            user=user,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
            phones=[data.get("business_phone", ""), data.get("mobile_phone", "")],
            account=data.get("existing_account"),
        ),
        *account_matches(
            user=user,
            name=data.get("company_name", ""),
            email=data.get("email", ""),
            phone=data.get("business_phone", ""),
            website=data.get("website", ""),
        ),
    ]


def _only_sure(matches):
    """The record of the one sure match, None when there is none or more than one (then
    the user chooses among the suggestions)."""
    sure = [match.record for match in matches if match.sure]
    return sure[0] if len(sure) == 1 else None


def qualification_duplicates(*, user, lead):
    """Accounts and contacts like the ones qualifying `lead` would create, and the one that
    is a sure match of each (`sure_account`, `sure_contact`), which the page preselects."""
    found = {
        "accounts": account_matches(
            user=user,
            name=lead.company_name,
            email=lead.email,
            phone=lead.business_phone,
            website=lead.website,
        )
        if lead.company_name
        else [],
        "contacts": contact_matches(
            user=user,
            first_name=lead.first_name,
            last_name=lead.last_name,
            email=lead.email,
            phones=[lead.business_phone, lead.mobile_phone],
            account=lead.existing_account_id,
        )
        if lead.last_name
        else [],
    }
    found["sure_account"] = _only_sure(found["accounts"])
    found["sure_contact"] = _only_sure(found["contacts"])
    return found
