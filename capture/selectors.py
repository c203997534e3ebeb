"""Reading what a web form submission brought with a lead, for the lead page's "Web form"
panel (capture/panels.py) and the API's lead representation.

The duplicate matches were found among what the form's user could see; a viewer is shown a
link only to the matches they may see themselves (one query for any number of submissions)."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, Value

from accounts.models import Account, Contact
from capture.models import UTM_FIELDS, Submission
from leads.models import Lead

MATCH_MODELS = {"lead": Lead, "contact": Contact, "account": Account}
SAFE_SCHEMES = ("https://", "http://")


def submission_of(lead):
    """The lead's submission when it was loaded with select_related("web_submission"), else
    None (no query)."""
    try:
        return lead.web_submission
    except ObjectDoesNotExist:
        return None


def load_submission(lead):
    """The lead's submission with its form, or None: one query."""
    return Submission.objects.filter(lead=lead).select_related("web_form").first()


def visible_matches(user, submissions):
    """{(type, pk)} of the submissions' duplicate matches `user` may see: one UNION query, none
    when no submission has matches."""
    wanted = {}
    for submission in submissions:
        if submission is None:
            continue
        for match in submission.possible_duplicates or []:
            if match.get("type") in MATCH_MODELS and isinstance(match.get("id"), int):
                wanted.setdefault(match["type"], set()).add(match["id"])
    parts = [
        MATCH_MODELS[kind]
        .objects.visible_to(user)
        .filter(pk__in=sorted(pks))
        .order_by()
        .annotate(match_type=Value(kind, output_field=CharField()))
        .values_list("match_type", "pk")
        for kind, pks in sorted(wanted.items())
    ]
    if not parts:
        return set()
    first, *rest = parts
    query = first.union(*rest, all=True) if rest else first
    # An explicit order on the selected columns: the models' default ordering names
    # columns the union does not select.
    return set(query.order_by("match_type", "pk"))


def _safe_url(url):
    return url if url.lower().startswith(SAFE_SCHEMES) else ""


def submission_data(submission, visible):
    """What the panel and the API show of one submission (`visible` from visible_matches)."""
    matches = submission.possible_duplicates or []
    shown = []
    for match in matches:
        key = (match.get("type"), match.get("id"))
        if key in visible:
            model = MATCH_MODELS[key[0]]
            shown.append(
                {
                    "type": key[0],
                    "id": key[1],
                    "name": match.get("name", ""),
                    "url": model(pk=key[1]).get_absolute_url(),
                }
            )
    return {
        "web_form": submission.web_form.name,
        "submitted_at": submission.submitted_at,
        **{name: getattr(submission, name) for name in UTM_FIELDS},
        "referrer_url": submission.referrer_url,
        "referrer_link": _safe_url(submission.referrer_url),
        "possible_duplicate": bool(matches),
        "duplicates": shown,
        "hidden_duplicates": len(matches) - len(shown),
    }
