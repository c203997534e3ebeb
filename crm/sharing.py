"""Sharing records with a user or a team (crm.models.Share): which kinds of record may be
shared, and the "Shared with" panel each of their pages shows.

The apps say which of their models may be shared on their AppConfig (`shareable_models`,
model names as in `business_models`), so this bottom app names none of them. The visibility
itself is in `crm/models.py: OwnedQuerySet.visible_to` / `editable_by`; the writes in
`crm/services.py: share_record`, `revoke_share`.
"""

from django.apps import apps

from crm.models import Share, shares_of_records
from crm.panels import register_panel


def shareable_models():
    """Every model an app declared shareable, by its model name ("lead", "account", ...)."""
    models_ = {}
    for config in apps.get_app_configs():
        for name in getattr(config, "shareable_models", ()):
            model = config.get_model(name)
            models_[model._meta.model_name] = model
    return models_


def kind_of(record):
    """The URL's name for the kind of `record` ("lead")."""
    return record._meta.model_name


def shares_panel(context, record):
    """The record page's "Shared with" panel: the active shares (one query) and, for those who
    may share, the Share button. Left out for others when nothing is shared."""
    user = context["request"].user
    shares = list(Share.objects.of(record).active().select_related("user", "team", "granted_by"))
    # A merged record is read-only: no Share button (crm.services.share_record refuses too).
    may_share = user.can_share(record) and not getattr(record, "merged_into_id", None)
    if not shares and not may_share:
        return None
    return {
        "record": record,
        "kind": kind_of(record),
        "shares": shares,
        "may_share": may_share,
    }


def register_share_panels():
    """Called from crm's AppConfig.ready(): the panel on every shareable kind's page."""
    for model in shareable_models().values():
        register_panel(model, "crm/record/_shares.html", context=shares_panel, order=90)


def share_history_entries(record, *, user, newest, oldest):
    """The record's History tab entries for its shares (crm/history.py: register_entries):
    each grant, change of access and end, from the shares' own history, in one query."""
    from django.utils.translation import gettext as _

    from crm.history import EMPTY, Change, Entry

    rows = Share.history.filter(**shares_of_records(type(record), [record.pk]))
    if newest is not None:
        rows = rows.filter(history_date__lte=newest)
    if oldest is not None:
        rows = rows.filter(history_date__gte=oldest)
    rows = rows.select_related("history_user", "user", "team").order_by("history_date")
    entries, last_access = [], {}
    for row in rows:
        target = str(row.user or row.team or "")
        access = str(Share.Access(row.access).label) if row.access in Share.Access.values else ""
        shown = f"{target}: {access}"
        if row.revoked_at is not None:
            change, label = Change(_("Access"), shown, EMPTY), _("Share ended")
        elif row.history_type == "+":
            change, label = Change(_("Access"), EMPTY, shown), _("Shared")
        else:
            old = f"{target}: {last_access.get(row.id, access)}"
            change, label = Change(_("Access"), old, shown), _("Share changed")
        last_access[row.id] = access
        entries.append(
            Entry(
                when=row.history_date,
                who=str(row.history_user) if row.history_user_id else _("System"),
                kind="changed",
                kind_label=label,
                changes=[change],
            )
        )
    return entries


def register_share_history():
    from crm.history import register_entries

    for model in shareable_models().values():
        register_entries(model, share_history_entries)
