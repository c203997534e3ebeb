"""Fill Lead.first_contact_at and Lead.qualified_at for the leads stored before they existed,
from the same facts the reports used to compute per lead: the first completed phone call or
e-mail regarding the lead, and its latest qualification. Two UPDATE statements."""

from django.db import migrations
from django.db.models import Max, Min, OuterRef, Subquery


def fill_report_facts(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    Qualification = apps.get_model("leads", "Qualification")
    Activity = apps.get_model("activities", "Activity")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias

    last_qualified = (
        Qualification.objects.using(db)
        .filter(lead=OuterRef("pk"), kind="qualified")
        .order_by()
        .values("lead")
        .annotate(at=Max("performed_at"))
        .values("at")
    )
    Lead.objects.using(db).update(qualified_at=Subquery(last_qualified))

    lead_type = ContentType.objects.using(db).filter(app_label="leads", model="lead").first()
    if lead_type is None:  # a new database: no activity can regard a lead yet
        return
    first_contact = (
        Activity.objects.using(db)
        .filter(
            content_type=lead_type,
            object_id=OuterRef("pk"),
            kind__in=["phone_call", "email"],
            state="completed",
        )
        .order_by()
        .values("object_id")
        .annotate(at=Min("closed_at"))
        .values("at")
    )
    Lead.objects.using(db).update(first_contact_at=Subquery(first_contact))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("leads", "0003_lead_report_facts"),
    ]

    operations = [
        migrations.RunPython(fill_report_facts, migrations.RunPython.noop, elidable=True),
    ]
