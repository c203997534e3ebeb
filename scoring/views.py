"""The lead scoring page: the rules managers keep (points for a lead's fields and its recent
activity), the organisation's scoring settings and the model's state. Every saved rule or
setting re-scores every open lead in the background (scoring/receivers.py)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import StaleRecord
from crm.history import history_page
from crm.lib.setting_views import SettingPage, save_from_form
from crm.permissions import require_permission
from crm.templatetags.readable import count
from scoring import services, tasks
from scoring.forms import RuleForm, SettingsForm
from scoring.models import ScoringRule, ScoringSettings
from scoring.reporting import rule_reach

# The pages.


def _page(request, settings_form=None):
    settings_ = ScoringSettings.current()
    model = services.current_model()
    reason = "" if model is not None else services.readiness()[1]
    user = request.user
    context = {
        "rules": ScoringRule.objects.order_by("pk"),
        "settings": settings_,
        "settings_form": settings_form or SettingsForm(instance=settings_),
        "model": model,
        "not_ready_reason": reason,
        "can_add": user.has_perm("scoring.add_scoringrule"),
        "can_delete": user.has_perm("scoring.delete_scoringrule"),
        "can_change_settings": user.has_perm("scoring.change_scoringsettings"),
    }
    return render(request, "scoring/index.html", context)


@require_GET
@require_permission("scoring.change_scoringrule")
def index(request):
    return _page(request)


@require_POST
@require_permission("scoring.change_scoringsettings")
def settings_edit(request):
    form = SettingsForm(request.POST, instance=ScoringSettings.current())
    if form.is_valid():
        try:
            services.save_settings(
                user=request.user,
                values=form.changed_values(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleRecord as error:
            form.add_error(None, error.message_for(request.user))
        else:
            messages.success(
                request,
                _("Scoring settings saved. Scores are being recomputed in the background."),
            )
            return redirect("scoring:index")
    return _page(request, settings_form=form)


@require_POST
@require_permission("scoring.change_scoringsettings")
def retrain(request):
    """Learn the model again from the closed leads (then every open lead is re-scored)."""
    ready, reason = services.readiness()
    if not ready:
        messages.warning(request, _("Not retrained. %(reason)s") % {"reason": reason})
        return redirect("scoring:index")
    tasks.train_lead_score.enqueue()
    messages.success(
        request,
        _(
            "Learning the model again in the background from the closed leads; every open "
            "lead is re-scored after it. Reload this page in a minute to see when it was "
            "learned."
        ),
    )
    return redirect("scoring:index")


def _reach_message(request, rule):
    """After a save: how many open leads the rule holds for, and, when none, a warning with
    the values the field holds most often (a rule on "Denmark" where leads say "Danmark")."""
    reach = rule_reach(rule, request.user)
    if reach["matching"] or not reach["open"]:
        messages.info(
            request,
            _("“%(name)s” holds for %(matching)s of the %(open)s open leads you can see.")
            % {
                "name": rule.name,
                "matching": count(reach["matching"]),
                "open": count(reach["open"]),
            },
        )
        return
    warning = _("“%(name)s” holds for none of the %(open)s open leads you can see.") % {
        "name": rule.name,
        "open": count(reach["open"]),
    }
    if reach["suggestions"]:
        warning += " " + _("The values this field holds most often: %(values)s.") % {
            "values": ", ".join(f"“{value}” ({count(n)})" for value, n in reach["suggestions"])
        }
    messages.warning(request, warning)


def _edit(request, rule):
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        saved = save_from_form(
            request,
            form,
            lambda: services.save_rule(
                user=request.user,
                values=form.changed_values(),
                rule=rule,
                expected_version=form.cleaned_data["expected_version"],
            ),
            _("Rule “%(name)s” saved. Scores are being recomputed in the background."),
        )
        if saved is not None:
            _reach_message(request, saved)
            return redirect("scoring:index")
    page = SettingPage(
        record=rule,
        list_url=reverse("scoring:index"),
        list_title=_("Lead scoring"),
        new_title=_("New scoring rule"),
        edit_title=_("Edit scoring rule"),
        testid="scoring-rule",
    )
    context = {"rule": rule, "form": form, "page": page}
    if rule is not None:
        context["history"] = history_page(rule, user=request.user)
    return render(request, "scoring/rule_form.html", context)


@require_http_methods(["GET", "POST"])
@require_permission("scoring.add_scoringrule")
def rule_new(request):
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@require_permission("scoring.change_scoringrule")
def rule_edit(request, pk):
    return _edit(request, get_object_or_404(ScoringRule, pk=pk))


@require_http_methods(["GET", "POST"])
@require_permission("scoring.delete_scoringrule")
def rule_delete(request, pk):
    rule = get_object_or_404(ScoringRule, pk=pk)
    if request.method == "POST":
        services.delete_rule(user=request.user, rule=rule)
        done = _("Rule “%(name)s” deleted. Scores are being recomputed in the background.")
        messages.success(request, done % {"name": rule.name})
        return redirect("scoring:index")
    return render(request, "scoring/rule_confirm_delete.html", {"rule": rule})


@require_POST
@require_permission("scoring.change_scoringrule")
def rule_reach_preview(request):
    """The rule form's "Count the leads it holds for" (htmx): the posted rule, unsaved,
    counted against the open leads the manager can see."""
    posted = request.POST.copy()
    # The count does not depend on the points, which come after the button on the form.
    if posted.get("points", "").strip() in ("", "0"):
        posted["points"] = "1"
    form = RuleForm(posted)
    context = {"form": form}
    if form.is_valid():
        context["reach"] = rule_reach(form.instance, request.user)
        context["rule"] = form.instance
    return render(request, "scoring/_rule_reach.html", context)
