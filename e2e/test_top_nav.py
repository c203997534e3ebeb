"""The top bar on one line at 1280 px in Danish, whose words are longer (issue 20), for the
administrator who has every entry; and on a phone, behind its toggler, without a sideways
scroll."""

import pytest
from playwright.sync_api import expect


@pytest.fixture
def danish_admin(admin_user):
    admin_user.language = "da"
    # A real person's name, as long as the demo's: the user menu shares the line.
    admin_user.first_name, admin_user.last_name = "Ada", "Andersen-Kristiansen"
    admin_user.save(update_fields=["language", "first_name", "last_name"])
    return admin_user


def _link_rows(page):
    tops = page.locator("#main-nav .nav-link").evaluate_all(
        "links => links.map(link => Math.round(link.getBoundingClientRect().top))"
    )
    return sorted(set(tops))


def test_the_top_bar_fits_one_line_at_1280_px_in_danish(page, live_server, login, danish_admin):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(danish_admin)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("setup-menu")).to_have_text("Salgsopsætning")
    assert len(_link_rows(page)) == 1, _link_rows(page)
    # One row of links, none of them broken over two lines: the bar is one line high.
    nav = page.get_by_role("navigation", name="Hovednavigation").bounding_box()
    assert nav["height"] < 64, nav
    assert page.get_by_role("combobox").bounding_box()["width"] >= 120
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280


def test_the_top_bar_on_a_phone_opens_behind_its_toggler(page, live_server, login, danish_admin):
    page.set_viewport_size({"width": 375, "height": 740})
    login(danish_admin)
    page.goto(f"{live_server.url}/")
    routing = page.get_by_role("link", name="Fordelingsregler")
    expect(routing).to_be_hidden()
    page.get_by_role("button", name="Vis/skjul navigation").click()
    page.get_by_test_id("setup-menu").click()
    expect(routing).to_be_visible()
    expect(page.get_by_role("link", name="Kundeemnescoring")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
