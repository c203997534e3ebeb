from playwright.sync_api import expect


def test_a_rep_logs_in_sees_home_and_logs_out(page, live_server, login, alice, screenshot):
    login(alice)

    expect(page.get_by_role("heading", name="Hello, Alice")).to_be_visible()
    expect(page.get_by_test_id("home-tiles")).to_contain_text("North")
    screenshot("home")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to the CRM")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")


def test_a_wrong_password_is_refused_with_a_message(page, login, alice):
    login(alice, password="not-the-password")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
