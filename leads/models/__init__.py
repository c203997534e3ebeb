"""The lead (Dynamics' Lead entity), its sources and campaigns, the status log and what
qualifying a lead produced. Links Dynamics keeps on the account, contact or opportunity
(originating lead, source leads, source campaign) live here, so the lower apps never import
this one: they reach leads through the reverse relations of these foreign keys."""

from leads.models.choices import (
    DEFAULT_STATUS,
    DISQUALIFY_REASONS,
    STATUSES_BY_STATE,
    Grade,
    State,
    Status,
)
from leads.models.conversion import (
    LeadLink,
    Qualification,
    QualificationSettings,
)
from leads.models.lead import (
    LEAD_DATA_FIELDS,
    LEAD_EXPORT_FIELDS,
    LEAD_FORM_FIELDS,
    LEAD_SECTIONS,
    Lead,
    LeadQuerySet,
    _sections,
    _status_condition,
    import_batch_of,
    import_batch_reason,
)
from leads.models.sources import (
    Campaign,
    LeadSource,
)
from leads.models.status_log import (
    LeadStatusChange,
)

__all__ = [
    "Grade",
    "LeadSource",
    "Campaign",
    "State",
    "Status",
    "STATUSES_BY_STATE",
    "DEFAULT_STATUS",
    "DISQUALIFY_REASONS",
    "LEAD_SECTIONS",
    "_sections",
    "LEAD_FORM_FIELDS",
    "LEAD_DATA_FIELDS",
    "LEAD_EXPORT_FIELDS",
    "LeadQuerySet",
    "_status_condition",
    "import_batch_of",
    "import_batch_reason",
    "Lead",
    "LeadStatusChange",
    "QualificationSettings",
    "Qualification",
    "LeadLink",
]
