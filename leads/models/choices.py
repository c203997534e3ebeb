"""A lead's states and status reasons (Dynamics' statecode / statuscode), and which reasons
belong to which state."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    OPEN = "open", _("Open")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")


class Status(models.TextChoices):
    """Dynamics' status reasons; each belongs to exactly one state (see STATUSES_BY_STATE)."""

    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    LOST = "lost", _("Lost")
    CANNOT_CONTACT = "cannot_contact", _("Cannot Contact")
    NO_LONGER_INTERESTED = "no_longer_interested", _("No Longer Interested")
    CANCELED = "canceled", _("Canceled")


STATUSES_BY_STATE = {
    State.OPEN: [Status.NEW, Status.CONTACTED],
    State.QUALIFIED: [Status.QUALIFIED],
    State.DISQUALIFIED: [
        Status.LOST,
        Status.CANNOT_CONTACT,
        Status.NO_LONGER_INTERESTED,
        Status.CANCELED,
    ],
}
DEFAULT_STATUS = {
    State.OPEN: Status.NEW,
    State.QUALIFIED: Status.QUALIFIED,
    State.DISQUALIFIED: Status.CANCELED,
}
DISQUALIFY_REASONS = [(s.value, s.label) for s in STATUSES_BY_STATE[State.DISQUALIFIED]]


# The fields a person enters on a lead, in sections: the one list the form, the API and the
# export derive from. The form shows the sections in the model's order (LEAD_FORM_FIELDS); the


class Grade(models.TextChoices):
    """A lead's score as a letter (the scoring app's boundaries, an organisation setting)."""

    A = "A", _("A")
    B = "B", _("B")
    C = "C", _("C")
    D = "D", _("D")
