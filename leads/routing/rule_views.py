"""The routing rules pages: managers keep the rules of their teams, administrators all of them
(when their group has the permission); "Try the rules" previews who would get a lead."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import StaleRecord
from crm.lib.setting_views import SettingPage, save_from_form
from crm.permissions import require_permission
from leads.routing import selectors, services
from leads.routing.explain import describe
from leads.routing.forms import ConditionFormSet, RuleForm, RulePreviewForm
from leads.routing.history import rule_history
from leads.routing.models import AssignmentRule


def _rule_of(request, pk):
    """A rule the user may change; another team's is not found (404)."""
    return get_object_or_404(AssignmentRule.objects.manageable_by(request.user), pk=pk)


@require_GET
@require_permission("routing.change_assignmentrule")
def rule_list(request):
    return render(
        request,
        "routing/rule_list.html",
        {
            "rules": selectors.rules_for_list(request.user),
            "can_add": request.user.has_perm("routing.add_assignmentrule"),
        },
    )


def _kept_conditions(formset):
    """(id, field, operator, value) of each condition the formset keeps, values as cleaned
    by the model (choice values as their codes)."""
    deleted = set(formset.deleted_forms)
    return [
        (form.instance.pk, form.instance.field, form.instance.operator, form.instance.value)
        for form in formset.forms
        if form not in deleted and (form.instance.pk or form.has_changed())
    ]


def _edit(request, rule):
    form = RuleForm(request.POST or None, instance=rule, user=request.user)
    formset = ConditionFormSet(request.POST or None, instance=rule or AssignmentRule())
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = save_from_form(
            request,
            form,
            lambda: services.save_rule(
                user=request.user,
                values=form.changed_values(),
                conditions=_kept_conditions(formset),
                rule=rule,
                expected_version=form.cleaned_data["expected_version"],
            ),
            _("Rule “%(name)s” saved."),
        )
        if saved is not None:
            return redirect("routing:rules")
    page = SettingPage(
        record=rule,
        list_url=reverse("routing:rules"),
        list_title=_("Routing rules"),
        new_title=_("New rule"),
        edit_title=_("Edit rule"),
        testid="rule",
    )
    context = {"rule": rule, "form": form, "formset": formset, "page": page}
    if rule is not None:
        context["history"] = rule_history(rule, user=request.user)
    return render(request, "routing/rule_form.html", context)


@require_http_methods(["GET", "POST"])
@require_permission("routing.add_assignmentrule")
def rule_new(request):
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@require_permission("routing.change_assignmentrule")
def rule_edit(request, pk):
    return _edit(request, _rule_of(request, pk))


@require_POST
@require_permission("routing.change_assignmentrule")
def rule_set_active(request, pk):
    rule = _rule_of(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_rule_active(
            rule=rule,
            user=request.user,
            active=active,
            expected_version=request.POST.get("version") or None,
        )
    except StaleRecord as error:
        messages.error(request, error.message_for(request.user))
    else:
        done = _("Rule “%(name)s” activated.") if active else _("Rule “%(name)s” deactivated.")
        messages.success(request, done % {"name": rule.name})
    return redirect("routing:rules")


@require_POST
@require_permission("routing.change_assignmentrule")
def rule_move(request, pk):
    rule = _rule_of(request, pk)
    services.move_rule(rule=rule, user=request.user, up=request.POST.get("direction") == "up")
    return redirect(f"{reverse('routing:rules')}#rule-{rule.pk}")


def _shown_to(decision, user):
    """The preview in words, without naming the rules or people of teams `user` does not
    manage (an administrator sees everything)."""
    info = describe(decision)
    if user.is_administrator:
        return info
    mine = set(AssignmentRule.objects.manageable_by(user).values_list("pk", flat=True))
    other = _("a rule of another team")
    if decision.rule is not None and decision.rule.id not in mine:
        info.update(rule_name=other, candidates=[], owner=_("another team"))
    for row, shown in zip(decision.passed_over, info["passed_over"], strict=True):
        if row.get("rule_id") is not None and row["rule_id"] not in mine:
            shown.update(name=other, candidates=[])
    return info


@require_GET
@require_permission("routing.change_assignmentrule")
def rule_preview(request):
    """Which rule would take a lead (picked by number or described), and who would get it now;
    nothing is assigned and no rotation moves."""
    form = RulePreviewForm(request.GET or None, user=request.user)
    info, lead = None, None
    if form.is_bound and form.is_valid():
        lead = form.lead()
        info = _shown_to(services.preview_routing(lead=lead), request.user)
    context = {"form": form, "info": info, "lead": lead}
    if request.htmx:
        return render(request, "routing/rule_preview.html#preview", context)
    return render(request, "routing/rule_preview.html", context)
