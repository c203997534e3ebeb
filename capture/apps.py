from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def web_form_field_labels(names):
    """A web form's stored lead field names ("last_name") as their labels, in its order."""
    from django.core.exceptions import FieldDoesNotExist

    from leads.models import Lead

    labels = []
    for name in names:
        try:
            labels.append(str(Lead._meta.get_field(name).verbose_name).capitalize())
        except FieldDoesNotExist:  # a field the lead no longer has: shown as stored
            labels.append(str(name))
    return ", ".join(labels)


class CaptureConfig(AppConfig):
    name = "capture"
    verbose_name = _("Web capture")
    # Web forms are configuration sales managers run, like campaigns; submissions stay the
    # administrators'.
    configuration_models = {"WebForm"}
    manager_editable = {"WebForm"}

    def ready(self):
        from activities.merge import MovedItems, register_moved_items
        from capture.panels import web_capture_panel
        from crm.history import register_history
        from crm.panels import register_panel

        # A web form's fields in its History tab: their labels, not their API names.
        register_history(
            "capture.WebForm",
            shown={"fields": web_form_field_labels, "required_fields": web_form_field_labels},
        )

        register_panel(
            "leads.Lead", "capture/_lead_panel.html", context=web_capture_panel, order=20
        )
        # A person's data: their submissions' fingerprint and tags (the privacy app).
        from capture import personal_data

        personal_data.register()
        # A merged lead's web submission goes to the master unless it has one (one per lead).
        register_moved_items(
            MovedItems(
                key="web_submissions",
                label=_("Web form submissions"),
                merged="leads.Lead",
                model="capture.Submission",
                field="lead",
                unique_with=(),
            )
        )
