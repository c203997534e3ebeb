"""The lead's `web_capture` (read-only): what a web form brought with it, and links only to
the duplicate matches the caller may see."""

import pytest

from accounts.tests.factories import ContactFactory
from capture.models import Submission
from capture.tests.factories import WebFormFactory
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_form(alice):
    return WebFormFactory(name="Contact us", created_by=alice)


def flagged_submission(web_form, owner, matches):
    lead = make_lead(owner=owner, email="new@lead.example", company_name="Newco")
    return Submission.objects.create(
        web_form=web_form,
        lead=lead,
        fingerprint="x" * 64,
        utm_source="ads",
        possible_duplicates=[
            {"type": record._meta.model_name, "id": record.pk, "name": str(record)}
            for record in matches
        ],
    )


class TestApi:
    def test_the_lead_carries_its_web_capture_read_only(self, api_as, alice, carol, web_form):
        theirs = ContactFactory(owner_user=carol, last_name="Secret South")
        mine = make_lead(owner=alice, email="m@m.example")
        submission = flagged_submission(web_form, alice, [mine, theirs])
        client = api_as(alice)
        url = f"/api/v1/leads/{submission.lead.pk}/"

        body = client.get(url).json()["web_capture"]

        assert body["web_form"] == "Contact us"
        assert body["utm_source"] == "ads"
        assert body["possible_duplicate"] is True
        assert body["duplicates"] == [
            {"type": "lead", "id": mine.pk, "name": str(mine), "url": mine.get_absolute_url()}
        ]
        assert body["hidden_duplicates"] == 1
        response = client.patch(url, {"web_capture": None, "topic": "Still here"})
        assert response.status_code == 200
        assert response.json()["web_capture"]["utm_source"] == "ads"
        assert client.get(f"/api/v1/leads/{mine.pk}/").json()["web_capture"] is None

    def test_the_list_reads_the_visible_matches_once_per_page(
        self, api_as, alice, web_form, django_assert_num_queries
    ):
        client = api_as(alice)
        client.get("/api/v1/leads/")
        for number in range(3):
            match = make_lead(owner=alice, email=f"match{number}@x.example")
            Submission.objects.create(
                web_form=web_form,
                lead=make_lead(owner=alice, email=f"web{number}@x.example"),
                fingerprint=f"{number}" * 64,
                possible_duplicates=[{"type": "lead", "id": match.pk, "name": "M"}],
            )
        # token, administrator?, the user's teams, count (capped), the page's ids, the page
        # (submission and form joined), qualifications, links (the list's 8), and one query
        # for which of the page's matches alice may see
        with django_assert_num_queries(9) as captured:
            body = client.get("/api/v1/leads/").json()
        flagged = [lead for lead in body["results"] if lead["web_capture"]]
        assert len(flagged) == 3
        assert all(len(lead["web_capture"]["duplicates"]) == 1 for lead in flagged)
        assert len(captured) == 9
