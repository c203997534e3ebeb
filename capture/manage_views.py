"""The Web forms pages: managers keep the web forms of their teams (those that create their
leads as a member of a team they manage), administrators all of them."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from capture import embed, services
from capture.forms import WebFormPageForm
from capture.models import WebForm
from crm.errors import DomainError, StaleRecord
from crm.history import history_page


def permission_required(codename):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(f"capture.{codename}"):
                raise PermissionDenied(_("Your role may not change web forms."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@require_GET
@permission_required("change_webform")
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
        try:
            saved = services.save_web_form(
                user=request.user,
                values=form.changed_values(),
                web_form=web_form,
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleRecord as error:
            form.add_error(None, error.message_for(request.user))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Web form “%(name)s” saved.") % {"name": saved.name})
            return redirect(saved)
    context = {"web_form": web_form, "form": form}
    if web_form is not None:
        context.update(
            public_url=embed.public_url(web_form),
            embed_iframe=embed.iframe_markup(web_form),
            embed_form=embed.form_markup(web_form),
            history=history_page(web_form, user=request.user),
        )
    return render(request, "capture/webform_form.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("add_webform")
def web_form_new(request):
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@permission_required("change_webform")
def web_form_edit(request, pk):
    web_form = get_object_or_404(WebForm.objects.manageable_by(request.user), pk=pk)
    return _edit(request, web_form)
