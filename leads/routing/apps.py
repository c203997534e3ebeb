from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "leads.routing"
    label = "routing"
    verbose_name = _("Lead routing")

    def ready(self):
        from leads.routing import receivers
        from leads.signals import lead_assigned, lead_created, lead_creating, lead_reassigned

        lead_creating.connect(receivers.route_creating_leads, dispatch_uid="routing.route")
        lead_created.connect(receivers.explain_created_leads, dispatch_uid="routing.explain")
        lead_assigned.connect(receivers.notify_assigned_owner, dispatch_uid="routing.notify")
        lead_reassigned.connect(receivers.explain_assignment, dispatch_uid="routing.assigned")
