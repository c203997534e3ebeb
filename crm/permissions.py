"""The three standard groups and their model permissions, kept in step after every migrate.

Permissions only exist once `migrate` has created them for each app, so this runs from a
`post_migrate` receiver rather than a data migration. Apps are named as strings here, so
`crm` needs to import none of them.
"""

from django.contrib.auth.models import Group, Permission

from crm.models import ADMINISTRATOR_GROUP, SALES_MANAGER_GROUP, SALESPERSON_GROUP

# Apps whose records sales staff work with every day.
BUSINESS_APPS = {"accounts", "opportunities", "leads", "activities", "imports", "privacy"}
# Configuration that administrators keep (sales staff may read it).
CONFIGURATION_MODELS = {
    "crm.user",
    "crm.team",
    "crm.membership",
    "opportunities.currency",
    "leads.leadsource",
    "leads.campaign",
    "routing.assignmentrule",
    "routing.assignmentcondition",
    "routing.routingsettings",
    "leads.qualificationsettings",
    "leads.webform",
}
# Configuration that sales managers may change too (campaigns are run by sales).
MANAGER_EDITABLE_CONFIGURATION = {"leads.campaign"}


def _groups_for(app_label, model, action):
    key = f"{app_label}.{model}"
    groups = {ADMINISTRATOR_GROUP}
    if key in CONFIGURATION_MODELS:
        if action == "view":
            groups |= {SALESPERSON_GROUP, SALES_MANAGER_GROUP}
        elif key in MANAGER_EDITABLE_CONFIGURATION and action != "delete":
            groups.add(SALES_MANAGER_GROUP)
    elif app_label in BUSINESS_APPS and not model.startswith("historical"):
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
