"""Duplicate candidates for accounts and contacts.

One query per check: the indexed normalised keys narrow the rows (exact e-mail, phone or
domain; for a company name, any of its words as another name's first word, or the same sound
key, which ignores word order and sound-keeping typos; the same account or e-mail domain for
people), at most CANDIDATE_LIMIT of them, the strongest keys first, and only those are
scored in Python with crm.lib.duplicates.name_similarity. So the check stays fast however
large the table grows.

Only records the user can see are offered: a duplicate warning must not leak another team's
customers.
"""

from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from crm.lib import duplicates
from crm.lib.duplicates import NAME_THRESHOLD, Match, name_similarity, rank_matches

CANDIDATE_LIMIT = 200
# How many of a name's distinctive words may find accounts starting with that word.
NAME_WORDS_TRIED = 4


def _similar_name_reason(score):
    return _("similar name (%(score)s%%)") % {"score": score}


def account_matches(*, user, name="", email="", phone="", website="", exclude_pk=None, limit=10):
    """Visible accounts that look like the one described, best first, as `Match`es."""
    name_key = duplicates.company_key(name)
    email_key = duplicates.normalise_email(email)
    phone_key = duplicates.normalise_phone(phone)
    domain_key = duplicates.website_domain(website) or duplicates.company_domain(email)

    narrow = Q()
    sound = duplicates.sound_key(name_key)[:160]
    if name_key:
        # Any of the first few distinctive words is another name's first word: "Acme" and
        # "Nordic Acme" find "Acme Nordic"; the same sound key: other word order or a typo
        # that keeps the sound ("Fabricam" finds "Fabrikam"). Fuzzy scoring then decides.
        words = duplicates.name_words(name_key)[:NAME_WORDS_TRIED]
        narrow |= Q(name_token__in=[word[:60] for word in words]) | Q(name_sound=sound)
    if email_key:
        narrow |= Q(email_key=email_key)
    if phone_key:
        narrow |= Q(phone_key=phone_key)
    if domain_key:
        narrow |= Q(domain_key=domain_key)
    if not narrow:
        return []
    # Merged records are their master now: never offered as duplicates again.
    candidates = Account.objects.visible_to(user).filter(narrow, merged_into__isnull=True)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)

    # At most CANDIDATE_LIMIT rows: exact keys first, then the same sound, then shared words.
    exact = {"email_key": email_key, "phone_key": phone_key, "domain_key": domain_key}
    priority = [When(**{field: key}, then=0) for field, key in exact.items() if key]
    if name_key:
        priority += [When(name_key=name_key[:160], then=1), When(name_sound=sound, then=2)]
    candidates = candidates.annotate(priority=Case(*priority, default=Value(3)))

    matches = []
    for account in candidates.order_by("priority", "-pk")[:CANDIDATE_LIMIT]:
        reasons, score = [], 0
        if email_key and account.email_key == email_key:
            reasons.append(_("same e-mail address"))
            score = max(score, 100)
        if phone_key and account.phone_key == phone_key:
            reasons.append(_("same phone number"))
            score = max(score, 95)
        if domain_key and account.domain_key == domain_key:
            reasons.append(_("same web or e-mail domain"))
            score = max(score, 90)
        similarity = name_similarity(name_key, account.name_key)
        if similarity >= NAME_THRESHOLD:
            reasons.append(_similar_name_reason(similarity))
            score = max(score, similarity)
        if reasons:
            # The same e-mail address or the same normalised name (legal form, case and
            # accents aside) is this company; a similar name or a shared phone only may not be.
            sure = (email_key and account.email_key == email_key) or (
                name_key and account.name_key == name_key[:160]
            )
            matches.append(
                Match(record=account, score=score, reasons=tuple(reasons), sure=bool(sure))
            )
    return rank_matches(matches, limit=limit)


def contact_matches(
    *,
    user,
    first_name="",
    last_name="",
    email="",
    phones=(),
    account=None,
    exclude_pk=None,
    limit=10,
):
    """Visible contacts that look like the person described, best first, as `Match`es.

    Same e-mail or phone number matches on its own; a similar name counts only with the
    same account or the same (non free-mail) e-mail domain, as Dynamics' rules do.
    """
    email_key = duplicates.normalise_email(email)
    email_domain = duplicates.company_domain(email)
    phone_keys = {key for key in map(duplicates.normalise_phone, phones) if key}
    name_key = duplicates.person_key(first_name, last_name)
    account_id = getattr(account, "pk", account)

    narrow = Q()
    if email_key:
        narrow |= Q(email_key=email_key)
    if phone_keys:
        narrow |= Q(phone_key__in=phone_keys) | Q(mobile_key__in=phone_keys)
    if name_key and account_id:
        narrow |= Q(account_id=account_id)
    if name_key and email_domain:
        narrow |= Q(email_domain=email_domain)
    if not narrow:
        return []
    candidates = (
        Contact.objects.visible_to(user)
        .filter(narrow, merged_into__isnull=True)
        .select_related("account")
    )
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)

    matches = []
    for contact in candidates.order_by("-pk")[:CANDIDATE_LIMIT]:
        reasons, score = [], 0
        if email_key and contact.email_key == email_key:
            reasons.append(_("same e-mail address"))
            score = max(score, 100)
        if phone_keys & {contact.phone_key, contact.mobile_key} - {""}:
            reasons.append(_("same phone number"))
            score = max(score, 95)
        same_company = (account_id and contact.account_id == account_id) or (
            email_domain and contact.email_domain == email_domain
        )
        similarity = name_similarity(name_key, contact.name_key)
        if same_company and similarity >= NAME_THRESHOLD:
            reasons.append(_similar_name_reason(similarity))
            score = max(score, similarity)
        if reasons:
            # The same e-mail address, or the same phone number and the same name: this
            # person. A similar name at the same company may be a colleague.
            same_phone = bool(phone_keys & {contact.phone_key, contact.mobile_key} - {""})
            sure = (email_key and contact.email_key == email_key) or (
                same_phone and name_key and contact.name_key == name_key[:110]
            )
            matches.append(
                Match(record=contact, score=score, reasons=tuple(reasons), sure=bool(sure))
            )
    return rank_matches(matches, limit=limit)
