"""Working a team queue from the lead list: a rep opens the queue from the home page's tile,
claims one lead by its row's button and two more with the bulk action, and they are his."""

from playwright.sync_api import expect

from leads.models import Lead
from leads.services import create_lead
from leads.tests.factories import lead_data


def test_bob_claims_leads_from_the_north_queue_on_the_list(
    page, live_server, login, alice, bob, north
):
    queue = [
        create_lead(
            data=lead_data(topic=f"Queue lead {n}", email=f"queue{n}@example.com"),
            created_by=alice,
            owner=north,
        )
        for n in (1, 2, 3)
    ]
    first, *others = queue

    login(bob)
    page.get_by_test_id("tile-my-team-queues").get_by_role("link").click()
    table = page.get_by_test_id("lead-table")
    expect(table.get_by_test_id("claim-row")).to_have_count(3)

    # One lead by its row's button: back on the queue, which no longer offers it.
    table.get_by_role("button", name=f"Claim {first}").click()
    expect(page.get_by_text(f"You now own {first}.")).to_be_visible()
    expect(page).to_have_url(
        f"{live_server.url}/leads/?view=any&state=open&owner=team%3A{north.pk}"
    )
    expect(page.get_by_test_id("lead-table")).not_to_contain_text(str(first))

    # The two others with the bulk action.
    for lead in others:
        page.locator(f'input[name="leads"][value="{lead.pk}"]').check()
    page.get_by_label("Action").select_option("claim")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Claimed 2 leads.")).to_be_visible()
    expect(page.get_by_test_id("lead-table").get_by_test_id("claim-row")).to_have_count(0)

    # His own open leads (the list's default view) now hold all three.
    page.goto(f"{live_server.url}/leads/")
    table = page.get_by_test_id("lead-table")
    for lead in queue:
        expect(table).to_contain_text(str(lead))
    expect(table).to_contain_text("Bob Berg")
    assert set(Lead.objects.filter(owner_user=bob)) == set(queue)
