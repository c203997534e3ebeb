"""Other packages' names in the admin, in the user's language: their apps' names through
these configs (named in INSTALLED_APPS), their models' names (which they mark for translation
but do not translate into Danish) held here so that our catalogue has them."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class TasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login attempts")


# The packages' own msgids (verbose_name, verbose_name_plural and app names), word for word.
MODEL_NAMES = [
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("Token"),
    gettext_noop("Tokens"),
    gettext_noop("Auth Token"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
]
