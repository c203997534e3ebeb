from django.db import migrations

from leads import search

# SQLite only: an FTS5 table with the trigram tokenizer serving the lead search, kept current
# by triggers on leads_lead (leads.search). PostgreSQL has its trigram GIN index (0010).


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            search.install_sqlite_index(cursor)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            search.drop_sqlite_index(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0012_lead_reached_contacted"),
    ]

    operations = [
        migrations.RunPython(create_fts, drop_fts),
    ]
