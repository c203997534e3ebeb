"""What the log-activity form warns about: an outgoing e-mail or call to a person who asked
not to be contacted that way. The record's own do-not-contact flags (`do_not_email`,
`do_not_phone` on leads and contacts) are read here; a higher app adds its own reasons with
`register_opt_out_check(check)` from its AppConfig.ready() (privacy: a withdrawn consent).
A warning, never a refusal: the rep may still log what happened."""

from collections.abc import Callable

from django.db.models import Model
from django.utils.translation import gettext as _

from activities.models import Activity

# The flag of each kind, and what the form says when it is set.
_FLAGS = {
    Activity.Kind.EMAIL: ("do_not_email", lambda: _("This person asked not to be e-mailed.")),
    Activity.Kind.PHONE_CALL: ("do_not_phone", lambda: _("This person asked not to be phoned.")),
}

_checks: list[Callable[[Model, str], list[str]]] = []


def register_opt_out_check(check: Callable[[Model, str], list[str]]) -> None:
    """`check(record, kind)` returns the warnings (texts) for logging an activity of `kind`
    (an e-mail or a phone call) regarding `record`."""
    if check not in _checks:
        _checks.append(check)


def opt_out_warnings(record: Model, kind: str) -> list[str]:
    if kind not in _FLAGS:
        return []
    flag, message = _FLAGS[kind]
    warnings = [message()] if getattr(record, flag, False) else []
    for check in _checks:
        warnings.extend(check(record, kind))
    return warnings
