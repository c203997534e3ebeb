"""The column headings of the report downloads: in English the column names scripts read
("qualification_rate"), in another language the user's words ("kvalificeringsrate")."""

from django.utils.translation import pgettext_lazy

HEADINGS = {
    "source": pgettext_lazy("CSV column", "source"),
    "campaign": pgettext_lazy("CSV column", "campaign"),
    "owner": pgettext_lazy("CSV column", "owner"),
    "team": pgettext_lazy("CSV column", "team"),
    "leads": pgettext_lazy("CSV column", "leads"),
    "open": pgettext_lazy("CSV column", "open"),
    "qualified": pgettext_lazy("CSV column", "qualified"),
    "disqualified": pgettext_lazy("CSV column", "disqualified"),
    "qualification_rate": pgettext_lazy("CSV column", "qualification_rate"),
    "opportunities": pgettext_lazy("CSV column", "opportunities"),
    "won": pgettext_lazy("CSV column", "won"),
    "won_value": pgettext_lazy("CSV column", "won_value"),
    "lost": pgettext_lazy("CSV column", "lost"),
    "open_value": pgettext_lazy("CSV column", "open_value"),
    "qualified_share": pgettext_lazy("CSV column", "qualified_share"),
    "avg_days_to_qualification": pgettext_lazy("CSV column", "avg_days_to_qualification"),
    "avg_hours_to_first_contact": pgettext_lazy("CSV column", "avg_hours_to_first_contact"),
    "disqualified_lost": pgettext_lazy("CSV column", "disqualified_lost"),
    "disqualified_cannot_contact": pgettext_lazy("CSV column", "disqualified_cannot_contact"),
    "disqualified_no_longer_interested": pgettext_lazy(
        "CSV column", "disqualified_no_longer_interested"
    ),
    "disqualified_canceled": pgettext_lazy("CSV column", "disqualified_canceled"),
    "created": pgettext_lazy("CSV column", "created"),
    "contacted": pgettext_lazy("CSV column", "contacted"),
    "opportunity": pgettext_lazy("CSV column", "opportunity"),
    "contacted_percent_of_created": pgettext_lazy("CSV column", "contacted_percent_of_created"),
    "qualified_percent_of_contacted": pgettext_lazy(
        "CSV column", "qualified_percent_of_contacted"
    ),
    "opportunity_percent_of_qualified": pgettext_lazy(
        "CSV column", "opportunity_percent_of_qualified"
    ),
    "won_percent_of_opportunity": pgettext_lazy("CSV column", "won_percent_of_opportunity"),
    "status": pgettext_lazy("CSV column", "status"),
    "stays": pgettext_lazy("CSV column", "stays"),
    "average_days": pgettext_lazy("CSV column", "average_days"),
    "median_days": pgettext_lazy("CSV column", "median_days"),
}


def headings(names):
    """The header row in the active language (a column without a heading keeps its name)."""
    return [str(HEADINGS.get(name, name)) for name in names]
