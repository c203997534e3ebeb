from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "leads.imports"
    label = "imports"
    verbose_name = _("Lead imports")
    business_models = {"ImportBatch", "ImportRowError", "ExternalKey"}
    action_permissions = {"importbatch": {"import_leads": ("managers", _("Can import leads"))}}
