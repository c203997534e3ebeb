"""A lead page people can read on a phone (issue 15): money with its currency and thousands
separators, the phone number a tel: link, and a long unbroken topic that wraps instead of
widening the page."""

from decimal import Decimal

from django.conf import settings
from playwright.sync_api import expect

from leads.tests.factories import make_lead


def test_a_lead_reads_well_at_375_px(page, live_server, login, alice, screenshot):
    topic = "Laptops" + "x" * 150  # no space to break at
    lead = make_lead(
        owner=alice,
        topic=topic,
        budget_amount=Decimal("1234567.5"),
        business_phone="+45 33 88 11 00",
    )
    page.set_viewport_size({"width": 375, "height": 740})
    login(alice)

    page.goto(f"{live_server.url}{lead.get_absolute_url()}")

    expect(page.get_by_role("heading", level=1)).to_have_text(topic)
    expect(page.get_by_test_id("budget")).to_contain_text(f"{settings.BASE_CURRENCY} 1,234,567.50")
    phone = page.get_by_role("link", name="+45 33 88 11 00", exact=True)
    expect(phone).to_have_attribute("href", "tel:+4533881100")
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width
    screenshot("lead-readable-phone")


def _no_sideways_scroll(page):
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (scroll_width, inner_width)


def test_long_words_in_a_lookup_result_and_a_message_wrap(page, live_server, login, alice):
    """Found by a tester: a long unbroken topic in the qualify page's opportunity lookup and in
    the "Lead … created." message widened the page (1028 and 888 px too wide at 375 px)."""
    from leads import services
    from opportunities.models import Opportunity

    long_word = "Superlongunbroken" * 8
    first = make_lead(owner=alice, topic=f"Zeta {long_word}")
    services.qualify_lead(lead=first, user=alice, create_account=True, create_opportunity=True)
    opportunity = Opportunity.objects.get()
    second = make_lead(owner=alice, last_name="Second")
    page.set_viewport_size({"width": 375, "height": 740})
    login(alice)

    page.goto(f"{live_server.url}/leads/{second.pk}/qualify/")
    search = page.get_by_label("…or qualify into this open opportunity", exact=True)
    search.press_sequentially("Zeta", delay=40)
    choice = page.get_by_role("radio", name=str(opportunity))
    expect(choice).to_be_visible()
    choice.check()
    expect(page.get_by_label("Create an opportunity")).not_to_be_checked()
    _no_sideways_scroll(page)

    page.goto(f"{live_server.url}/leads/new/")
    page.get_by_label("Last name").fill("Wrapper")
    page.get_by_label("Topic").fill(long_word)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("created")
    _no_sideways_scroll(page)
