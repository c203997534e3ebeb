"""The three standard groups and their model permissions, kept in step after every migrate.

Permissions only exist once `migrate` has created them for each app, so this runs from a
`post_migrate` receiver rather than a data migration. Each app says on its AppConfig which
of its models are what (model names, any case), so `crm` needs to import none of them:

    business_models       records sales staff work with every day: salespeople view, add and
                          change them, sales managers delete them too;
    configuration_models  configuration administrators keep (sales staff may read it);
    manager_editable      the configuration sales managers may add and change too.

Models an app does not name are the administrators' alone.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from crm.models import ADMINISTRATOR_GROUP, SALES_MANAGER_GROUP, SALESPERSON_GROUP


def _declared(attribute):
    """{"app_label.model"} for every model the apps name in `attribute`."""
    return {
        f"{config.label}.{name.lower()}"
        for config in apps.get_app_configs()
        for name in getattr(config, attribute, ())
    }


def _groups_for(app_label, model, action):
    key = f"{app_label}.{model}"
    groups = {ADMINISTRATOR_GROUP}
    if key in _declared("configuration_models"):
        if action == "view":
            groups |= {SALESPERSON_GROUP, SALES_MANAGER_GROUP}
        elif key in _declared("manager_editable") and action != "delete":
            groups.add(SALES_MANAGER_GROUP)
    elif key in _declared("business_models"):
        if action in {"view", "add", "change"}:
            groups |= {SALESPERSON_GROUP, SALES_MANAGER_GROUP}
        else:
            groups.add(SALES_MANAGER_GROUP)
    return groups


def sync_groups(**kwargs):
    """post_migrate receiver: create the groups and give each its permissions."""
    groups = {
        name: Group.objects.get_or_create(name=name)[0]
        for name in (SALESPERSON_GROUP, SALES_MANAGER_GROUP, ADMINISTRATOR_GROUP)
    }
    wanted = {name: [] for name in groups}
    for permission in Permission.objects.select_related("content_type"):
        action = permission.codename.split("_", 1)[0]
        content_type = permission.content_type
        for name in _groups_for(content_type.app_label, content_type.model, action):
            wanted[name].append(permission)
    for name, group in groups.items():
        group.permissions.add(*wanted[name])
