from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("E-mail")
    # Templates and the blocklist are configuration an administrator keeps, in the admin site.
    configuration_models = {"EmailTemplate", "BlockedSender"}

    def ready(self):
        from mail import panels, personal_data

        panels.register()
        personal_data.register()
