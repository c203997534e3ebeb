"""The permission matrix: every URL of the URL configuration, for every persona, answers what
the table says, shows no record the persona may not see, and a POST from outside the scope
changes nothing.

The table (ROWS, and ADMIN_MODELS for the admin site) is keyed by URL name; the URL list is
walked from django.urls.get_resolver(), so a new URL without a row fails
test_every_url_has_a_row_and_every_row_a_url, naming it. Each expectation is one line of
statuses in the order of the personas (crm/tests/matrix_world.py says who they are):

    rep  other_rep  manager  other_manager  admin  shared  anon

"-" means the persona is not asked: a POST is asked only of those it must refuse (each in a
savepoint rolled back after), and the row it is about must stay as it was. The records asked
about are alice's (the rep's) unless the row says otherwise. Run with MATRIX_PRINT=1 (and -s)
to print what each URL answered, in the table's shape."""

import os
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from crm.tests.factories import UserFactory
from crm.tests.matrix_world import PERSONAS, build_world

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Row:
    get: str | None = None  # statuses of a GET, or None: not asked with GET
    post: str | None = None  # statuses of a POST, asked inside a rolled-back savepoint
    kwargs: object = None  # {name: value} or a function of the world
    query: object = field(default_factory=dict)  # GET parameters, or a function of the world
    data: object = None  # POST data, or a function of the world
    target: str = ""  # the record whose row must not change on a refused POST
    scan: bool = True  # look for invisible markers in a 200's body
    people: bool = True  # and for teams and people the persona does not work with
    headers: dict = field(default_factory=dict)


def pk(key, name="pk"):
    return lambda w: {name: w[key].pk}


def label_of(key):
    return lambda w: {"model_label": w[key]._meta.label_lower, "object_id": w[key].pk}


def action(key, post, data=None, *, target=None, anonymous="302"):
    """An action on the record `key` (its pk in the URL) that only POSTs: `post` the
    statuses, and the record (or `target`) unchanged when refused."""
    get = f"{' '.join(['405'] * 6)} {anonymous}"
    return Row(get=get, post=post, kwargs=pk(key), data=data, target=target or key)


def _merge_ids(kind, *, master=False):
    """The ids of alice's and the North queue's record of `kind` (and alice's as the master)."""

    def ids(world):
        pks = [world[f"{kind}:alice"].pk, world[f"{kind}:north"].pk]
        query = {"ids": ",".join(map(str, pks))}
        return {**query, "master": pks[0]} if master else query

    return ids


def api_action(key, post, data=None, *, target=None):
    """The same for an API action (the anonymous get 401)."""
    return action(key, post, data, target=target, anonymous="401")


# Shapes that repeat (the literal table below uses them by name, not by rule):
#   OWN_READ  a page of one of alice's records: her team and the administrator see it;
#             South, West and the anonymous get 404 / 404 / the login.
#   SHARED_READ / SHARED_NO_WRITE  the same for alice's lead and account (and what hangs off
#             them), which dana reads through a share: she sees them, may not change them.
#   EVERYONE  a page every signed-in user opens (lists: scoped inside, see the markers).
OWN_READ = "200 404 200 404 200 404 302"
CONSENT = {"consent-purpose": "phone", "consent-status": "withdrawn", "consent-how": "phone"}
SHARED_READ = "200 404 200 404 200 200 302"  # dana has a read share of alice's lead, account
SHARED_NO_WRITE = "200 404 200 404 200 403 302"  # she sees it but may not change it
EVERYONE = "200 200 200 200 200 200 302"
PUBLIC = "200 200 200 200 200 200 200"

ROWS = {
    # home, reports
    "home": Row(get=EVERYONE),
    "reports:index": Row(get=EVERYONE),
    "reports:lead_sources": Row(get=EVERYONE),
    "reports:funnel": Row(get=EVERYONE),
    "scoring_report:report": Row(get=EVERYONE),
    "reports:time_in_status": Row(get=EVERYONE),
    "reports:disqualification": Row(get=EVERYONE),
    "reports:untouched_leads": Row(get=EVERYONE),
    # the organisation: login, profile
    "login": Row(get=PUBLIC, scan=False),
    "logout": Row(get="405 405 405 405 405 405 302"),
    "password_change": Row(get=EVERYONE),
    "password_change_done": Row(get=EVERYONE),
    "password_reset": Row(get=PUBLIC),
    "password_reset_done": Row(get=PUBLIC),
    "password_reset_confirm": Row(get=PUBLIC, kwargs={"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": Row(get=PUBLIC),
    "invitation_accept": Row(get=PUBLIC, kwargs={"uidb64": "MQ", "token": "x-y"}),
    "profile": Row(get=EVERYONE),
    "set_language": Row(get="405 405 405 405 405 405 302"),
    "lookup": Row(get=EVERYONE, kwargs={"kind": "account"}, query={"name": "a", "q": "Mkr"}),
    "search": Row(get=EVERYONE, query={"q": "Mkr"}),
    "search_suggest": Row(get=EVERYONE, query={"q": "Mkr"}),
    # accounts and contacts
    "accounts:account_list": Row(get=EVERYONE),
    "accounts:account_create": Row(get=EVERYONE),
    "accounts:account_detail": Row(get=SHARED_READ, kwargs=pk("account:alice")),
    "accounts:account_edit": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=pk("account:alice"),
        data={"name": "Changed"},
        target="account:alice",
    ),
    "accounts:account_deactivate": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=pk("account:alice"),
        target="account:alice",
    ),
    "accounts:account_activate": action("account:alice", "- 404 - 404 - 403 302"),
    "accounts:contact_list": Row(get=EVERYONE),
    "accounts:contact_create": Row(get=EVERYONE),
    "accounts:contact_detail": Row(get=OWN_READ, kwargs=pk("contact:alice")),
    "accounts:contact_edit": Row(
        get=OWN_READ,
        post="- 404 - 404 - 404 302",
        kwargs=pk("contact:alice"),
        data={"last_name": "Changed"},
        target="contact:alice",
    ),
    "accounts:contact_deactivate": Row(
        get=OWN_READ,
        post="- 404 - 404 - 404 302",
        kwargs=pk("contact:alice"),
        target="contact:alice",
    ),
    "accounts:contact_activate": action("contact:alice", "- 404 - 404 - 404 302"),
    "accounts:account_duplicates": Row(get=EVERYONE),
    "accounts:account_dismiss_duplicate": Row(
        get="405 405 405 405 405 405 302", post="- 404 - 404 - 404 302", kwargs={"pk": 999999}
    ),
    "accounts:account_restore_duplicate": Row(
        get="405 405 405 405 405 405 302", post="- 404 - 404 - 404 302", kwargs={"pk": 999999}
    ),
    "accounts:contact_duplicates": Row(get=EVERYONE),
    "accounts:contact_dismiss_duplicate": Row(
        get="405 405 405 405 405 405 302", post="- 404 - 404 - 404 302", kwargs={"pk": 999999}
    ),
    "accounts:contact_restore_duplicate": Row(
        get="405 405 405 405 405 405 302", post="- 404 - 404 - 404 302", kwargs={"pk": 999999}
    ),
    # opportunities
    "opportunities:list": Row(get=EVERYONE),
    "opportunities:board": Row(get=EVERYONE),
    "opportunities:create": Row(get=EVERYONE),
    "opportunities:detail": Row(get=OWN_READ, kwargs=pk("opportunity:alice")),
    "opportunities:edit": Row(
        get=OWN_READ,
        post="- 404 - 404 - 404 302",
        kwargs=pk("opportunity:alice"),
        data={"topic": "Changed"},
        target="opportunity:alice",
    ),
    "opportunities:close": Row(
        get=OWN_READ,
        post="- 404 - 404 - 404 302",
        kwargs=pk("opportunity:alice"),
        data={"outcome": "won"},
        target="opportunity:alice",
    ),
    "opportunities:set_stage": action(
        "opportunity:alice", "- 404 - 404 - 404 302", data={"stage": "develop"}
    ),
    "opportunities:reopen": action("opportunity:alice", "- 404 - 404 - 404 302"),
    # leads
    "leads:list": Row(get=EVERYONE),
    "leads:board": Row(get=EVERYONE),
    "leads:export": Row(get=EVERYONE),
    "leads:create": Row(get=EVERYONE),
    "leads:bulk": Row(
        get="405 405 405 405 405 405 302",
        post="- 302 - 302 - 302 302",
        data=lambda w: {
            "action": "assign",
            "leads": [w["lead:alice"].pk],
            "owner": f"user:{w.users['other_rep'].pk}",
        },
        target="lead:alice",
    ),
    "leads:detail": Row(get=SHARED_READ, kwargs=pk("lead:alice")),
    # Possible duplicates (crm/duplicate_views.py): scoped inside; no pair is a 404.
    "leads:duplicates": Row(get=EVERYONE),
    "leads:dismiss_duplicate": Row(
        get="405 405 405 405 405 405 302", post="- 404 - 404 - 404 302", kwargs={"pk": 999999}
    ),
    "leads:restore_duplicate": Row(
        get="405 405 405 405 405 405 302", post="- 404 - 404 - 404 302", kwargs={"pk": 999999}
    ),
    "leads:edit": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=pk("lead:alice"),
        data={"last_name": "Changed"},
        target="lead:alice",
    ),
    "leads:qualify": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=pk("lead:alice"),
        target="lead:alice",
    ),
    "leads:disqualify": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=pk("lead:alice"),
        data={"status": "lost"},
        target="lead:alice",
    ),
    "leads:reactivate": action("lead:alice", "- 404 - 404 - 403 302"),
    "leads:set_status": action(
        "lead:alice", "- 404 - 404 - 403 302", data={"status": "contacted"}
    ),
    "leads:assign": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=pk("lead:alice"),
        data=lambda w: {"owner": f"user:{w.users['other_rep'].pk}"},
        target="lead:alice",
    ),
    "leads:edit_field": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=lambda w: {"pk": w["lead:alice"].pk, "name": "rating"},
        data={"rating": "hot"},
        target="lead:alice",
    ),
    "leads:link": action(
        "lead:alice", "- 404 - 404 - 403 302", data=lambda w: {"account": w["account:carol"].pk}
    ),
    "leads:unlink": Row(
        get="405 405 405 405 405 405 302",
        post="- 404 - 404 - 403 302",
        kwargs=lambda w: {"pk": w["lead:alice"].pk, "link_pk": w["link:alice"].pk},
        target="link:alice",
    ),
    "leads:record_link": Row(
        get=SHARED_READ,
        post="- 404 - 404 - 302 302",
        kwargs=lambda w: {"record_kind": "account", "record_pk": w["account:alice"].pk},
        data=lambda w: {"lead": w["lead:carol"].pk},
        target="account:alice",
    ),
    "leads:record_unlink": Row(
        get="405 405 405 405 405 405 302",
        post="- 404 - 404 - 403 302",
        kwargs=lambda w: {
            "record_kind": "account",
            "record_pk": w["account:alice"].pk,
            "link_pk": w["link:alice"].pk,
        },
        target="link:alice",
    ),
    # imports (the manager's batch)
    "imports:list": Row(get="403 403 200 200 200 403 302"),
    "imports:detail": Row(get="403 403 200 404 200 403 302", kwargs=pk("import:maria")),
    "imports:progress": Row(get="403 403 204 404 204 403 302", kwargs=pk("import:maria")),
    "imports:errors": Row(get="403 403 200 404 200 403 302", kwargs=pk("import:maria")),
    "imports:start": action("import:maria", "403 403 - 404 - 403 302"),
    # routing
    "routing:apply": Row(
        get="405 405 405 405 405 405 302",
        post="- 302 - 302 - 302 302",
        data=lambda w: {"leads": [w["lead:alice"].pk]},
        target="lead:alice",
    ),
    "routing:claim": action("lead:north", "- 404 - 404 - 404 302"),
    # activities, notes, inquiries
    "activities:mine": Row(get=EVERYONE),
    "activities:timeline": Row(get=SHARED_READ, kwargs=label_of("lead:alice")),
    "activities:quick_add": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=lambda w: {**label_of("lead:alice")(w), "kind": "note"},
        data={"text": "Sneaked in"},
        target="lead:alice",
    ),
    "activities:edit": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=pk("activity:alice"),
        data={"subject": "Changed"},
        target="activity:alice",
    ),
    "activities:complete": action("activity:alice", "- 404 - 404 - 404 302"),
    "activities:cancel": action("activity:alice", "- 404 - 404 - 404 302"),
    "activities:inquiry_resolve": action(
        "inquiry:alice", "- 404 - 404 - 404 302", data={"resolution": "Done"}
    ),
    "activities:inquiry_cancel": action("inquiry:alice", "- 404 - 404 - 404 302"),
    "activities:note_edit": Row(
        get=OWN_READ,
        post="- 404 - 404 - 404 302",
        kwargs=pk("note:alice"),
        data={"text": "Changed"},
        target="note:alice",
    ),
    "activities:note_delete": action("note:alice", "- 404 - 404 - 404 302"),
    "activities:attachment": Row(get=SHARED_READ, kwargs=pk("note:alice"), scan=False),
    # the API (JSON: markers are looked for in it too)
    "api:user-list": Row(get="200 200 200 200 200 200 401"),
    "api:user-detail": Row(
        get="200 404 200 404 200 404 401", kwargs=lambda w: {"pk": w.users["rep"].pk}
    ),
    "api:team-list": Row(get="200 200 200 200 200 200 401"),
    "api:team-detail": Row(
        get="200 404 200 404 200 404 401", kwargs=lambda w: {"pk": w.teams["north"].pk}
    ),
    "api:account-list": Row(get="200 200 200 200 200 200 401"),
    "api:account-detail": Row(get="200 404 200 404 200 200 401", kwargs=pk("account:alice")),
    "api:contact-list": Row(get="200 200 200 200 200 200 401"),
    "api:contact-detail": Row(get="200 404 200 404 200 404 401", kwargs=pk("contact:alice")),
    "api:opportunity-list": Row(get="200 200 200 200 200 200 401"),
    "api:opportunity-detail": Row(
        get="200 404 200 404 200 404 401", kwargs=pk("opportunity:alice")
    ),
    "api:lead-list": Row(get="200 200 200 200 200 200 401"),
    "api:lead-detail": Row(get="200 404 200 404 200 200 401", kwargs=pk("lead:alice")),
    "api:lead-assign": api_action(
        "lead:alice",
        "- 404 - 404 - 403 401",
        data=lambda w: {"owner_user": w.users["other_rep"].pk},
    ),
    "api:lead-associate": api_action(
        "lead:alice", "- 404 - 404 - 403 401", data=lambda w: {"account": w["account:carol"].pk}
    ),
    "api:lead-claim": api_action("lead:north", "- 404 - 404 - 404 401"),
    "api:lead-disassociate": api_action(
        "lead:alice",
        "- 404 - 404 - 403 401",
        data=lambda w: {"account": w["account:alice"].pk},
        target="link:alice",
    ),
    "api:lead-disqualify": api_action(
        "lead:alice", "- 404 - 404 - 403 401", data={"status": "lost"}
    ),
    "api:lead-qualify": api_action("lead:alice", "- 404 - 404 - 403 401"),
    # Merges (api/merge.py): dana reads alice's lead and account through a share, no edits.
    "api:lead-merge": api_action(
        "lead:alice",
        "- 404 - 404 - 403 401",
        data=lambda w: {"subordinates": [w["lead:alice"].pk]},
    ),
    "api:lead-merge-undo": replace(
        api_action("lead:alice", "- 404 - 404 - 404 401"),
        kwargs=lambda w: {"pk": w["lead:alice"].pk, "merge_pk": 999999},
    ),
    "api:contact-merge": api_action(
        "contact:alice",
        "- 404 - 404 - 404 401",
        data=lambda w: {"subordinates": [w["contact:alice"].pk]},
    ),
    "api:contact-merge-undo": replace(
        api_action("contact:alice", "- 404 - 404 - 404 401"),
        kwargs=lambda w: {"pk": w["contact:alice"].pk, "merge_pk": 999999},
    ),
    "api:account-merge": api_action(
        "account:alice",
        "- 404 - 404 - 403 401",
        data=lambda w: {"subordinates": [w["account:alice"].pk]},
    ),
    "api:account-merge-undo": replace(
        api_action("account:alice", "- 404 - 404 - 404 401"),
        kwargs=lambda w: {"pk": w["account:alice"].pk, "merge_pk": 999999},
    ),
    "api:lead-reactivate": api_action("lead:alice", "- 404 - 404 - 403 401"),
    "api:lead-route": api_action("lead:alice", "- 404 - 404 - 403 401"),
    "api:leadsource-list": Row(get="200 200 200 200 200 200 401"),
    "api:leadsource-detail": Row(get="200 200 200 200 200 200 401", kwargs=pk("source")),
    "api:campaign-list": Row(get="200 200 200 200 200 200 401"),
    "api:campaign-detail": Row(get="404 404 404 404 404 404 401", kwargs={"pk": 999999}),
    "api:activity-list": Row(get="200 200 200 200 200 200 401"),
    "api:activity-detail": Row(get="200 404 200 404 200 200 401", kwargs=pk("activity:alice")),
    "api:activity-cancel": api_action("activity:alice", "- 404 - 404 - 403 401"),
    "api:activity-complete": api_action("activity:alice", "- 404 - 404 - 403 401"),
    "api:note-list": Row(get="200 200 200 200 200 200 401"),
    "api:note-detail": Row(get="200 404 200 404 200 200 401", kwargs=pk("note:alice")),
    "api:inquiry-list": Row(get="200 200 200 200 200 200 401"),
    "api:inquiry-detail": Row(get="200 404 200 404 200 200 401", kwargs=pk("inquiry:alice")),
    "api:inquiry-cancel": api_action("inquiry:alice", "- 404 - 404 - 403 401"),
    "api:inquiry-resolve": api_action(
        "inquiry:alice", "- 404 - 404 - 403 401", data={"resolution": "Done"}
    ),
    "api:schema": Row(get=PUBLIC, scan=False),
    "api:docs": Row(get=EVERYONE),
    "api:token_create": Row(get="405 405 405 405 405 405 405"),
    "api:token_revoke": Row(get="405 405 405 405 405 405 405"),
    "api/^(?P<path>.*)$": Row(get="404 404 404 404 404 404 404", kwargs={"path": "nothing/"}),
    # the merge pages (activities/merge_views.py): alice's record and her team's queue's, side
    # by side; dana reads alice's lead and account through a share, not the queue's
    **{
        name: Row(
            get="200 404 200 404 200 404 302",
            post="- 404 - 404 - 404 302",
            query=_merge_ids(kind),
            data=_merge_ids(kind, master=True),
            target=f"{kind}:alice",
        )
        for name, kind in (
            ("leads:merge", "lead"),
            ("accounts:merge_contacts", "contact"),
            ("accounts:merge_accounts", "account"),
        )
    },
    "activities:undo_merge": Row(
        get="405 405 405 405 405 405 302",
        post="404 404 404 404 404 404 302",
        kwargs={"pk": 999999},
    ),
    # history tabs (alice's records)
    "leads:history": Row(get=SHARED_READ, kwargs=pk("lead:alice")),
    "accounts:account_history": Row(get=SHARED_READ, kwargs=pk("account:alice")),
    "accounts:contact_history": Row(get=OWN_READ, kwargs=pk("contact:alice")),
    "opportunities:history": Row(get=OWN_READ, kwargs=pk("opportunity:alice")),
    # deleting (administrators, records made by mistake)
    "leads:delete": Row(
        get="403 404 403 404 200 403 302",
        post="403 404 403 404 - 403 302",
        kwargs=pk("lead:alice"),
        target="lead:alice",
    ),
    "accounts:account_delete": Row(
        get="403 404 403 404 200 403 302",
        post="403 404 403 404 - 403 302",
        kwargs=pk("account:alice"),
        target="account:alice",
    ),
    "accounts:contact_delete": Row(
        get="403 404 403 404 200 404 302",
        post="403 404 403 404 - 404 302",
        kwargs=pk("contact:alice"),
        target="contact:alice",
    ),
    "opportunities:delete": Row(
        get="403 404 403 404 200 404 302",
        post="403 404 403 404 - 404 302",
        kwargs=pk("opportunity:alice"),
        target="opportunity:alice",
    ),
    # sharing (alice's lead, shared with dana)
    # (the share form offers everyone: sharing is how a record reaches another team)
    "share": Row(
        people=False,
        get=SHARED_READ,
        post="- 404 - 404 - 403 302",
        kwargs=lambda w: {"kind": "lead", "pk": w["lead:alice"].pk},
        data=lambda w: {"user": w.users["other_rep"].pk, "access": "read"},
        target="lead:alice",
    ),
    "revoke_share": action("share:lead:alice", "- 404 - 404 - 403 302"),
    # routing rules and web forms in the app (North's rule and form)
    "routing:rules": Row(get="403 403 200 200 200 403 302"),
    "routing:rule_new": Row(get="403 403 200 200 200 403 302"),
    "routing:rule_preview": Row(get="403 403 200 200 200 403 302"),
    "routing:rule_edit": Row(
        get="403 403 200 404 200 403 302",
        post="403 403 - 404 - 403 302",
        kwargs=pk("rule"),
        data={"name": "Changed"},
        target="rule",
    ),
    "routing:rule_set_active": action("rule", "403 403 - 404 - 403 302", data={"is_active": ""}),
    "routing:rule_move": action("rule", "403 403 - 404 - 403 302", data={"direction": "down"}),
    "webforms:list": Row(get="403 403 200 200 200 403 302"),
    # lead scoring (the organisation's rules and settings: any manager, delete for admins)
    "scoring:index": Row(get="403 403 200 200 200 403 302"),
    "scoring:rule_new": Row(get="403 403 200 200 200 403 302"),
    "scoring:rule_edit": Row(
        get="403 403 200 200 200 403 302",
        post="403 403 - - - 403 302",
        kwargs=pk("scoring_rule"),
        data={"name": "Changed"},
        target="scoring_rule",
    ),
    "scoring:rule_delete": Row(
        get="403 403 403 403 200 403 302",
        post="403 403 403 403 - 403 302",
        kwargs=pk("scoring_rule"),
        target="scoring_rule",
    ),
    "scoring:settings": Row(
        get="405 405 405 405 405 405 302", post="403 403 - - - 403 302", data={"grade_a": "90"}
    ),
    # sending e-mail from a record: whoever may add to it (dana's read share: seen, refused)
    "mail:compose": Row(
        get=SHARED_NO_WRITE,
        post="- 404 - 404 - 403 302",
        kwargs=lambda w: {"label": "leads.lead", "pk": w["lead:alice"].pk},
        data={"to": "a@example.com", "subject": "Sneaked", "body": "x"},
    ),
    # sending a failed e-mail again: only one the user may see (none here: not found)
    "mail:retry": Row(
        get="405 405 405 405 405 405 302",
        post="404 404 404 404 404 404 302",
        kwargs=lambda w: {"pk": 999999},
    ),
    # a sent e-mail's status line (polled): only one the user may see (none here: not found)
    "mail:status": Row(
        get="404 404 404 404 404 404 302",
        post="405 405 405 405 405 405 302",
        kwargs=lambda w: {"pk": 999999},
    ),
    # the rule form's count of the leads an unsaved rule holds for (a fragment, even incomplete)
    "scoring:rule_reach": Row(
        get="405 405 405 405 405 405 302", post="403 403 200 200 200 403 302"
    ),
    "scoring:retrain": Row(get="405 405 405 405 405 405 302", post="403 403 - - - 403 302"),
    # privacy: a person's data (crm.export_personal_data: administrators), erasure (administrators)
    "privacy:person_data": Row(get="403 403 403 403 200 403 302"),
    "privacy:erase": Row(get="403 403 403 403 200 403 302"),
    # a record's personal data (its page's "Personal data" action): the export permission
    "privacy:lead_data": Row(get="403 403 403 403 200 403 302", kwargs=pk("lead:alice")),
    "privacy:contact_data": Row(get="403 403 403 403 200 403 302", kwargs=pk("contact:alice")),
    # consent on a record: the record's edit rights (dana's read share: seen, refused)
    "privacy:lead_consent": action("lead:alice", "- 404 - 404 - 403 302", data=CONSENT),
    "privacy:contact_consent": action("contact:alice", "- 404 - 404 - 404 302", data=CONSENT),
    "webforms:new": Row(get="403 403 200 200 200 403 302"),
    "webforms:edit": Row(
        get="403 403 200 404 200 403 302",
        post="403 403 - 404 - 403 302",
        kwargs=pk("webform"),
        data={"name": "Changed"},
        target="webform",
    ),
    "admin:auth_user_password_change": Row(
        get="302 302 403 403 200 302 302", kwargs=lambda w: {"id": w.users["rep"].pk}
    ),
    "admin:routing_assignmentrule_preview": Row(get="302 302 200 200 200 302 302"),
    "admin:leads_lead_deleted": Row(get="302 302 403 403 200 302 302"),
    # a retention rule's dry run (administrators; the world has no rule: the admin's 404)
    "admin:privacy_retentionpolicy_dry_run": Row(
        get="302 302 403 403 404 302 302", kwargs={"pk": 0}
    ),
    # the public web form
    "capture:form": Row(get=PUBLIC, kwargs={"key": "matrix"}),
    # the admin site beyond the models' pages (those come from ADMIN_MODELS)
    "admin:index": Row(get="302 302 200 200 200 302 302"),
    "admin:login": Row(get="200 200 302 302 302 200 200", scan=False),
    "admin:logout": Row(get="302 302 405 405 405 302 302"),
    "admin:password_change": Row(get="302 302 200 200 200 302 302"),
    "admin:password_change_done": Row(get="302 302 200 200 200 302 302"),
    "admin:autocomplete": Row(
        get="302 302 200 200 200 302 302",
        query={
            "app_label": "accounts",
            "model_name": "contact",
            "field_name": "account",
            "term": "Mkr",
        },
    ),
    "admin:jsi18n": Row(get="302 302 200 200 200 302 302"),
    "admin:view_on_site": Row(
        get="302 302 302 302 302 302 302",
        kwargs=lambda w: {
            "content_type_id": _content_type_id(w["account:alice"]),
            "object_id": w["account:alice"].pk,
        },
    ),
    "admin:app_list": Row(get="302 302 200 200 200 302 302", kwargs={"app_label": "leads"}),
    "admin/(?P<url>.*)$": Row(get="302 302 404 404 404 302 302", kwargs={"url": "nothing/"}),
}


def _content_type_id(record):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(record).pk


# The admin's pages of each registered model: the record its object pages open (None: the
# model's first row, or id 0 when it has none) and what each page answers. The managers are
# staff: they see the business records of their team (crm/admin_scope.py), read the
# configuration, and keep what their group may change; deleting is the administrators'.
STAFF_PAGES = "302 302 200 200 200 302 302"  # the managers and the administrator
ADMINS_PAGE = "302 302 403 403 200 302 302"
NOBODYS_PAGE = "302 302 403 403 403 302 302"  # refused even to the administrator
GONE = "302 302 302 302 302 302 302"  # no such object: the staff are sent to the index
GONE_FOR_ADMINS = "302 302 403 403 302 302 302"
BUSINESS = {
    "changelist": STAFF_PAGES,
    "add": STAFF_PAGES,
    "change": "302 302 200 302 200 302 302",  # South's manager: "does not exist"
    "history": "302 302 200 403 200 302 302",
    "simple_history": "302 302 200 403 200 302 302",
    "delete": ADMINS_PAGE,
    "redirect": GONE,
}
CONFIGURATION = {
    "changelist": STAFF_PAGES,
    "add": ADMINS_PAGE,
    "change": STAFF_PAGES,  # read-only for the managers
    "history": STAFF_PAGES,
    "delete": ADMINS_PAGE,
    "redirect": GONE,
}
MANAGER_EDITABLE = {**CONFIGURATION, "add": STAFF_PAGES}
EMPTY_SETTINGS = {**CONFIGURATION, "change": GONE, "history": GONE, "delete": NOBODYS_PAGE}
ADMINS_ONLY_EMPTY = {
    "changelist": ADMINS_PAGE,
    "add": ADMINS_PAGE,
    "change": GONE_FOR_ADMINS,
    "history": GONE,
    "delete": GONE_FOR_ADMINS,
    "redirect": GONE,
}
ADMINS_ONLY = dict.fromkeys(("changelist", "add", "change", "history", "delete"), ADMINS_PAGE)
ADMINS_ONLY["redirect"] = GONE
LOG_EMPTY = {**ADMINS_ONLY_EMPTY, "add": NOBODYS_PAGE}  # written by the app, never added
ADMIN_MODELS = {
    "auth_group": (None, ADMINS_ONLY),
    "authtoken_tokenproxy": (None, ADMINS_ONLY_EMPTY),
    "crm_team": ("team:north", CONFIGURATION),
    "crm_share": (
        "share:lead:alice",
        {**ADMINS_ONLY, "add": NOBODYS_PAGE, "delete": NOBODYS_PAGE},
    ),
    "crm_user": ("user:rep", CONFIGURATION),
    "django_tasks_database_dbtaskresult": (None, {**LOG_EMPTY, "delete": NOBODYS_PAGE}),
    "axes_accessattempt": (None, LOG_EMPTY),
    "axes_accesslog": (None, LOG_EMPTY),
    "axes_accessfailurelog": (None, LOG_EMPTY),
    "activities_activity": ("activity:alice", BUSINESS),
    "activities_note": ("note:alice", BUSINESS),
    "activities_inquiry": ("inquiry:alice", BUSINESS),
    "accounts_account": ("account:alice", BUSINESS),
    "accounts_contact": ("contact:alice", BUSINESS),
    "opportunities_currency": (None, CONFIGURATION),
    "opportunities_opportunity": ("opportunity:alice", BUSINESS),
    "leads_leadsource": (None, CONFIGURATION),
    "leads_campaign": ("campaign", MANAGER_EDITABLE),
    "leads_qualificationsettings": (None, {**EMPTY_SETTINGS, "add": STAFF_PAGES}),
    "leads_lead": ("lead:alice", BUSINESS),
    "routing_assignmentrule": ("rule", MANAGER_EDITABLE),
    "routing_routingsettings": (None, EMPTY_SETTINGS),
    "routing_assignmentexplanation": (None, LOG_EMPTY),
    "routing_departinguser": (
        "user:rep",
        {
            **CONFIGURATION,
            "changelist": ADMINS_PAGE,
            "add": NOBODYS_PAGE,
            "change": ADMINS_PAGE,
            "history": ADMINS_PAGE,
            "delete": NOBODYS_PAGE,
        },
    ),
    "imports_importbatch": (
        "import:maria",
        {**BUSINESS, "add": NOBODYS_PAGE, "history": "302 302 200 302 200 302 302"},
    ),
    "capture_webform": ("webform", MANAGER_EDITABLE),
    "capture_submission": (None, LOG_EMPTY),
    # configuration: managers read the templates, administrators keep them
    "mail_emailtemplate": (
        None,
        {**ADMINS_ONLY_EMPTY, "changelist": STAFF_PAGES, "change": GONE},
    ),
    "mail_outgoingemail": (None, LOG_EMPTY),
    "mail_incomingemail": (None, LOG_EMPTY),
    # configuration: managers read the blocklist, administrators keep it
    "mail_blockedsender": (
        None,
        {**ADMINS_ONLY_EMPTY, "changelist": STAFF_PAGES, "change": GONE},
    ),
    "privacy_retentionpolicy": (None, ADMINS_ONLY_EMPTY),
}


def _admin_models():
    return {
        f"{model._meta.app_label}_{model._meta.model_name}": model
        for model in admin.site._registry
    }


def _admin_rows():
    rows = {}
    models = _admin_models()
    for prefix, (key, pages) in ADMIN_MODELS.items():
        model = models.get(prefix)
        if model is None:
            continue  # the model left the admin: test_every_url_has_a_row names the stale row
        for page, statuses in pages.items():
            if page == "simple_history" and not hasattr(model, "history"):
                continue  # a model without simple-history has no such page
            if page == "simple_history":
                kwargs = _history_args(model, key)
            elif page in {"change", "history", "delete", "redirect"}:
                kwargs = _object_kwargs(model, key)
            else:
                kwargs = None
            name = f"admin:{prefix}_{page}"
            if page == "redirect":
                name = f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
            rows[name] = Row(get=statuses, kwargs=kwargs)
    return rows


def _admin_object(world, model, key):
    if key is None:
        return model._default_manager.order_by("pk").first()
    if key.startswith("user:"):
        return world.users[key.split(":")[1]]
    if key.startswith("team:"):
        return world.teams[key.split(":")[1]]
    return world[key]


def _object_kwargs(model, key):
    def kwargs(world):
        record = _admin_object(world, model, key)
        return {"object_id": record.pk if record is not None else 0}

    return kwargs


def _history_args(model, key):
    def args(world):
        record = _admin_object(world, model, key)
        return [record.pk, record.history.order_by("-history_id").first().history_id]

    return args


# --- walking the URL configuration -----------------------------------------------------------


def _walk(resolver=None, namespace=""):
    """(row key, the pattern's text) of every URL: its name with its namespace, or for an
    unnamed pattern its route with the namespace's prefix (e.g. the admin's catch-all)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk_inner(pattern, inner, str(pattern.pattern))
        elif pattern.name:
            yield (
                (f"{namespace}:{pattern.name}" if namespace else pattern.name),
                str(pattern.pattern),
            )
        else:
            yield str(pattern.pattern), str(pattern.pattern)


def _walk_inner(resolver, namespace, prefix):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk_inner(pattern, inner, prefix + str(pattern.pattern))
        elif pattern.name:
            yield (
                (f"{namespace}:{pattern.name}" if namespace else pattern.name),
                prefix + str(pattern.pattern),
            )
        else:
            yield prefix + str(pattern.pattern), prefix + str(pattern.pattern)


def all_rows():
    return {**_admin_rows(), **ROWS}  # a row of ROWS states an admin page's exception


def test_every_url_has_a_row_and_every_row_a_url():
    rows = all_rows()
    keys = {key for key, _route in _walk()}
    missing = sorted(keys - set(rows))
    stale = sorted(set(rows) - keys)
    assert not missing, (
        "URLs without a row in the permission matrix (add one to ROWS or ADMIN_MODELS in "
        f"crm/tests/test_permission_matrix.py): {missing}"
    )
    assert not stale, f"rows of URLs that no longer exist: {stale}"


# --- asking ---------------------------------------------------------------------------------


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def _clients(world):
    clients = {}
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        if world.users[persona] is not None:
            client.force_login(world.users[persona])
        clients[persona] = client
    return clients


def _url(key, row, world):
    kwargs = row.kwargs(world) if callable(row.kwargs) else row.kwargs
    name = key
    if "/" in key:  # an unnamed pattern: its route with a value put in
        return _unnamed_url(key, kwargs)
    if isinstance(kwargs, list):
        return reverse(name, args=kwargs)
    return reverse(name, kwargs=kwargs or {})


def _unnamed_url(route, kwargs):
    if route.startswith("api/"):
        return "/api/" + kwargs["path"]
    if route.startswith("admin/(?P<url>"):
        return "/admin/" + kwargs["url"]
    path = "/" + route.replace("<path:object_id>", str(kwargs["object_id"]))
    return path


def _query(row, world):
    return row.query(world) if callable(row.query) else row.query


def _statuses(text):
    values = text.split()
    assert len(values) == len(PERSONAS), text
    return dict(zip(PERSONAS, values, strict=True))


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _snapshot(world, key):
    record = world[key]
    row = type(record)._default_manager.filter(pk=record.pk).values().first()
    return row


PRINT = os.environ.get("MATRIX_PRINT")


def _ask(world, method):
    clients = _clients(world)
    rows = all_rows()
    problems, printed = [], []
    for key, row in rows.items():
        wanted = getattr(row, method.lower())
        if wanted is None:
            continue
        url = _url(key, row, world)
        if row.query and method == "GET":
            url += "?" + urlencode(_query(row, world))
        got = []
        for persona, expected in _statuses(wanted).items():
            if expected == "-":
                got.append("-")
                continue
            client = clients[persona]
            if method == "GET":
                response = client.get(url, headers=row.headers)
                got.append(str(response.status_code))
                if row.scan and response.status_code == 200:
                    body = _body(response)
                    people = row.people and not key.startswith("admin")
                    hidden = world.invisible_markers(persona, people=people)
                    leaked = [m for m in hidden if m in body]
                    if leaked:
                        problems.append(f"{key} {url}: {persona} sees {leaked}")
            else:
                data = row.data(world) if callable(row.data) else (row.data or {})
                before = _snapshot(world, row.target) if row.target else None
                with transaction.atomic():
                    if url.startswith("/api/"):
                        response = client.post(url, data, "application/json", headers=row.headers)
                    else:
                        response = client.post(url, data, headers=row.headers)
                    after = _snapshot(world, row.target) if row.target else None
                    transaction.set_rollback(True)
                got.append(str(response.status_code))
                # Only refusals are asked ("-" for those who may): none may change anything.
                if before != after:
                    problems.append(f"{key} POST {url}: {persona} changed {row.target}")
            if got[-1] != expected:
                problems.append(
                    f"{key} {method} {url}: {persona} got {got[-1]}, expected {expected}"
                )
        printed.append(f'    "{key}": {" ".join(got)}')
    if PRINT:
        print("\n".join(printed))
    return problems


def test_every_url_answers_every_persona_as_the_table_says_and_lists_only_what_they_see(world):
    problems = _ask(world, "GET")
    assert not problems, "\n".join(problems)


def test_a_post_from_outside_the_scope_is_refused_and_changes_nothing(world):
    problems = _ask(world, "POST")
    assert not problems, "\n".join(problems)


# Forms that take a POST without a row of their own above (they change only the user's own
# things, or create): the CSRF check covers them too.
CSRF_ALSO = [
    "logout",
    "set_language",
    "profile",
    "password_change",
    "leads:create",
    "accounts:account_create",
    "accounts:contact_create",
    "opportunities:create",
    "imports:list",
    "api:token_create",
    "api:token_revoke",
    "routing:rule_new",
    "scoring:rule_new",
    "webforms:new",
    "admin:leads_lead_add",
]


def test_every_post_without_the_csrf_token_is_refused_and_changes_nothing(world):
    """Reference B.3 S2: the test client skips the CSRF check unless told; a browser's POST
    without the token (a forged form on another site) must do nothing, even the
    administrator's, who may do everything."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(world.users["admin"])
    rows = all_rows()
    problems = []
    for key in [key for key, row in rows.items() if row.post] + CSRF_ALSO:
        row = rows[key]
        url = _url(key, row, world)
        data = row.data(world) if callable(row.data) else (row.data or {})
        before = _snapshot(world, row.target) if row.target else None
        with transaction.atomic():
            # The token views take JSON with a password (no cookie, no CSRF) or, logged in, a
            # form from the profile page: that one needs the token.
            if url.startswith("/api/v1/"):
                response = client.post(url, data, "application/json")
            else:
                response = client.post(url, data)
            after = _snapshot(world, row.target) if row.target else None
            transaction.set_rollback(True)
        if response.status_code != 403 or before != after:
            problems.append(f"{key} {url}: {response.status_code}, changed: {before != after}")
    assert not problems, "\n".join(problems)


# --- what the matrix found, one test each ----------------------------------------------------


def _staff(user):
    user.is_staff = True
    user.save()
    return user


def test_a_staff_manager_sees_only_their_teams_records_in_the_admin(client, manager, carol):
    from accounts.models import Account
    from leads.tests.factories import make_lead

    theirs = make_lead(owner=carol, last_name="Southern")
    Account.objects.create(name="South Corp", owner_user=carol)
    client.force_login(_staff(manager))

    changelist = client.get(reverse("admin:leads_lead_changelist"))
    assert changelist.status_code == 200
    assert "Southern" not in changelist.text
    change = client.get(reverse("admin:leads_lead_change", args=[theirs.pk]))
    assert change.status_code == 302  # "does not exist", as the app's 404
    assert client.get(reverse("admin:leads_lead_history", args=[theirs.pk])).status_code == 403
    # The selects and the autocomplete of related records offer what the manager sees.
    add_contact = client.get(reverse("admin:accounts_contact_add"))
    assert "South Corp" not in add_contact.text
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "contact", "field_name": "account", "term": "So"},
    )
    assert found.status_code == 200 and found.json()["results"] == []


def test_a_staff_manager_sees_only_their_own_imports_in_the_admin(client, manager, carol):
    from leads.imports.models import ImportBatch

    other = _staff(UserFactory(username="other-manager"))
    ImportBatch.objects.create(file_name="theirs.csv", checksum="0" * 64, created_by=other)
    client.force_login(_staff(manager))
    assert "theirs.csv" not in client.get(reverse("admin:imports_importbatch_changelist")).text


def test_a_command_line_import_opens_in_the_browser_without_its_file(client, manager):
    from leads.imports.models import ImportBatch

    # The command reads its file in place: the batch has none, and it is still running.
    batch = ImportBatch.objects.create(
        file_name="leads.csv",
        checksum="0" * 64,
        created_by=manager,
        status=ImportBatch.Status.RUNNING,
    )
    client.force_login(manager)
    response = client.get(reverse("imports:detail", args=[batch.pk]))
    assert response.status_code == 200  # was a 500: "The 'file' attribute has no file"


def test_a_reps_report_filters_list_only_their_own_teams_and_people(as_alice, carol, south):
    response = as_alice.get(reverse("reports:lead_sources"))
    form = response.context["form"]
    assert [team.name for team in form.fields["team"].queryset] == ["North"]
    owners = str(list(form.fields["owner"].choices))
    assert "Alice" in owners and "Carol" not in owners and "South" not in owners
    refused = as_alice.get(reverse("reports:lead_sources"), {"team": south.pk})
    assert not refused.context["form"].is_valid()


def test_bulk_assign_offers_and_accepts_only_users_of_the_acting_users_teams(
    as_alice, alice, bob, carol
):
    from leads.models import Lead
    from leads.tests.factories import make_lead

    lead = make_lead(owner=alice)
    listing = as_alice.get(reverse("leads:list"))
    offered = str(list(listing.context["bulk_form"].fields["owner"].choices))
    assert "Bob" in offered and "Carol" not in offered and "South" not in offered
    as_alice.post(
        reverse("leads:bulk"),
        {"action": "assign", "owner": f"user:{carol.pk}", "leads": [lead.pk]},
    )
    assert Lead.objects.get(pk=lead.pk).owner_user == alice
    single = as_alice.post(
        reverse("leads:assign", args=[lead.pk]),
        {"owner": f"user:{carol.pk}", "expected_version": lead.version},
    )
    assert single.status_code == 400  # the form again: "choose a valid owner"
    assert Lead.objects.get(pk=lead.pk).owner_user == alice


# Short enough for the 50-character name columns (PostgreSQL enforces their length).
XSS = '"><script>alert(2)</script><img src=x onerror=1>'


def test_no_page_runs_markup_typed_into_a_record(world):
    """Reference B.3 S3: markup typed into every text field a page shows is escaped on every
    page the administrator opens (lists, records, fragments, boards, search, the admin)."""
    for key, fields in {
        "lead:alice": ["last_name", "first_name", "company_name", "topic"],
        "account:alice": ["name"],
        "contact:alice": ["first_name", "last_name"],
        "opportunity:alice": ["topic"],
        "activity:alice": ["subject"],
        "note:alice": ["text"],
        "inquiry:alice": ["title"],
    }.items():
        record = world[key]
        type(record).objects.filter(pk=record.pk).update(**dict.fromkeys(fields, XSS))
    world.users["rep"].__class__.objects.filter(pk=world.users["rep"].pk).update(first_name=XSS)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    problems = []
    for key, row in all_rows().items():
        if row.get is None or _statuses(row.get)["admin"] != "200":
            continue
        url = _url(key, row, world) + ("?" + urlencode(_query(row, world)) if row.query else "")
        response = client.get(url, headers=row.headers)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # JSON and CSV carry the text as data, not markup
        body = _body(response)
        if "<img src=x" in body or "<script>alert" in body:
            problems.append(f"{key} {url}")
    assert not problems, "markup ran on: " + ", ".join(problems)


@pytest.mark.parametrize("model_label", ["leads.Lead", "accounts.Account"])
def test_a_website_is_http_or_https_never_a_script(model_label):
    from django.apps import apps
    from django.core.exceptions import ValidationError

    field = apps.get_model(model_label)._meta.get_field("website")
    with pytest.raises(ValidationError):
        field.clean("javascript:alert(1)", None)
    assert field.clean("https://example.com", None) == "https://example.com"


def test_another_teams_manager_reads_but_cannot_change_a_rule_or_web_form_in_the_admin(world):
    client = Client()
    client.force_login(world.users["other_manager"])
    for name, key in (("routing_assignmentrule", "rule"), ("capture_webform", "webform")):
        record = world[key]
        url = reverse(f"admin:{name}_change", args=[record.pk])
        page = client.get(url)
        assert page.status_code == 200 and 'name="_save"' not in page.text  # read-only
        assert client.post(url, {"name": "Taken over"}).status_code == 403
        record.refresh_from_db()
        assert record.name != "Taken over"
    # North's manager changes North's (the in-app pages' rule: manageable_by).
    client.force_login(world.users["manager"])
    page = client.get(reverse("admin:routing_assignmentrule_change", args=[world["rule"].pk]))
    assert 'name="_save"' in page.text
