"""The data every database starts with: Dynamics' ten lead sources (leadsourcecode 1-10).
Migration 0002 seeds them (with its own copy of this list: a landed migration does not
change); the app's post_migrate receiver calls this to seed them again after a `flush`."""

from django.db import DEFAULT_DB_ALIAS

DYNAMICS_SOURCES = [
    "Advertisement",
    "Employee Referral",
    "External Referral",
    "Partner",
    "Public Relations",
    "Seminar",
    "Trade Show",
    "Web",
    "Word of Mouth",
    "Other",
]


def seed_sources(apps, using=DEFAULT_DB_ALIAS):
    """Add the Dynamics sources missing by name (any case). `apps`: an app registry, the
    global one or a migration's."""
    sources = apps.get_model("leads", "LeadSource").objects.using(using)
    existing = {name.lower() for name in sources.values_list("name", flat=True)}
    sources.bulk_create(
        sources.model(name=name, order=position * 10)
        for position, name in enumerate(DYNAMICS_SOURCES, start=1)
        if name.lower() not in existing
    )
