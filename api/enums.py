"""Names for the schema's enums where two fields share a name but not their choices
(drf-spectacular's ENUM_NAME_OVERRIDES in settings point here)."""

from api.fields import named_choices
from leads.models import STATUSES_BY_STATE, State, Status
from opportunities.models import Opportunity

OWNER_TYPES = ["user", "team"]
CUSTOMER_TYPES = ["account", "contact"]
RECORD_TYPES = ["lead", "account", "contact", "opportunity"]


def _pairs(statuses):
    return [(status.value, status.label) for status in statuses]


def lead_states():
    return named_choices(State)


def lead_statuses():
    return named_choices(Status)


def opportunity_states():
    return named_choices(Opportunity.State)


def opportunity_statuses():
    return named_choices(Opportunity.Status)


def disqualify_reasons():
    return _pairs(STATUSES_BY_STATE[State.DISQUALIFIED])


def open_statuses():
    return _pairs(STATUSES_BY_STATE[State.OPEN])


def qualified_statuses():
    return _pairs(STATUSES_BY_STATE[State.QUALIFIED])
