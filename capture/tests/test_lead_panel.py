"""What a web form brought with a lead, shown to reps: the lead page's "Web form" panel and
the API's `web_capture` (UTM values, referring page, the form, the duplicate flag with links
to the matches the viewer may see)."""

import pytest
from django.core.cache import cache

from accounts.tests.factories import ContactFactory
from capture import services
from capture.models import Submission
from capture.tests.factories import WebFormFactory
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

TRACKING = {
    "utm_source": "newsletter",
    "utm_medium": "email",
    "utm_campaign": "spring-2026",
    "utm_term": "crm",
    "utm_content": "banner-b",
    "referrer_url": "https://www.example.com/pricing",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(alice):
    return WebFormFactory(name="Contact us", created_by=alice)


def submit(web_form, **values):
    person = {"first_name": "Ida", "last_name": "Holm", "email": "ida@holm.example", **values}
    submission, created = services.submit_web_form(
        web_form=web_form, values=person, tracking=TRACKING
    )
    assert created
    return submission


def flagged_submission(web_form, owner, matches):
    """A submission whose duplicate check (run as the form's user) found `matches`."""
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


class TestLeadPanel:
    def test_a_web_lead_shows_its_form_utm_values_and_referring_page(self, as_alice, web_form):
        lead = submit(web_form).lead

        content = as_alice.get(lead.get_absolute_url()).content.decode()

        assert 'data-testid="web-capture-panel"' in content
        assert "Contact us" in content
        for value in ("newsletter", "email", "spring-2026", "crm", "banner-b"):
            assert value in content
        assert '<a href="https://www.example.com/pricing" rel="noopener noreferrer nofollow">' in (
            content
        )
        assert 'data-testid="duplicate-badge"' not in content

    def test_a_lead_typed_in_has_no_panel(self, as_alice, alice):
        lead = make_lead(owner=alice)

        content = as_alice.get(lead.get_absolute_url()).content.decode()

        assert 'data-testid="web-capture-panel"' not in content

    def test_a_script_referrer_is_shown_as_text_never_as_a_link(self, as_alice, web_form, alice):
        submission = flagged_submission(web_form, alice, [])
        Submission.objects.filter(pk=submission.pk).update(referrer_url="javascript:alert(1)")

        content = as_alice.get(submission.lead.get_absolute_url()).content.decode()

        assert "javascript:alert(1)" in content
        assert 'href="javascript:' not in content

    def test_a_duplicate_is_flagged_with_links_to_what_the_rep_may_see(
        self, as_alice, web_form, alice, carol
    ):
        mine = make_lead(owner=alice, email="ida@holm.example", company_name="Holm ApS")
        theirs = ContactFactory(owner_user=carol, last_name="Secret South")
        submission = flagged_submission(web_form, alice, [mine, theirs])

        content = as_alice.get(submission.lead.get_absolute_url()).content.decode()

        assert 'data-testid="duplicate-badge"' in content
        assert f'href="{mine.get_absolute_url()}"' in content
        assert theirs.get_absolute_url() not in content
        assert "Secret South" not in content
        assert "1 record you cannot see" in content

    def test_a_real_submission_matching_an_existing_lead_is_flagged(self, as_alice, web_form):
        first = submit(web_form).lead
        second = submit(web_form, description="Again, other words").lead

        content = as_alice.get(second.get_absolute_url()).content.decode()

        assert 'data-testid="duplicate-badge"' in content
        assert f'href="{first.get_absolute_url()}"' in content

    def test_the_page_costs_the_same_queries_with_and_without_a_submission(
        self, as_alice, alice, web_form, django_assert_num_queries
    ):
        typed_in = make_lead(owner=alice, email="typed@in.example")
        from_web = flagged_submission(web_form, alice, []).lead
        counts = []
        for lead in (typed_in, from_web):
            as_alice.get(lead.get_absolute_url())  # warms the content-type cache
            # The lead page's (leads/tests/test_views.py), the possible duplicates and the
            # "Merged from" panels included, privacy's "Consent" and scoring's "Score" panels.
            # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
            with django_assert_num_queries(18) as captured:
                as_alice.get(lead.get_absolute_url())
            counts.append(len(captured))
        assert counts[0] == counts[1]

    def test_any_number_of_matches_costs_one_query(
        self, as_alice, alice, bob, web_form, django_assert_num_queries
    ):
        one = flagged_submission(web_form, alice, [make_lead(owner=alice, email="a@a.example")])
        many_matches = [make_lead(owner=bob, email=f"{n}@b.example") for n in range(3)]
        many_matches += [ContactFactory(owner_user=alice) for _ in range(3)]
        many = Submission.objects.create(
            web_form=web_form,
            lead=make_lead(owner=alice, email="many@lead.example"),
            fingerprint="y" * 64,
            possible_duplicates=[
                {"type": r._meta.model_name, "id": r.pk, "name": str(r)} for r in many_matches
            ],
        )
        counts = []
        for submission in (one, many):
            url = submission.lead.get_absolute_url()
            as_alice.get(url)
            # + privacy's "Consent" and scoring's "Score" panels.
            # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
            with django_assert_num_queries(19) as captured:
                content = as_alice.get(url).content.decode()
            counts.append(len(captured))
        assert content.count('data-testid="duplicate-link"') == 6
        assert counts[0] == counts[1]
