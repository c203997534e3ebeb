from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_lead_sources(sender, using="default", **kwargs):
    """post_migrate: with no lead source at all (a new database, or after `flush`, which
    empties every table and then sends post_migrate), seed Dynamics' ten again. Sources an
    administrator renamed or deactivated are left alone."""
    from django.apps import apps as global_apps

    from leads.seeds import seed_sources

    if not sender.get_model("LeadSource").objects.using(using).exists():
        seed_sources(global_apps, using)


def ensure_sqlite_search_index(sender, using="default", **kwargs):
    """post_migrate (SQLite): once migration 0013 made the FTS5 search table, put back any of
    its triggers that a later migration's rebuild of leads_lead dropped, and refill it."""
    from django.db import connections

    from leads import search

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        table_exists, triggers_exist = search.sqlite_index_state(cursor)
        if table_exists and not triggers_exist:
            search.install_sqlite_index(cursor)


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")
    business_models = {"Lead", "LeadStatusChange", "Qualification", "LeadLink"}
    configuration_models = {"LeadSource", "Campaign", "QualificationSettings"}
    manager_editable = {"Campaign"}  # campaigns are run by sales

    def ready(self):
        from activities.signals import activity_logged
        from crm.panels import register_panel
        from leads import receivers, timeline
        from leads.models import Campaign
        from leads.panels import record_leads
        from opportunities.filters import register_choices

        activity_logged.connect(receivers.contact_made, dispatch_uid="leads.contact_made")
        timeline.register()
        post_migrate.connect(ensure_lead_sources, sender=self, dispatch_uid="leads.sources")
        post_migrate.connect(
            ensure_sqlite_search_index, sender=self, dispatch_uid="leads.sqlite_search_index"
        )
        register_choices("source_campaign", lambda request: Campaign.objects.all())
        for record in ("accounts.Account", "accounts.Contact", "opportunities.Opportunity"):
            register_panel(
                record, "leads/_record_leads_panel.html", context=record_leads, order=30
            )
