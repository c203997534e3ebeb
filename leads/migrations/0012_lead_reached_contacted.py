from django.db import migrations, models

# Leads whose status log holds an entry to Contacted (leads_statuslog_contacted_idx): one
# UPDATE on PostgreSQL and on SQLite alike, before the report index is rebuilt with the column.
FILL_REACHED_CONTACTED = """
UPDATE leads_lead SET reached_contacted = TRUE
WHERE id IN (SELECT lead_id FROM leads_leadstatuschange WHERE to_status = 'contacted')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0011_lead_amounts_not_negative"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicallead",
            name="reached_contacted",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="reached Contacted"
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="reached_contacted",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="reached Contacted"
            ),
        ),
        migrations.RunSQL(FILL_REACHED_CONTACTED, migrations.RunSQL.noop, elidable=True),
        migrations.RemoveIndex(model_name="lead", name="leads_lead_report_idx"),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=[
                    "created_at",
                    "source",
                    "campaign",
                    "owner_user",
                    "owner_team",
                    "first_contact_at",
                    "qualified_at",
                    "status",
                    "reached_contacted",
                ],
                name="leads_lead_report_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("state", "open")),
                fields=["owner_user", "status", "id"],
                name="leads_lead_open_status_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("state", "open")),
                fields=["modified_at", "owner_user", "owner_team", "id"],
                name="leads_lead_untouched_idx",
            ),
        ),
    ]
