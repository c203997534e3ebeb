from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
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
    # Rights of a role that belong to no model of their own (crm/permissions.py).
    action_permissions = {
        "user": {
            "view_reports": ("sales staff", _("Can see reports")),
            "export_personal_data": ("administrators", _("Can export a person's data")),
        }
    }

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from crm.history import fill_in_reason
        from crm.permissions import remember_existing_permissions, sync_groups
        from crm.sharing import register_share_history, register_share_panels

        pre_migrate.connect(remember_existing_permissions, dispatch_uid="crm.remember_permissions")
        post_migrate.connect(sync_groups, dispatch_uid="crm.sync_groups")
        # Every history row gets the reason of the block it is written in (crm/history.py).
        pre_create_historical_record.connect(fill_in_reason, dispatch_uid="crm.history_reason")
        register_share_panels()
        register_share_history()
        post_migrate.connect(
            ensure_sqlite_search_indexes, sender=self, dispatch_uid="crm.sqlite_search_indexes"
        )
