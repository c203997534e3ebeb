from django.db import migrations, models

# Leads that one of their qualifications fed an opportunity, and whether one of those is won
# (Opportunity.State.WON = 1): one UPDATE on PostgreSQL and on SQLite alike, before the report
# index is rebuilt with the columns.
FILL_REACHED_OPPORTUNITY = """
UPDATE leads_lead SET reached_opportunity = TRUE, reached_won = EXISTS (
    SELECT 1 FROM leads_qualification q
    JOIN opportunities_opportunity o ON o.id = q.opportunity_id
    WHERE q.lead_id = leads_lead.id AND q.kind = 'qualified' AND o.state = 1
)
WHERE id IN (
    SELECT lead_id FROM leads_qualification
    WHERE kind = 'qualified' AND opportunity_id IS NOT NULL
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0013_lead_search_fts"),
        ("opportunities", "0007_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicallead",
            name="reached_opportunity",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="reached an opportunity"
            ),
        ),
        migrations.AddField(
            model_name="historicallead",
            name="reached_won",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="reached a won opportunity"
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="reached_opportunity",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="reached an opportunity"
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="reached_won",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="reached a won opportunity"
            ),
        ),
        migrations.RunSQL(FILL_REACHED_OPPORTUNITY, migrations.RunSQL.noop, elidable=True),
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
                    "reached_opportunity",
                    "reached_won",
                ],
                name="leads_lead_report_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("state", "open")),
                fields=["owner_user", "next_follow_up", "id"],
                name="leads_lead_open_follow_up_idx",
            ),
        ),
    ]
