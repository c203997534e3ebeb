from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from privacy import handlers

        # The apps below hold the data; privacy, above them all, registers how to find,
        # export and erase it (crm/personal_data.py is the registry).
        handlers.register()
