from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "leads.routing"
    label = "routing"
    verbose_name = _("Lead routing")
    configuration_models = {"AssignmentRule", "AssignmentCondition", "RoutingSettings"}
    # Managers keep the rules of their own teams in the app (scoped there); the settings
    # (the organisation's default owner) stay the administrators'.
    manager_editable = {"AssignmentRule", "AssignmentCondition"}

    def ready(self):
        from crm.history import register_entries
        from crm.panels import register_panel
        from crm.signals import user_deactivated
        from leads.routing import actions, receivers
        from leads.routing.history import condition_entries
        from leads.routing.panels import assignment_explanation
        from leads.signals import (
            lead_assigned,
            lead_created,
            lead_creating,
            lead_reassigned,
            leads_imported,
        )

        lead_creating.connect(receivers.route_creating_leads, dispatch_uid="routing.route")
        lead_created.connect(receivers.explain_created_leads, dispatch_uid="routing.explain")
        lead_assigned.connect(receivers.notify_assigned_owner, dispatch_uid="routing.notify")
        lead_reassigned.connect(receivers.explain_assignment, dispatch_uid="routing.assigned")
        user_deactivated.connect(receivers.warn_about_open_leads, dispatch_uid="routing.departing")
        actions.register()
        register_panel(
            "leads.Lead",
            "routing/_explanation_panel.html",
            context=assignment_explanation,
            order=10,
        )
        leads_imported.connect(receivers.send_import_digests, dispatch_uid="routing.digests")
        register_entries("routing.AssignmentRule", condition_entries)
