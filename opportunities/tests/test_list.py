"""The opportunity list as the lead list: sortable column headers (aria-sort), a total count,
a page size choice, and "Only mine" saying "Any"."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from opportunities.tests.factories import OpportunityFactory


@pytest.fixture
def acme(alice):
    return AccountFactory(owner_user=alice, name="Acme")


def _topics(response):
    return [opportunity.topic for opportunity in response.context["page"]]


def _header(response, label):
    match = re.search(
        rf"<th[^>]*><a href=\"([^\"]*)\">{label}(\u00a0[▲▼])?</a></th>", response.text
    )
    assert match, f"no sortable header {label!r}"
    return match.group(0), match.group(1).replace("&amp;", "&")


def test_the_headers_sort_by_topic_revenue_and_close_date(as_alice, alice, acme):
    for topic, value, day in (("Alpha", 5, 20), ("Beta", 9, 10), ("Gamma", 1, 15)):
        OpportunityFactory(
            owner_user=alice,
            account=acme,
            topic=topic,
            estimated_value=value,
            estimated_close_date=f"2027-01-{day}",
        )
    url = reverse("opportunities:list")
    response = as_alice.get(url)
    assert "aria-sort" not in response.text  # newest first: no column's order
    th, link = _header(response, "Estimated revenue")
    assert th.startswith('<th class="text-end">') and link == "?ordering=value"

    response = as_alice.get(url + link)
    assert _topics(response) == ["Gamma", "Alpha", "Beta"]
    th, link = _header(response, "Estimated revenue")
    assert 'aria-sort="ascending"' in th and link == "?ordering=-value"
    assert _topics(as_alice.get(url + link)) == ["Beta", "Alpha", "Gamma"]

    _th, link = _header(response, "Est. close date")
    assert _topics(as_alice.get(url + link)) == ["Beta", "Gamma", "Alpha"]
    _th, link = _header(response, "Topic")
    response = as_alice.get(url + link)
    assert _topics(response) == ["Alpha", "Beta", "Gamma"]
    assert 'aria-sort="ascending"' in _header(response, "Topic")[0]


def test_the_list_counts_pages_and_offers_page_sizes(as_alice, alice, acme):
    OpportunityFactory.create_batch(30, owner_user=alice, account=acme)
    url = reverse("opportunities:list")
    response = as_alice.get(url)
    assert len(response.context["page"]) == 25
    assert "30 opportunities" in response.text and "Page 1 of 2" in response.text
    # Next keeps the default "open" filter out of the URL and the page size in it.
    response = as_alice.get(url, {"per_page": 25, "page": 2})
    assert len(response.context["page"]) == 5
    assert 'href="?per_page=25&amp;page=1"' in response.text

    response = as_alice.get(url, {"per_page": 100})
    assert len(response.context["page"]) == 30
    assert 'aria-current="true" class="fw-bold">100</a>' in response.text


def test_only_mine_says_any(as_alice):
    text = as_alice.get(reverse("opportunities:list")).text
    select = re.search(r'<select name="mine".*?</select>', text, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == ["Any", "Yes", "No"]


def test_only_mine_no_lists_the_others_opportunities(as_alice, alice, bob):
    from accounts.tests.factories import AccountFactory
    from opportunities.tests.factories import OpportunityFactory

    account = AccountFactory(owner_user=alice)
    OpportunityFactory(owner_user=alice, account=account, topic="Mine")
    OpportunityFactory(owner_user=bob, account=account, topic="Bob's")
    response = as_alice.get(reverse("opportunities:list"), {"mine": "false", "state": ""})
    assert [o.topic for o in response.context["page"]] == ["Bob's"]
