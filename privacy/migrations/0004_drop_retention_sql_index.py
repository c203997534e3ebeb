from django.db import migrations

# privacy 0003's index, put back if this migration is reversed.
OLD_INDEX = (
    "CREATE INDEX privacy_lead_retention_idx ON leads_lead (modified_at, id) "
    "WHERE state = 'disqualified'"
)


class Migration(migrations.Migration):
    """The retention index moved into leads.Lead's Meta (leads 0018), where Django keeps it
    through SQLite's table rebuilds; the plain-SQL one of 0003 goes. A database that had
    already lost it gets it back under the new name."""

    dependencies = [
        ("privacy", "0003_retentionpolicy"),
        ("leads", "0018_lead_retention_index"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS privacy_lead_retention_idx", OLD_INDEX
        ),
    ]
