"""The leads panel on account, contact and opportunity pages ({% record_leads %}) and linking
or unlinking a lead from the account's or contact's side."""

import pytest
from django.urls import reverse

from activities import services as activity_services
from activities.models import Activity
from activities.tests.factories import AccountFactory, ContactFactory
from leads import services
from leads.models import LeadLink
from leads.tests.factories import make_lead
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def link_url(record, link=None):
    kind = record._meta.model_name
    if link is None:
        return reverse("leads:record_link", args=[kind, record.pk])
    return reverse("leads:record_unlink", args=[kind, record.pk, link.pk])


@pytest.fixture
def acme(alice):
    return AccountFactory(owner_user=alice, name="Acme")


@pytest.fixture
def anna(alice, acme):
    return ContactFactory(owner_user=alice, account=acme, first_name="Anna", last_name="Berg")


class TestPanel:
    def test_the_new_account_names_its_lead_who_qualified_it_and_the_leads_links(
        self, as_alice, alice, bob, anna
    ):
        lead = make_lead(owner=alice, topic="50 laptops")
        services.associate_lead(lead=lead, user=alice, contact=anna)
        q = services.qualify_lead(lead=lead, user=bob, create_account=True)

        content = as_alice.get(q.account.get_absolute_url()).content.decode()

        assert 'data-testid="originating-lead"' in content
        assert "Qualified from" in content and "50 laptops" in content
        assert str(bob) in content  # who qualified it
        assert 'data-testid="originating-lead-links"' in content
        assert anna.get_absolute_url() in content  # the lead's link to the contact

    def test_linked_leads_show_who_linked_them_and_when(self, as_alice, alice, bob, acme):
        lead = make_lead(owner=alice, topic="Spare parts")
        services.associate_lead(lead=lead, user=bob, account=acme)

        content = as_alice.get(acme.get_absolute_url()).content.decode()

        assert 'data-testid="linked-lead"' in content and "Spare parts" in content
        assert f"linked by {bob} on" in content
        assert "Remove link" in content  # alice may change her lead

    def test_leads_from_this_customer_are_listed(self, as_alice, alice, acme, anna):
        make_lead(owner=alice, topic="Repeat order", existing_account=acme)
        make_lead(owner=alice, topic="Her next project", existing_contact=anna)

        account_page = as_alice.get(acme.get_absolute_url()).content.decode()
        contact_page = as_alice.get(anna.get_absolute_url()).content.decode()

        assert 'data-testid="customer-lead"' in account_page and "Repeat order" in account_page
        assert "Her next project" in contact_page and "Repeat order" not in contact_page

    def test_the_opportunity_names_its_source_leads_without_a_link_button(
        self, as_alice, alice, acme
    ):
        deal = OpportunityFactory(owner_user=alice, account=acme, topic="Smart meters")
        first = make_lead(owner=alice, topic="First ask")
        second = make_lead(owner=alice, topic="Second ask", email="2@example.com")
        for lead in (first, second):
            services.qualify_lead(lead=lead, user=alice, existing_opportunity=deal)

        content = as_alice.get(deal.get_absolute_url()).content.decode()

        assert content.count('data-testid="originating-lead"') == 2
        assert "First ask" in content and "Second ask" in content
        assert 'data-testid="link-lead"' not in content

    def test_leads_and_link_targets_the_user_may_not_see_are_left_out(
        self, as_alice, alice, carol, acme
    ):
        hidden = make_lead(owner=carol, topic="South secret", email="s@example.com")
        # Rows as another team might have made them (carol cannot see acme, so no service).
        LeadLink.objects.create(lead=hidden, account=acme, linked_by=carol)
        mine = make_lead(owner=alice, topic="North lead")
        south_contact = ContactFactory(owner_user=carol, last_name="Southcontact")
        LeadLink.objects.create(lead=mine, contact=south_contact, linked_by=carol)
        services.qualify_lead(lead=mine, user=alice, account=acme, create_opportunity=True)

        content = as_alice.get(acme.get_absolute_url()).content.decode()

        assert "North lead" in content
        assert "South secret" not in content
        assert "Southcontact" not in content


def _busy_customer(alice, acme, anna, deal, count):
    """`count` leads qualified into acme, anna and deal, each also linked to acme and anna
    and coming from them; the last one then gets a task and a note, so the timeline's first
    page holds every kind of entry."""
    for number in range(count):
        lead = make_lead(
            owner=alice,
            topic=f"Lead {number}",
            email=f"lead{number}@example.com",
            existing_account=acme,
            existing_contact=anna,
        )
        services.associate_lead(lead=lead, user=alice, account=acme)
        services.associate_lead(lead=lead, user=alice, contact=anna)
        services.qualify_lead(
            lead=lead, user=alice, account=acme, contact=anna, existing_opportunity=deal
        )
    activity_services.log_activity(
        regarding=lead, user=alice, kind=Activity.Kind.TASK, data={"subject": "Send the contract"}
    )
    activity_services.add_note(regarding=lead, user=alice, text="Budget approved")


class TestQueryCounts:
    @pytest.mark.parametrize("count", [1, 50])
    def test_the_account_page(self, as_alice, alice, acme, anna, count, django_assert_num_queries):
        deal = OpportunityFactory(owner_user=alice, account=acme)
        _busy_customer(alice, acme, anna, deal, count)
        as_alice.get(acme.get_absolute_url())  # warms the content-type cache
        # 1 session, 2 user (and whether an administrator), 3 sales manager? (navbar), 4 the
        # account, 5 contacts, 6 opportunities; the leads panel: 7 originating leads (lead, who and
        # campaign joined), 8 links (the record's and the originating leads', targets and
        # who linked joined), 9 leads from this customer; the timeline, reading the leads
        # through: 10 COUNT, 11 the union's page, 12 activities, 13 notes, 14 status changes
        # + 1: the possible duplicates panel (crm/duplicate_views.py: duplicates_panel),
        # + 1: the records merged into it (activities/merge_views.py: the "Merged from" panel).
        # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
        with django_assert_num_queries(18):
            response = as_alice.get(acme.get_absolute_url())
        assert response.content.count(b'data-testid="originating-lead"') == count

    @pytest.mark.parametrize("count", [1, 50])
    def test_the_contact_page(self, as_alice, alice, acme, anna, count, django_assert_num_queries):
        deal = OpportunityFactory(owner_user=alice, account=acme)
        _busy_customer(alice, acme, anna, deal, count)
        as_alice.get(anna.get_absolute_url())
        # as the account page, without its contacts: 1 session, 2 user, 3 administrator?,
        # 4 sales manager?, 5 the contact, 6 opportunities, 7 originating leads, 8 links,
        # 9 leads from this customer, 10 COUNT, 11 page, 12 activities, 13 notes, 14 statuses
        # + 1: the possible duplicates panel (crm/duplicate_views.py: duplicates_panel),
        # + 1: the records merged into it (the "Merged from" panel).
        # + 1: the consent records (privacy's "Consent" panel).
        # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
        with django_assert_num_queries(18):
            response = as_alice.get(anna.get_absolute_url())
        assert response.content.count(b'data-testid="linked-lead"') == count

    @pytest.mark.parametrize("count", [1, 50])
    def test_the_opportunity_page(
        self, as_alice, alice, acme, anna, count, django_assert_num_queries
    ):
        deal = OpportunityFactory(owner_user=alice, account=acme)
        _busy_customer(alice, acme, anna, deal, count)
        as_alice.get(deal.get_absolute_url())
        # 1 session, 2 user (and whether an administrator), 3 sales manager?, 4 the opportunity,
        # 5 the process bar's stage history, 6 source leads, 7 their links, 8 COUNT, 9 page,
        # 10 activities, 11 notes, 12 statuses
        # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
        with django_assert_num_queries(14):
            response = as_alice.get(deal.get_absolute_url())
        assert response.content.count(b'data-testid="originating-lead"') == count


class TestLinkFromTheRecord:
    def test_the_search_lists_leads_the_user_may_change_not_yet_linked(
        self, as_alice, alice, bob, carol, acme
    ):
        make_lead(owner=alice, topic="Laptops for Acme")
        make_lead(owner=alice, topic="Desks", email="d@example.com")
        already = make_lead(owner=alice, topic="Laptops again", email="a@example.com")
        services.associate_lead(lead=already, user=alice, account=acme)
        make_lead(owner=carol, topic="Laptops in the south", email="s@example.com")

        response = as_alice.get(link_url(acme), {"q": "laptops"})

        content = response.content.decode()
        assert response.status_code == 200
        assert "Laptops for Acme" in content
        assert "Desks" not in content
        assert "Laptops again" not in content
        assert "Laptops in the south" not in content
        assert "<html" in content  # a page of its own without htmx

    def test_htmx_gets_the_search_alone(self, as_alice, alice, acme):
        make_lead(owner=alice, topic="Laptops for Acme")

        response = as_alice.get(link_url(acme), **HTMX)

        content = response.content.decode()
        assert 'data-testid="link-lead-form"' in content and "<html" not in content
        assert "Laptops for Acme" in content

    def test_linking_from_the_account_and_the_contact(self, as_alice, alice, acme, anna):
        lead = make_lead(owner=alice)

        first = as_alice.post(link_url(acme), {"lead": lead.pk})
        second = as_alice.post(link_url(anna), {"lead": lead.pk})

        assert first.status_code == 302 and first["Location"] == acme.get_absolute_url()
        assert second["Location"] == anna.get_absolute_url()
        link = lead.links.get(account=acme)
        assert link.linked_by == alice and link.linked_at is not None
        assert lead.links.filter(contact=anna).exists()
        lead_page = as_alice.get(lead.get_absolute_url()).content.decode()
        assert "Acme" in lead_page and f"linked by {alice} on" in lead_page

    def test_unlinking_from_the_account(self, as_alice, alice, acme):
        lead = make_lead(owner=alice)
        link = services.associate_lead(lead=lead, user=alice, account=acme)

        response = as_alice.post(link_url(acme, link), follow=True)

        assert response.redirect_chain[-1][0] == acme.get_absolute_url()
        assert "Link removed." in response.content.decode()
        assert not lead.links.exists()

    def test_a_lead_the_user_may_not_change_cannot_be_linked(
        self, client, alice, bob, carol, acme
    ):
        teammates = make_lead(owner=bob, email="b@example.com")  # alice sees it, may not change it
        south = make_lead(owner=carol, email="c@example.com")
        client.force_login(alice)

        for lead in (teammates, south):
            response = client.post(link_url(acme), {"lead": lead.pk}, follow=True)
            assert "Choose a lead you may change." in response.content.decode()
        assert not LeadLink.objects.exists()

    def test_a_bad_lead_value_is_a_message_not_a_500(self, as_alice, acme):
        response = as_alice.post(link_url(acme), {"lead": "nonsense"}, follow=True)
        assert response.status_code == 200
        assert "Choose a lead you may change." in response.content.decode()

    def test_a_read_only_lead_cannot_be_unlinked(self, client, alice, bob, acme):
        lead = make_lead(owner=bob)
        link = services.associate_lead(lead=lead, user=bob, account=acme)
        client.force_login(alice)

        assert "Remove link" not in client.get(acme.get_absolute_url()).content.decode()
        assert client.post(link_url(acme, link)).status_code == 403
        assert lead.links.exists()

    def test_another_teams_rep_gets_404(self, as_carol, alice, acme):
        lead = make_lead(owner=alice)
        link = services.associate_lead(lead=lead, user=alice, account=acme)

        assert as_carol.get(link_url(acme)).status_code == 404
        assert as_carol.post(link_url(acme), {"lead": lead.pk}).status_code == 404
        assert as_carol.post(link_url(acme, link)).status_code == 404
        assert lead.links.count() == 1

    def test_a_link_of_another_record_is_404(self, as_alice, alice, acme):
        other = AccountFactory(owner_user=alice)
        link = services.associate_lead(lead=make_lead(owner=alice), user=alice, account=other)

        assert as_alice.post(link_url(acme, link)).status_code == 404
        assert LeadLink.objects.filter(pk=link.pk).exists()

    def test_an_opportunity_or_unknown_kind_is_404(self, as_alice, alice, acme):
        deal = OpportunityFactory(owner_user=alice, account=acme)
        for kind, pk in (("opportunity", deal.pk), ("lead", 1)):
            assert as_alice.get(reverse("leads:record_link", args=[kind, pk])).status_code == 404

    def test_wrong_methods(self, as_alice, alice, acme):
        link = services.associate_lead(lead=make_lead(owner=alice), user=alice, account=acme)
        assert as_alice.put(link_url(acme)).status_code == 405
        assert as_alice.get(link_url(acme, link)).status_code == 405
