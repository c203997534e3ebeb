"""The Web forms pages: managers keep the web forms of their teams (those that create their
leads as a member of a team they manage), administrators all of them."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from capture import embed, services
from capture.forms import WebFormPageForm
from capture.models import WebForm
from crm.history import history_page
from crm.lib.setting_views import SettingPage, save_from_form
from crm.permissions import require_permission


@require_GET
@require_permission("capture.change_webform")
def web_form_list(request):
    forms = (
        WebForm.objects.manageable_by(request.user)
        .select_related("source", "campaign", "created_by")
        .order_by("name", "pk")
    )
    return render(
        request,
        "capture/webform_list.html",
        {"web_forms": forms, "can_add": request.user.has_perm("capture.add_webform")},
    )


def _edit(request, web_form):
    initial = {} if web_form else {"created_by": request.user.pk}
    form = WebFormPageForm(
        request.POST or None, instance=web_form, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        saved = save_from_form(
            request,
            form,
            lambda: services.save_web_form(
                user=request.user,
                values=form.changed_values(),
                web_form=web_form,
                expected_version=form.cleaned_data["expected_version"],
            ),
            _("Web form “%(name)s” saved."),
        )
        if saved is not None:
            return redirect(saved)
    page = SettingPage(
        record=web_form,
        list_url=reverse("webforms:list"),
        list_title=_("Web forms"),
        new_title=_("New web form"),
        edit_title=_("Edit web form"),
        testid="web-form",
        form_class="web-form-form",
    )
    context = {"web_form": web_form, "form": form, "page": page}
    if web_form is not None:
        context.update(
            public_url=embed.public_url(web_form),
            embed_iframe=embed.iframe_markup(web_form),
            embed_form=embed.form_markup(web_form),
            history=history_page(web_form, user=request.user),
        )
    return render(request, "capture/webform_form.html", context)


@require_http_methods(["GET", "POST"])
@require_permission("capture.add_webform")
def web_form_new(request):
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@require_permission("capture.change_webform")
def web_form_edit(request, pk):
    web_form = get_object_or_404(WebForm.objects.manageable_by(request.user), pk=pk)
    return _edit(request, web_form)
