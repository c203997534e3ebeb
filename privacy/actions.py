"""The "Personal data" action on lead and contact pages (a record panel, crm/panels.py): the
export for that record, for the users who may export a person's data."""

from django.urls import reverse

from crm.panels import register_panel

URL_NAMES = {"leads.lead": "privacy:lead_data", "accounts.contact": "privacy:contact_data"}


def personal_data_action(context, record):
    request = context.get("request")
    # The page's perms are read already (the user menu): has_perm asks its cache, no query.
    if request is None or not request.user.has_perm("crm.export_personal_data"):
        return None
    return {"url": reverse(URL_NAMES[record._meta.label_lower], args=[record.pk])}


def register() -> None:
    for label in ("leads.Lead", "accounts.Contact"):
        register_panel(
            label, "privacy/_personal_data_action.html", context=personal_data_action,
            order=90, slot="actions",
        )  # fmt: skip
