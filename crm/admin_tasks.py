"""The background tasks in the admin: django_tasks_db's read-only list, plus a "needs
attention" filter (failed, or stale: running on a worker that stopped beating) and a Retry
action for administrators (crm.background.retry_tasks)."""

from django.contrib import admin, messages
from django.tasks import TaskResultStatus
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from crm.background import retry_tasks, stale_task_ids


class AttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("failed", _("Failed")), ("stale", _("Stale (worker gone)"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status=TaskResultStatus.FAILED)
        if self.value() == "stale":
            return queryset.filter(pk__in=stale_task_ids())
        return queryset


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = [*DBTaskResultAdmin.list_display, "attempts"]
    list_filter = [AttentionFilter, *DBTaskResultAdmin.list_filter]
    actions = ["retry"]

    @admin.display(description=_("runs"))
    def attempts(self, obj):
        return len(obj.worker_ids)

    def has_retry_permission(self, request):
        return request.user.is_administrator

    @admin.action(description=_("Retry the selected failed or stale tasks"), permissions=["retry"])
    def retry(self, request, queryset):
        retried = retry_tasks(queryset)
        skipped = len(queryset) - retried
        self.message_user(
            request,
            ngettext("%d task queued again.", "%d tasks queued again.", retried) % retried,
            messages.SUCCESS if retried else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d task skipped: only failed or stale tasks are retried.",
                    "%d tasks skipped: only failed or stale tasks are retried.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
