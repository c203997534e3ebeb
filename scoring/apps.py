from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Lead scoring")
    # Rules and settings are configuration sales managers run, like routing rules.
    configuration_models = {"ScoringRule", "ScoringSettings"}
    manager_editable = {"ScoringRule", "ScoringSettings"}

    def ready(self):
        from crm.panels import register_panel
        from scoring import personal_data, receivers
        from scoring.panels import score_panel

        receivers.connect()
        # The lead page's Score panel: the score, its parts and its reasons.
        register_panel("leads.Lead", "scoring/_lead_panel.html", context=score_panel, order=15)
        # A person's data: their leads' scores and reasons (the privacy app).
        personal_data.register()
