from django.conf import settings
from django.db import migrations, models

# Each entry carries its lead's owner: one UPDATE ... FROM, on PostgreSQL and on SQLite
# (3.33+) alike, before the indexes are built over the filled columns.
FILL_OWNER = """
UPDATE leads_leadstatuschange SET owner_user_id = l.owner_user_id, owner_team_id = l.owner_team_id
FROM leads_lead l
WHERE l.id = leads_leadstatuschange.lead_id
"""


class Migration(migrations.Migration):
    # After 0015 (written beside this one, and applied first to databases in use): the two
    # are independent, and this order keeps their histories consistent.
    dependencies = [
        ("crm", "0004_task_retry"),
        ("leads", "0015_lead_reached_opportunity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="leadstatuschange",
            name="owner_team",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to="crm.team",
                verbose_name="owner (team)",
            ),
        ),
        migrations.AddField(
            model_name="leadstatuschange",
            name="owner_user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner (user)",
            ),
        ),
        migrations.RunSQL(FILL_OWNER, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="leadstatuschange",
            index=models.Index(
                condition=models.Q(
                    ("left_at__isnull", False),
                    ("to_status__in", ("new", "contacted")),
                    _connector="OR",
                ),
                fields=["owner_user", "owner_team", "to_status", "changed_at", "left_at", "lead"],
                name="leads_statuslog_owner_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="leadstatuschange",
            index=models.Index(
                condition=models.Q(
                    ("owner_team__isnull", False),
                    models.Q(
                        ("left_at__isnull", False),
                        ("to_status__in", ("new", "contacted")),
                        _connector="OR",
                    ),
                ),
                fields=["owner_team", "to_status", "changed_at", "left_at", "lead"],
                name="leads_statuslog_team_idx",
            ),
        ),
    ]
