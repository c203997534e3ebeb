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


def test_a_pair_with_a_teammates_lead_offers_no_merge_and_names_the_people(
    page, live_server, login, alice, bob
):
    make_lead(
        owner=alice,
        topic="Big order",
        first_name="Anna",
        last_name="Jensen",
        company_name="Nordic Foods",
        email="anna@nf.dk",
        business_phone="",
    )
    make_lead(
        owner=bob, first_name="A.", last_name="Jensen", email="anna@nf.dk", business_phone=""
    )
    duplicate_finder.refresh("leads.lead", full=True)

    login(alice)
    page.goto(f"{live_server.url}/leads/duplicates/")
    pair = page.get_by_test_id("duplicate-pair")
    expect(pair).to_have_count(1)
    expect(pair.get_by_role("link", name="Anna Jensen (Nordic Foods)")).to_be_visible()
    expect(pair.get_by_test_id("merge-pair")).to_have_count(0)
    expect(pair.get_by_test_id("dismiss-pair")).to_have_count(0)


def test_dismiss_a_pair_then_restore_it_from_the_dismissed_view(page, live_server, login, alice):
    make_lead(
        owner=alice, first_name="Jens", last_name="Holm", email="jens@holm.dk", business_phone=""
    )
    make_lead(
        owner=alice, first_name="J.", last_name="Holm", email="JENS@holm.dk", business_phone=""
    )
    duplicate_finder.refresh("leads.lead", full=True)

    login(alice)
    page.goto(f"{live_server.url}/leads/duplicates/")
    pairs = page.get_by_test_id("duplicate-pair")
    expect(pairs).to_have_count(1)
    pairs.get_by_test_id("dismiss-pair").click()
    expect(page.get_by_text("Marked as not a duplicate.")).to_be_visible()
    expect(pairs).to_have_count(0)

    page.get_by_test_id("dismissed-tab").click()
    expect(page.get_by_test_id("dismissed-tab")).to_have_attribute("aria-current", "page")
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text(f"dismissed by {alice}")
    expect(pairs.first.get_by_test_id("merge-pair")).to_have_count(0)
    pairs.first.get_by_test_id("restore-pair").click()
    expect(page.get_by_text("The pair is back in the possible duplicates.")).to_be_visible()
    expect(page.get_by_test_id("no-duplicates")).to_have_text("No dismissed pairs.")

    page.get_by_test_id("open-tab").click()
    expect(pairs).to_have_count(1)
    expect(pairs.first.get_by_test_id("merge-pair")).to_be_visible()


def test_the_page_fits_a_phone(page, live_server, login, alice):
    """375 px wide: no sideways scrolling, each pair's Merge button in reach."""
    for n in range(2):
        make_lead(
            owner=alice,
            first_name="Christoffer-Alexander",
            last_name="Vestergaard-Rasmussen",
            company_name="Skandinaviske Fødevaregrossister og Importører A/S",
            email=f"christoffer.alexander.vestergaard{n}@fodevaregrossisterne-import.dk",
            business_phone="",
        )
        make_lead(
            owner=alice,
            first_name="C.",
            last_name="Vestergaard-Rasmussen",
            company_name="Skandinaviske Fødevaregrossister",
            email=f"CHRISTOFFER.ALEXANDER.VESTERGAARD{n}@fodevaregrossisterne-import.dk",
            business_phone="",
        )
    duplicate_finder.refresh("leads.lead", full=True)

    page.set_viewport_size({"width": 375, "height": 740})
    login(alice)
    page.goto(f"{live_server.url}/leads/duplicates/")
    pairs = page.get_by_test_id("duplicate-pair")
    expect(pairs.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Nor does a pair's table scroll inside its card: both records are in view.
    assert page.evaluate(
        "[...document.querySelectorAll('.duplicate-table')]"
        ".every(t => t.parentElement.scrollWidth <= t.parentElement.clientWidth)"
    )
    second = pairs.first.locator("thead th").nth(2).get_by_role("link")
    assert second.bounding_box()["x"] + second.bounding_box()["width"] <= 375
    merge = pairs.first.get_by_test_id("merge-pair")
    merge.scroll_into_view_if_needed()
    expect(merge).to_be_in_viewport()
    box = merge.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
