"""Share a record with a user or a team, and end a share (crm/services.py does the writing)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm import services
from crm.errors import DomainError
from crm.forms import ShareForm
from crm.models import Share
from crm.sharing import shareable_models


def _shareable_or_404(request, kind, pk):
    model = shareable_models().get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model._default_manager.visible_to(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def share(request, kind, pk):
    """The record's shares, past ones included, and (for whoever may share) the form that adds
    one."""
    record = _shareable_or_404(request, kind, pk)
    if request.method == "POST" and getattr(record, "merged_into_id", None):
        try:  # read-only: no form either (share_record refuses too)
            services.ensure_not_merged(record)
        except DomainError as error:
            messages.error(request, str(error))
        return redirect(record)
    may_share = request.user.can_share(record) and not getattr(record, "merged_into_id", None)
    if request.method == "POST" and not may_share:
        raise PermissionDenied(
            _("Only the owner of this record, their manager or an administrator may share it.")
        )
    form = ShareForm(request.POST or None, record=record) if may_share else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            created = services.share_record(
                record=record,
                by=request.user,
                user=form.cleaned_data["user"],
                team=form.cleaned_data["team"],
                access=form.cleaned_data["access"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(record)s is shared with %(target)s (%(access)s).")
                % {
                    "record": record,
                    "target": created.target,
                    "access": created.get_access_display().lower(),
                },
            )
            return redirect(record)
    shares = (
        Share.objects.of(record)
        .select_related("user", "team", "granted_by", "revoked_by")
        .order_by("revoked_at", "-granted_at")
    )
    return render(
        request,
        "crm/share.html",
        {"record": record, "kind": kind, "form": form, "shares": shares, "may_share": may_share},
    )


@require_POST
def revoke(request, pk):
    share = get_object_or_404(Share.objects.select_related("content_type"), pk=pk)
    model = share.content_type.model_class()
    if model not in shareable_models().values():
        raise Http404
    record = get_object_or_404(model._default_manager.visible_to(request.user), pk=share.object_id)
    try:
        services.revoke_share(share=share, by=request.user)
    except DomainError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(
        request,
        _("%(target)s no longer has access to %(record)s.")
        % {"target": share.target, "record": record},
    )
    if request.POST.get("next") == "share":
        return redirect("share", kind=model._meta.model_name, pk=record.pk)
    return redirect(record)
