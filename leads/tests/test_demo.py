from django.core.management import call_command

from activities.models import Activity, Note
from leads.models import Lead, LeadStatusChange, Status


def test_the_demo_leads_come_with_their_activities_once(db):
    call_command("seed_demo", verbosity=0)
    counts = (Lead.objects.count(), Activity.objects.count(), Note.objects.count())
    call_command("seed_demo", verbosity=0)

    assert (Lead.objects.count(), Activity.objects.count(), Note.objects.count()) == counts
    assert counts[1] == 9 and counts[2] == 2
    jens = Lead.objects.get(email="jens.berg@blaavand.example")
    # Contacted by the logged call, as in real use, not by a bare status change.
    assert jens.status == Status.CONTACTED
    assert jens.first_contact_at is not None
    change = LeadStatusChange.objects.get(lead=jens, to_status=Status.CONTACTED)
    assert "Første opkald" in change.reason
    anna = Lead.objects.get(email="anna.hansen@birkelund.example")
    open_kinds = set(
        Activity.objects.regarding(anna).filter(state="open").values_list("kind", flat=True)
    )
    assert open_kinds == {"task", "appointment"}
