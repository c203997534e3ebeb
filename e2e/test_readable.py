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
    phone = page.get_by_role("link", name="+45 33 88 11 00")
    expect(phone).to_have_attribute("href", "tel:+4533881100")
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width
    screenshot("lead-readable-phone")
