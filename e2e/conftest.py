"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Assertions retry for 10 s (Playwright's default is 5 s): a loaded CI machine running two
# browsers and two live servers side by side can take longer than 5 s to answer a request.
expect.set_options(timeout=10_000)

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def chromium_path():
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if chromium_path() is None:
        skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        # Without the networking flags Chromium keeps trying to reach Google on a closed network.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(page, live_server):
    """Log a persona in through the real login form."""

    def _login(user, password=None):
        from crm.tests.factories import PASSWORD

        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password or PASSWORD)
        page.get_by_role("button", name="Log in").click()
        if password is None:
            # Wait for the login to finish: a goto() racing the form's own navigation could
            # cancel it and leave the browser without the session (or its new CSRF cookie).
            page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return _login


@pytest.fixture
def screenshot(page):
    """Save a screenshot for the README tour: screenshot("home")."""

    def _shot(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _shot


@pytest.fixture(autouse=True)
def _fail_fast(page):
    # A missing element fails in 10 s with Playwright's message, not after the 30 s default.
    page.set_default_timeout(10_000)
