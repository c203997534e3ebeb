"""The project's layers, lowest first: an app may use only the apps of lower layers.

`crm/tests/test_layers.py` holds the code to this, and docs/architecture.md draws it. Apps of
one layer talk through signals and registries; where one must use another directly, the edge
is declared here, (from, to), so it is said in one place.
"""

LAYERS = [
    {"crm"},
    {"activities"},
    {"accounts"},
    {"opportunities"},
    {"leads"},
    {"leads.routing", "leads.imports"},
    {"capture", "reports", "api", "privacy", "scoring", "mail"},
]

SIBLING_EDGES: set[tuple[str, str]] = {
    # The API's lead carries what its web form brought (`web_capture`, read-only), read
    # through capture's selectors, the same the lead page's capture panel uses.
    ("api", "capture"),
    # A lead's score counts its recent web form submissions (an engagement rule), and
    # re-scores when one arrives.
    ("scoring", "capture"),
}

# Foreign keys by model label from a lower app to a higher one: a table-level link the import
# graph does not see. Each is a debt to pay by moving the model down (a migration of its own).
LABEL_REFERENCES: dict[tuple[str, str], str] = {
    # Dynamics' opportunity.campaignid: campaigns live with leads today, the opportunity
    # points at them by label. Moving Campaign below opportunities removes this.
    ("opportunities", "leads.Campaign"): "opportunities/models.py: Opportunity.source_campaign",
}
