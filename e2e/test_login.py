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


def test_the_app_is_usable_on_a_375_pixel_wide_phone(page, live_server, login, alice):
    page.set_viewport_size({"width": 375, "height": 740})
    login(alice)
    expect(page.get_by_role("heading", name="Hello, Alice")).to_be_visible()
    # The navbar folds into its toggler, which opens the menu.
    page.get_by_role("button", name="Toggle navigation").click()
    expect(page.locator("#main-nav").get_by_role("link", name="Leads", exact=True)).to_be_visible()
    for path in ("/", "/leads/", "/accounts/"):
        page.goto(f"{live_server.url}{path}")
        # Nothing wider than the screen: tables scroll inside their own container.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 375, f"{path} is {overflow}px wide"
