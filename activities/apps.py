from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")
    business_models = {"Activity", "Note", "Inquiry"}

    def ready(self):
        from activities.merge import register_timeline
        from activities.timeline import register_builtin_sources

        register_builtin_sources()
        register_timeline()
