from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_base_currency(sender, using="default", **kwargs):
    """post_migrate: the base currency always exists (the data migration creates it; this puts
    it back after a `flush`, which empties every table and then sends post_migrate)."""
    from django.apps import apps as global_apps
    from django.conf import settings

    currencies = sender.get_model("Currency").objects.using(using)
    if not currencies.filter(code=settings.BASE_CURRENCY).exists():
        seeding = import_module("opportunities.migrations.0002_base_currency")
        seeding.create_base_currency(global_apps, None)


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = _("Opportunities")

    def ready(self):
        post_migrate.connect(
            ensure_base_currency, sender=self, dispatch_uid="opportunities.base_currency"
        )
