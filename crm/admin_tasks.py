"""The background tasks in the admin: django_tasks_db's read-only list, plus a "needs
attention" filter (failed, or stale: running on a worker that stopped beating; not retried
yet), counted in the list's title, a Retry action for administrators
(crm.background.retry_tasks) whose rows link to each other, and the periodic jobs'
successful runs hidden unless asked for (one sweep a minute would drown the list)."""

from django.contrib import admin, messages
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from crm.background import needing_attention, periodic_task_paths, retry_tasks, stale_tasks


class AttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("all", _("Failed or stale")),
            ("failed", _("Failed")),
            ("stale", _("Stale (worker gone)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return needing_attention(queryset)
        if self.value() == "failed":
            return queryset.filter(status=TaskResultStatus.FAILED, retry__isnull=True)
        if self.value() == "stale":
            return queryset.filter(pk__in=stale_tasks()).filter(retry__isnull=True)
        return queryset


class PeriodicJobsFilter(admin.SimpleListFilter):
    """Hides the periodic jobs' successful runs by default: they say nothing but "it ran"."""

    title = _("periodic jobs' successful runs")
    parameter_name = "periodic"

    def lookups(self, request, model_admin):
        return [("show", _("Show"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Hide"),
        }
        yield {
            "selected": self.value() == "show",
            "query_string": changelist.get_query_string({self.parameter_name: "show"}),
            "display": _("Show"),
        }

    def queryset(self, request, queryset):
        if self.value() == "show":
            return queryset
        return queryset.exclude(
            status=TaskResultStatus.SUCCESSFUL, task_path__in=periodic_task_paths()
        )


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = [*DBTaskResultAdmin.list_display, "attempts", "retried_as", "retry_of_task"]
    list_filter = [AttentionFilter, PeriodicJobsFilter, *DBTaskResultAdmin.list_filter]
    list_select_related = ["retry__retry", "retry_of__original"]
    actions = ["retry"]

    def changelist_view(self, request, extra_context=None):
        count = needing_attention(DBTaskResult.objects.all()).count()
        title = ngettext(
            "Background tasks: %d needs attention", "Background tasks: %d need attention", count
        )
        return super().changelist_view(request, {"title": title % count, **(extra_context or {})})

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "retried_as", "retry_of_task"]

    @admin.display(description=_("runs"))
    def attempts(self, obj):
        return len(obj.worker_ids)

    @admin.display(description=_("retried as"))
    def retried_as(self, obj):
        retry = getattr(obj, "retry", None)
        if retry is None:
            return ""
        if retry.retry is None:
            return gettext("retried (result pruned)")
        return self._link(retry.retry, retry.retry.get_status_display())

    @admin.display(description=_("retry of"))
    def retry_of_task(self, obj):
        retry_of = getattr(obj, "retry_of", None)
        return self._link(retry_of.original, gettext("failed run")) if retry_of else ""

    @staticmethod
    def _link(result, label):
        url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.pk])
        return format_html('<a href="{}">{}</a> ({})', url, str(result.pk)[:8], label)

    def has_retry_permission(self, request):
        return request.user.is_administrator

    @admin.action(description=_("Retry the selected failed or stale tasks"), permissions=["retry"])
    def retry(self, request, queryset):
        retried = retry_tasks(queryset, by=request.user)
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
                    "%d task skipped: only failed or stale tasks not retried yet are retried.",
                    "%d tasks skipped: only failed or stale tasks not retried yet are retried.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
