from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Organisation")
    configuration_models = {"User", "Team", "Membership"}

    def ready(self):
        from crm.permissions import sync_groups

        post_migrate.connect(sync_groups, dispatch_uid="crm.sync_groups")
