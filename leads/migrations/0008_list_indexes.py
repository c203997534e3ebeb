"""The lead list's indexes (leads/models/list_indexes.py) and the owners' indexes with the
newest first, for the list's default views and their counts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_statuslog_first_entry_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="lead",
            name="leads_lead_owner_user_idx",
        ),
        migrations.RemoveIndex(
            model_name="lead",
            name="leads_lead_owner_team_idx",
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["owner_user", "state", "-created_at", "-id"],
                name="leads_lead_owner_user_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["owner_team", "state", "-created_at", "-id"],
                name="leads_lead_owner_team_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["created_at", "id"], name="leads_lead_sort_created_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["last_name", "first_name", "id"], name="leads_lead_sort_name_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["company_name", "id"], name="leads_lead_sort_company_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["topic", "id"], name="leads_lead_sort_topic_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["status", "id"], name="leads_lead_sort_status_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["rating", "id"], name="leads_lead_sort_rating_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["next_follow_up", "id"], name="leads_lead_sort_follow_up_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["estimated_value", "id"], name="leads_lead_sort_value_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["state", "-created_at", "-id", "owner_user", "owner_team"],
                name="leads_lead_list_state_idx",
            ),
        ),
    ]
