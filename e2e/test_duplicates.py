"""The "Possible duplicates" page as a rep uses it: from the lead list to the page, a pair found
in batch with its reason and both leads side by side, the Merge link to the merge page with
the pair's ids, "Not a duplicate" taking the pair off the list, and the lead page's panel."""

import re

from playwright.sync_api import expect

from crm import duplicate_finder
from leads.tests.factories import make_lead


def test_find_a_pair_and_dismiss_another(page, live_server, login, alice):
    jens = make_lead(
        owner=alice, first_name="Jens", last_name="Holm", email="jens@holm.dk", business_phone=""
    )
    twin = make_lead(
        owner=alice, first_name="J.", last_name="Holm", email="JENS@holm.dk", business_phone=""
    )
    make_lead(
        owner=alice, first_name="Ida", last_name="Berg", business_phone="+45 70 11 22 33", email=""
    )
    make_lead(owner=alice, first_name="Ib", last_name="Lund", business_phone="70112233", email="")
    duplicate_finder.refresh("leads.lead", full=True)

    login(alice)
    page.goto(f"{live_server.url}/leads/")
    page.get_by_test_id("duplicates-link").click()
    expect(page.get_by_role("heading", name="Possible duplicate leads")).to_be_visible()
    pairs = page.get_by_test_id("duplicate-pair")
    expect(pairs).to_have_count(2)
    email_pair = pairs.filter(has_text="Same e-mail address")
    expect(email_pair).to_contain_text("Score 100")
    expect(email_pair).to_contain_text("jens@holm.dk")
    merge = email_pair.get_by_test_id("merge-pair")
    expect(merge).to_have_attribute("href", re.compile(rf"ids={jens.pk},{twin.pk}$"))

    phone_pair = pairs.filter(has_text="Same phone number")
    phone_pair.get_by_test_id("dismiss-pair").click()
    expect(page.get_by_text("Marked as not a duplicate.")).to_be_visible()
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text("Same e-mail address")

    page.goto(f"{live_server.url}/leads/{jens.pk}/")
    panel = page.get_by_test_id("duplicates-panel")
    expect(panel).to_contain_text("Possible duplicate (1)")
    expect(panel.get_by_role("link", name="Merge")).to_have_attribute(
        "href", re.compile(rf"ids={jens.pk},{twin.pk}$")
    )
