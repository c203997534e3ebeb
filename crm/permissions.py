"""The three standard groups, their permissions, and the check every view makes.

Permissions only exist once `migrate` has created them for each app, so this runs from a
`post_migrate` receiver rather than a data migration. Each app says on its AppConfig which
of its models are what (model names, any case), so `crm` needs to import none of them:

    business_models       records sales staff work with every day: salespeople and sales
                          managers view, add and change them; only administrators delete;
    configuration_models  configuration administrators keep (sales staff may read it);
    manager_editable      the configuration sales managers may add and change too;
    action_permissions    what a role may do beyond a model's add/change/delete/view, per
                          model: {"lead": {"qualify_lead": ("sales staff", "Can …")}} (the
                          name a lazy translation), the first item saying who gets it at
                          first: "sales staff" (salespeople and sales managers), "managers"
                          or "administrators".

Models an app does not name are the administrators' alone; administrators get everything.

The groups stay editable in the admin: a group gets a default permission only in the migrate
that created the permission (or the group), so one an administrator took away stays away.
"""

from functools import wraps

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.errors import DeniedWithWayOn
from crm.models import ADMINISTRATOR_GROUP, SALES_MANAGER_GROUP, SALESPERSON_GROUP, is_merged

GRANTED_TO = {
    "sales staff": {SALESPERSON_GROUP, SALES_MANAGER_GROUP},
    "managers": {SALES_MANAGER_GROUP},
    "administrators": set(),
}

# The migrate that creates this one is the first with action permissions: it also applies the
# defaults that changed with them (sales managers no longer delete business records).
FIRST_ACTION_PERMISSION = "crm.export_personal_data"

MODEL_PERMISSION_NAMES = {
    "add": gettext_lazy("Can add %(model)s"),
    "change": gettext_lazy("Can change %(model)s"),
    "delete": gettext_lazy("Can delete %(model)s"),
    "view": gettext_lazy("Can view %(model)s"),
}


def _declared(attribute):
    """{"app_label.model"} for every model the apps name in `attribute`."""
    return {
        f"{config.label}.{name.lower()}"
        for config in apps.get_app_configs()
        for name in getattr(config, attribute, ())
    }


def declared_actions():
    """{"app_label.codename": (app_label, model, granted to, name)} of every AppConfig's
    action_permissions."""
    return {
        f"{config.label}.{codename}": (config.label, model.lower(), granted_to, name)
        for config in apps.get_app_configs()
        for model, actions in getattr(config, "action_permissions", {}).items()
        for codename, (granted_to, name) in actions.items()
    }


def _groups_for(app_label, model, action):
    key = f"{app_label}.{model}"
    groups = {ADMINISTRATOR_GROUP}
    if key in _declared("configuration_models"):
        if action == "view":
            groups |= {SALESPERSON_GROUP, SALES_MANAGER_GROUP}
        elif key in _declared("manager_editable") and action != "delete":
            groups.add(SALES_MANAGER_GROUP)
    elif key in _declared("business_models") and action in {"view", "add", "change"}:
        groups |= {SALESPERSON_GROUP, SALES_MANAGER_GROUP}
    return groups


def default_groups(permission, actions=None):
    """The groups that get `permission` when it is first created."""
    actions = declared_actions() if actions is None else actions
    content_type = permission.content_type
    declared = actions.get(f"{content_type.app_label}.{permission.codename}")
    if declared is not None:
        return {ADMINISTRATOR_GROUP} | GRANTED_TO[declared[2]]
    action = permission.codename.split("_", 1)[0]
    return _groups_for(content_type.app_label, content_type.model, action)


# The ids of the permissions that existed when this migrate began, with the migrate's plan
# (the same list object reaches pre_migrate and post_migrate; `flush` sends no plan).
_before_migrate = {}


def remember_existing_permissions(using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """pre_migrate receiver: note which permissions exist before this migrate creates any."""
    if Permission._meta.db_table in connections[using].introspection.table_names():
        existing = set(Permission.objects.using(using).values_list("pk", flat=True))
    else:
        existing = set()  # a new database: every permission is new
    _before_migrate[using] = (plan, existing)


def _create_action_permissions(using, actions):
    """Create the declared action permissions that are missing; return the new ones' keys."""
    created = set()
    with translation.override("en"):  # stored in English, as Django's own (shown translated)
        for key, (app_label, model, _granted_to, name) in actions.items():
            model_class = apps.get_model(app_label, model)
            content_type = ContentType.objects.db_manager(using).get_for_model(
                model_class, for_concrete_model=False
            )
            _permission, was_created = Permission.objects.using(using).get_or_create(
                content_type=content_type,
                codename=key.split(".", 1)[1],
                defaults={"name": str(name)[:255]},
            )
            if was_created:
                created.add(key)
    return created


def _is_last_app(app_config):
    """post_migrate is sent once per app, and Django creates each app's permissions in its
    own call: the groups are kept once, in the last, when every permission exists."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    return app_config is None or app_config is with_models[-1]


def sync_groups(using=DEFAULT_DB_ALIAS, plan=None, app_config=None, **kwargs):
    """post_migrate receiver: create the groups and the action permissions, and give each
    group its defaults of the permissions (or groups) this migrate created."""
    if not _is_last_app(app_config):
        return
    groups, new_groups = {}, set()
    for name in (SALESPERSON_GROUP, SALES_MANAGER_GROUP, ADMINISTRATOR_GROUP):
        groups[name], created = Group.objects.using(using).get_or_create(name=name)
        if created:
            new_groups.add(name)
    actions = declared_actions()
    created_actions = _create_action_permissions(using, actions)
    remembered_plan, before = _before_migrate.get(using, (None, None))
    if remembered_plan is not plan or plan is None:
        before = None  # not this migrate's (a flush): only what this run created is new
    upgrading = FIRST_ACTION_PERMISSION in created_actions
    wanted = {name: [] for name in groups}
    for permission in Permission.objects.using(using).select_related("content_type"):
        key = f"{permission.content_type.app_label}.{permission.codename}"
        new = key in created_actions or (before is not None and permission.pk not in before)
        for name in default_groups(permission, actions):
            if new or upgrading or name in new_groups:
                wanted[name].append(permission)
    for name, group in groups.items():
        group.permissions.add(*wanted[name])
    if upgrading:
        groups[SALES_MANAGER_GROUP].permissions.remove(
            *Permission.objects.using(using).filter(
                codename__startswith="delete_",
                content_type__in=_content_types(using, _declared("business_models")),
            )
        )


def _content_types(using, keys):
    wanted = Q()
    for key in keys:
        app_label, model = key.split(".")
        wanted |= Q(app_label=app_label, model=model)
    return ContentType.objects.using(using).filter(wanted)


def permission_label(codename):
    """The permission `codename` ("app_label.codename") in the reader's words."""
    declared = declared_actions().get(codename)
    if declared is not None:
        return str(declared[3])
    app_label, name = codename.split(".", 1)
    action, _sep, model = name.partition("_")
    try:
        verbose_name = apps.get_model(app_label, model)._meta.verbose_name
    except LookupError:
        return codename
    words = MODEL_PERMISSION_NAMES.get(action)
    return words % {"model": verbose_name} if words else codename


def missing_permission_message(codename):
    return _(
        "Your role does not have the permission “%(permission)s”. "
        "An administrator can give it to your group."
    ) % {"permission": permission_label(codename)}


def check_permission(user, codename):
    """PermissionDenied (the 403 page, or the API's 403 JSON) saying what is missing, unless
    `user` has `codename`. Views fetch the record within the user's scope first (a record
    outside it stays a 404), then ask this."""
    if not user.has_perm(codename):
        raise PermissionDenied(missing_permission_message(codename))


def require_permission(codename):
    """View decorator: check_permission(request.user, codename) before the view runs (for
    views that fetch no record: create, import, reports)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_permission(request.user, codename)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def merged_record_denied(record):
    """The 403 for changing a record merged into another: it says so and links its master."""
    master = record.merged_into  # a foreign key that PROTECTs: the master is there
    kind = record._meta.verbose_name
    return DeniedWithWayOn(
        _(
            "%(record)s was merged into %(master)s and is read-only: "
            "make the change on the %(kind)s it was merged into."
        )
        % {"record": record, "master": master, "kind": kind},
        link_url=master.get_absolute_url(),
        link_text=_("Open %(master)s") % {"master": master},
    )


def read_only_denied(record):
    """The 403 for changing a record the user sees but may not change (merged, or read-only
    to them), saying which."""
    if is_merged(record):
        return merged_record_denied(record)
    return PermissionDenied(
        _("You can see this %(kind)s but not change it.") % {"kind": record._meta.verbose_name}
    )


def editable_or_denied(model, user, pk):
    """The record of `model` that `user` may change. One the user sees but may not change is
    a 403 that says why (merged: with a link to its master); another team's, or a missing
    one, a 404. One query when allowed."""
    manager = model._default_manager
    for record in manager.editable_by(user).filter(pk=pk):
        return record
    for record in manager.visible_to(user).filter(pk=pk):
        raise read_only_denied(record)
    raise Http404
