from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_sqlite_search_indexes(sender, using="default", **kwargs):
    """post_migrate (SQLite): put back the FTS5 triggers of every search index
    (crm.search_index) that a later migration's rebuild of its table dropped, and refill it."""
    from crm.search_index import ensure_sqlite_indexes

    ensure_sqlite_indexes(using)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Organisation")
    configuration_models = {"User", "Team", "Membership"}

    def ready(self):
        from crm.permissions import sync_groups

        post_migrate.connect(sync_groups, dispatch_uid="crm.sync_groups")
        post_migrate.connect(
            ensure_sqlite_search_indexes, sender=self, dispatch_uid="crm.sqlite_search_indexes"
        )
