from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "capture"
    verbose_name = _("Web capture")
    # Web forms are configuration sales managers run, like campaigns; submissions stay the
    # administrators'.
    configuration_models = {"WebForm"}
    manager_editable = {"WebForm"}

    def ready(self):
        from capture.panels import web_capture_panel
        from crm.panels import register_panel

        register_panel(
            "leads.Lead", "capture/_lead_panel.html", context=web_capture_panel, order=20
        )
