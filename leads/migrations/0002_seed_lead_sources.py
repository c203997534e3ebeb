"""Dynamics' ten lead sources (leadsourcecode 1-10), present right after `migrate`."""

from django.db import migrations

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


def seed_sources(apps, schema_editor):
    LeadSource = apps.get_model("leads", "LeadSource")
    existing = {name.lower() for name in LeadSource.objects.values_list("name", flat=True)}
    LeadSource.objects.bulk_create(
        LeadSource(name=name, order=position * 10)
        for position, name in enumerate(DYNAMICS_SOURCES, start=1)
        if name.lower() not in existing
    )


def unseed_sources(apps, schema_editor):
    LeadSource = apps.get_model("leads", "LeadSource")
    LeadSource.objects.filter(name__in=DYNAMICS_SOURCES, leads__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [migrations.RunPython(seed_sources, unseed_sources)]
