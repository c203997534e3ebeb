from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from activities.signals import activity_logged
        from leads import receivers

        activity_logged.connect(receivers.contact_made, dispatch_uid="leads.contact_made")
