"""Sending an e-mail from a lead, contact, account or opportunity, and sending a failed one
again. Reached from the record page's "Send an e-mail" (mail/panels.py)."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from activities.models import Activity, Note
from crm.errors import DomainError
from mail import services
from mail.forms import ComposeForm
from mail.models import EmailTemplate, OutgoingEmail

# The models e-mail is sent from, by the label the URL names them with ("leads.lead").
MODELS = {model._meta.label_lower: model for model in services.SENDABLE}


def _record_or_404(request, label, pk):
    model = MODELS.get(label)
    if model is None:
        raise Http404
    records = model._default_manager.visible_to(request.user).with_access(request.user)
    record = get_object_or_404(records, pk=pk)
    if not record.can_add:
        raise PermissionDenied(_("You can see this record but not add to it."))
    return record


def _notes_with_files(record):
    kind = ContentType.objects.get_for_model(record, for_concrete_model=False)
    return (
        Note.objects.filter(content_type=kind, object_id=record.pk)
        .exclude(attachment="")
        .order_by("-created_at")
    )


@require_http_methods(["GET", "POST"])
def compose(request, label, pk):
    """The compose page: filled from a template when one is picked (?template=<id>)."""
    record = _record_or_404(request, label, pk)
    refused = services.refusals(record)
    templates = EmailTemplate.objects.filter(is_active=True)
    notes = _notes_with_files(record)
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, notes=notes)
        if not refused and form.is_valid():
            data = form.cleaned_data
            try:
                services.send_email(
                    regarding=record,
                    user=request.user,
                    to=data["to"],
                    cc=data["cc"],
                    subject=data["subject"],
                    body=data["body"],
                    notes=list(data.get("notes") or []),
                    uploads=data["files"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("E-mail “%(subject)s” is being sent; it is on the timeline.")
                    % {"subject": data["subject"]},
                )
                return redirect(record.get_absolute_url())
    else:
        initial = {"to": services.recipient_of(record).email}
        chosen = request.GET.get("template")
        if chosen and chosen.isdigit():
            template = templates.filter(pk=chosen).first()
            if template is not None:
                initial.update(services.filled_template(template, record, request.user))
        else:
            initial["body"] = "\n\n" + services.signature_of(request.user)
        form = ComposeForm(initial=initial, notes=notes)
    if request.method == "POST" and request.FILES.getlist("files"):
        # Sent back with an error: a browser never keeps chosen files in a form it shows
        # again, so say so rather than let the e-mail go without them.
        form.add_error(
            "files", _("Choose the files again: they are not kept when the form is sent back.")
        )
    return render(
        request,
        "mail/compose.html",
        {
            "record": record,
            "label": label,
            "form": form,
            "refused": refused,
            "templates": templates,
            "chosen": request.GET.get("template", ""),
        },
    )


def _visible_email_or_404(request, pk):
    kinds = ContentType.objects.get_for_models(*MODELS.values()).values()
    visible = Activity.objects.visible_to(request.user).filter(content_type__in=kinds)
    return get_object_or_404(
        OutgoingEmail.objects.select_related("activity"), pk=pk, activity__in=visible
    )


@require_http_methods(["GET"])
def status(request, pk):
    """One sent e-mail's line of the panel, which polls it while it is queued or sending."""
    email = _visible_email_or_404(request, pk)
    do_not_email = getattr(email.activity.regarding, "do_not_email", False)
    return render(request, "mail/_sent_email.html", {"email": email, "do_not_email": do_not_email})


@require_POST
def retry(request, pk):
    email = _visible_email_or_404(request, pk)
    record = email.activity.regarding
    if email.shown_status == OutgoingEmail.Status.UNKNOWN and not request.POST.get("checked"):
        messages.warning(
            request,
            _("Check with the recipient that “%(subject)s” did not arrive, then tick the box.")
            % {"subject": email.subject},
        )
        return redirect(record.get_absolute_url())
    try:
        services.retry(email=email, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("“%(subject)s” is being sent again.") % {"subject": email.subject}
        )
    return redirect(record.get_absolute_url())
