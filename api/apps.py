from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        from api.panels import api_token_section
        from crm.panels import register_panel

        register_panel("crm.User", "api/_token_section.html", context=api_token_section)
