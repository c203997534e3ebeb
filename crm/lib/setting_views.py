"""What the managers' configuration pages (routing rules, web forms) share: saving a valid
form through its service, where a stale version or a refused change becomes the form's
error instead of a failure."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages

from crm.errors import DomainError, StaleRecord


@dataclass(frozen=True)
class SettingPage:
    """What templates/crm/setting_form.html shows around the form."""

    record: object | None
    list_url: str
    list_title: str
    new_title: str
    edit_title: str
    testid: str
    form_class: str = ""


def save_from_form[R](request, form, save: Callable[[], R], done: str) -> R | None:
    """Run `save()` (a service call) for a valid `form`. The saved record, with `done` (a
    message with a %(name)s) as the flash message; None, with the form's error, when the
    service refused."""
    try:
        saved = save()
    except StaleRecord as error:
        form.add_error(None, error.message_for(request.user))
    except DomainError as error:
        form.add_error(None, str(error))
    else:
        messages.success(request, done % {"name": saved.name})
        return saved
    return None
