"""The user menu's language switcher (issue 20): the choice is saved on the profile and the
page comes back in it."""

from playwright.sync_api import expect


def test_the_user_menu_switches_the_language_and_stays_on_the_page(
    page, live_server, alice, login
):
    # Chromium's default language, English; then Danish from the user menu.
    login(alice)
    page.goto(f"{live_server.url}/leads/?q=hansen")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("language-switcher").get_by_role("button", name="Dansk").click()

    expect(page).to_have_url(f"{live_server.url}/leads/?q=hansen")
    expect(page.get_by_role("link", name="Nyt kundeemne")).to_be_visible()
    alice.refresh_from_db()
    assert alice.language == "da"

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("language-switcher").get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="New lead")).to_be_visible()
