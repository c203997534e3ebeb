"""No Content Security Policy violation, no console error and no script error on any page the
permission matrix opens, as the administrator (who may open them all): the app's pages, the
fragments, the admin's index, every changelist, add form and change form. The page list is
the matrix's (crm/tests/test_permission_matrix.py), so a new URL is checked here too."""

from urllib.parse import urlencode

import pytest

from crm.tests.matrix_world import build_world
from crm.tests.test_permission_matrix import _statuses, _url, all_rows

# Downloads (Playwright's goto cannot open them) and JSON: no page to run a script in.
NOT_PAGES = ("leads:export", "imports:errors", "activities:attachment", "api:schema")


def _pages(world):
    for key, row in all_rows().items():
        if row.get is None or key in NOT_PAGES or key.startswith("api:") or "/" in key:
            continue
        if _statuses(row.get)["admin"] != "200":
            continue
        url = _url(key, row, world)
        query = row.query(world) if callable(row.query) else row.query
        if query:
            url += "?" + urlencode(query)
        yield key, url


@pytest.fixture
def world(settings, tmp_path, transactional_db):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def test_no_page_violates_the_content_security_policy(page, live_server, login, world):
    problems = []
    current = {"key": ""}

    def on_console(message):
        text, source = message.text, message.location.get("url", "")
        if source.endswith("/favicon.ico"):
            return  # a fragment opened on its own has no <link rel="icon">: not a page's fault
        if message.type == "error" or "Refused to" in text or "Content Security Policy" in text:
            problems.append(f"{current['key']}: {message.type}: {text} ({source})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{current['key']}: pageerror: {error}"))
    login(world.users["admin"])
    visited = 0
    for key, url in _pages(world):
        current["key"] = f"{key} {url}"
        response = page.goto(f"{live_server.url}{url}")
        status = response.status if response is not None else None
        assert status == 200, (key, url, status)
        page.wait_for_load_state("networkidle")
        visited += 1
    assert visited > 150, visited  # the app's pages and the admin's: the list was walked
    assert not problems, "\n".join(problems)
