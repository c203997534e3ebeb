from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_lead_sources(sender, using="default", **kwargs):
    """post_migrate: with no lead source at all (a new database, or after `flush`, which
    empties every table and then sends post_migrate), seed Dynamics' ten again. Sources an
    administrator renamed or deactivated are left alone."""
    from django.apps import apps as global_apps

    if not sender.get_model("LeadSource").objects.using(using).exists():
        import_module("leads.migrations.0002_seed_lead_sources").seed_sources(global_apps, None)


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from activities.signals import activity_logged
        from leads import receivers, timeline

        activity_logged.connect(receivers.contact_made, dispatch_uid="leads.contact_made")
        timeline.register()
        post_migrate.connect(ensure_lead_sources, sender=self, dispatch_uid="leads.sources")
