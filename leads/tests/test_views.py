"""Lead pages: each with the happy path, the wrong method and the wrong user."""

import codecs
import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account, Contact
from leads import services
from leads.models import Lead, State, Status
from leads.routing import services as routing_services
from leads.routing.models import AssignmentExplanation
from leads.tests.factories import LeadFactory, lead_data, make_lead
from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, lead=None):
    return reverse(f"leads:{name}", args=[lead.pk] if lead else [])


class TestList:
    def test_my_open_leads_is_the_default_view(self, as_alice, alice, bob):
        mine = make_lead(owner=alice, topic="Mine")
        make_lead(owner=bob, topic="Bob's", email="b@example.com")

        response = as_alice.get(url("list"))

        assert response.status_code == 200
        assert list(response.context["page"]) == [mine]

    def test_the_team_view_shows_teammates_but_never_another_team(
        self, as_alice, alice, bob, carol
    ):
        ours = [make_lead(owner=alice), make_lead(owner=bob, email="b@example.com")]
        make_lead(owner=carol, email="c@example.com")

        response = as_alice.get(url("list"), {"view": "team"})

        assert set(response.context["page"]) == set(ours)

    def test_all_open_leads_is_for_managers(self, as_alice, client, manager, alice):
        response = as_alice.get(url("list"))
        assert "all" not in dict(response.context["saved_views"])
        client.force_login(manager)
        assert "all" in dict(client.get(url("list")).context["saved_views"])

    def test_the_lists_links_keep_the_view_and_filters(self, as_alice, alice):
        """Next page, page size, column sort and export links carry the query on: Django's
        querystring tag writes its own "?" (a second one made "??view=…", losing the view)."""
        LeadFactory.create_batch(26, owner=alice, created_by=alice)

        content = as_alice.get(url("list"), {"view": "team", "q": "a"}).content.decode()

        assert "??" not in content
        assert 'href="?view=team&amp;q=a&amp;page=2"' in content
        assert 'href="?view=team&amp;q=a&amp;per_page=50"' in content
        assert 'href="?view=team&amp;q=a&amp;sort=topic"' in content
        assert f'href="{url("export")}?view=team&amp;q=a"' in content
        # Filtering opens the filter panel; a plain list keeps it closed.
        assert '<details class="mb-3" open>' in content
        assert '<details class="mb-3">' in as_alice.get(url("list")).content.decode()

    def test_filters_search_and_sorting(self, as_alice, alice):
        anna = make_lead(owner=alice)
        zed = make_lead(owner=alice, last_name="Zed", email="zed@example.com", company_name="Zco")
        services.set_lead_status(lead=zed, user=alice, status=Status.CONTACTED)

        found = as_alice.get(url("list"), {"q": "fabrikam"}).context["page"]
        assert list(found) == [anna]
        found = as_alice.get(url("list"), {"status": "contacted"}).context["page"]
        assert list(found) == [zed]
        ordered = as_alice.get(url("list"), {"sort": "-last_name"}).context["page"]
        assert list(ordered) == [zed, anna]

    def test_closed_leads_have_their_own_views(self, as_alice, alice):
        lead = make_lead(owner=alice)
        services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)

        assert list(as_alice.get(url("list")).context["page"]) == []
        page = as_alice.get(url("list"), {"view": "disqualified"}).context["page"]
        assert list(page) == [lead]
        page = as_alice.get(url("list"), {"view": "any", "q": "hansen"}).context["page"]
        assert list(page) == [lead]

    def test_bad_filter_values_give_a_message_not_an_error(self, as_alice, alice):
        response = as_alice.get(url("list"), {"created_after": "yesterday-ish", "page": "x"})
        assert response.status_code == 200

    @pytest.mark.parametrize("rows", [1, 50])
    def test_the_query_count_is_the_same_for_1_and_50_rows(
        self, as_alice, alice, rows, django_assert_num_queries
    ):
        LeadFactory.create_batch(rows, owner_user=alice)
        # 1 session, 2 user (and whether an administrator), 3 the user's teams and teammates
        # (visibility and is_sales_manager), 4 count (capped), 5 the page's ids, 6 the page's
        # leads (owner, source, campaign joined; can_edit a subquery), 7-8 filter form choices
        # (sources, campaigns), 9-10 users and teams, read once for the owner choices of the
        # filter and of the bulk form, 11 team choices
        with django_assert_num_queries(11):
            response = as_alice.get(url("list"), {"per_page": "50"})
        assert len(response.context["page"]) == rows

    def test_the_owner_filter_lists_inactive_owners_last_and_the_bulk_bar_only_active_ones(
        self, as_alice, alice, north
    ):
        from crm.tests.factories import MembershipFactory, UserFactory

        # The filter offers alice's teams and their members (crm/forms.py: owners_for): a
        # teammate who left is listed, among the inactive.
        gone = UserFactory(username="gone", first_name="Gone", last_name="Away", is_active=False)
        MembershipFactory(user=gone, team=north)
        response = as_alice.get(reverse("leads:list"))
        filter_select = response.context["filter"].form["owner"]
        groups = dict(filter_select.field.choices)
        assert (f"user:{alice.pk}", str(alice)) in groups["Users"]
        assert (f"team:{north.pk}", str(north)) in groups["Teams"]
        assert groups["Inactive"] == [(f"user:{gone.pk}", "Gone Away")]
        bulk = dict(response.context["bulk_form"].fields["owner"].choices)
        assert (f"user:{alice.pk}", str(alice)) in bulk["Users"]
        assert f"user:{gone.pk}" not in dict(bulk["Users"])
        assert dict(bulk["Teams"]) == {f"team:{north.pk}": "North"}
        html = response.content.decode()
        assert f'<option value="user:{gone.pk}">Gone Away</option>' in html  # the filter's
        assert html.count(f'value="user:{alice.pk}"') == 2  # the filter's and the bulk bar's

    def test_post_is_not_allowed(self, as_alice):
        assert as_alice.post(url("list")).status_code == 405


class TestExport:
    def test_the_filtered_list_is_streamed_with_api_names_and_neutralised_formulas(
        self, as_alice, alice, carol
    ):
        make_lead(owner=alice, topic='=HYPERLINK("http://evil")', city='Århus, "Jylland"')
        make_lead(owner=carol, email="carol-lead@example.com")

        response = as_alice.get(url("export"))

        assert response.status_code == 200 and response.streaming
        content = b"".join(response.streaming_content)
        assert content.startswith(codecs.BOM_UTF8)  # Excel reads it as UTF-8
        text = content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 1
        header = text.splitlines()[0].split(",")
        assert header[:5] == ["id", "topic", "salutation", "first_name", "middle_name"]
        assert {"company_name", "business_phone", "state_province", "source"} <= set(header)
        assert rows[0]["topic"] == '\'=HYPERLINK("http://evil")'
        assert rows[0]["city"] == 'Århus, "Jylland"'
        assert rows[0]["owner"] == "alice" and rows[0]["state"] == "Open"

    def test_post_is_not_allowed(self, as_alice):
        assert as_alice.post(url("export")).status_code == 405


class TestDetail:
    def test_the_owner_sees_the_lead_and_its_actions(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.get(url("detail", lead))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Fabrikam A/S" in content and "Qualify" in content
        assert 'data-testid="lead-actions"' in content

    def test_the_query_count_of_the_page(self, as_alice, alice, django_assert_num_queries):
        lead = make_lead(owner=alice)
        services.qualify_lead(lead=lead, user=alice, create_account=True, create_contact=True)
        as_alice.get(url("detail", lead))  # warms the content-type cache the timeline uses
        # 1 session, 2 user (and whether an administrator), 3 the lead (owner, source,
        # campaign, created/modified by joined; can_edit a subquery; an existing account or
        # contact is read only when set, none here), 4 is_sales_manager (navbar), 5 the routing
        # explanation panel, 6 the web form panel's submission (its form joined; capture's
        # template tag), 7 qualifications (records joined), 8 links (records and who linked
        # joined; the link form's account and contact fields are lookups that list nothing),
        # then the timeline: 9 COUNT, 10 the union's page, 11 the page's status changes (who
        # changed them joined; the status log is a kind of timeline entry), 12 the process
        # bar's status log.
        # + 1: the possible duplicates panel (crm/duplicate_views.py: duplicates_panel).
        # + 1: the merges into it (the "Merged from" panel, activities/merge_views.py).
        # + 1: the consent records (privacy's "Consent" panel, privacy/panels.py).
        # + 1: the lead's score and reasons (scoring's "Score" panel, scoring/panels.py).
        # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
        with django_assert_num_queries(18):
            response = as_alice.get(url("detail", lead))
        assert response.status_code == 200

    def test_an_existing_account_and_contact_are_shown_at_one_query_each(
        self, as_alice, alice, django_assert_num_queries
    ):
        account = Account(name="Contoso Ltd", owner=alice)
        account.save()
        contact = Contact(first_name="Ida", last_name="Holm", account=account, owner=alice)
        contact.save()
        lead = make_lead(owner=alice, existing_account=account, existing_contact=contact)
        as_alice.get(url("detail", lead))  # warms the content-type cache the timeline uses
        # The 12 of the page above, each customer read when the template shows it: not joined
        # to the lead's query, which leaves them out (rarely set; each join costs planning).
        # + 1: the possible duplicates panel (crm/duplicate_views.py: duplicates_panel).
        # + 1: the merges into it (the "Merged from" panel, activities/merge_views.py).
        # + 1: the consent records (privacy's "Consent" panel, privacy/panels.py).
        # + 1: the lead's score and reasons (scoring's "Score" panel, scoring/panels.py).
        # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
        with django_assert_num_queries(20):
            response = as_alice.get(url("detail", lead))
        content = response.content.decode()
        assert account.get_absolute_url() in content and "Contoso Ltd" in content
        assert contact.get_absolute_url() in content and "Ida Holm" in content

    def test_a_teammate_sees_it_without_action_buttons(self, client, alice, bob):
        lead = make_lead(owner=alice)
        client.force_login(bob)

        response = client.get(url("detail", lead))

        assert response.status_code == 200
        assert 'data-testid="lead-actions"' not in response.content.decode()
        assert client.post(url("reactivate", lead)).status_code == 403

    def test_another_team_gets_a_404(self, as_carol, alice):
        assert as_carol.get(url("detail", make_lead(owner=alice))).status_code == 404

    def test_post_is_not_allowed(self, as_alice, alice):
        assert as_alice.post(url("detail", make_lead(owner=alice))).status_code == 405


class TestCreateAndEdit:
    def test_a_rep_creates_a_lead_for_themselves(self, as_alice, alice):
        data = lead_data(owner=f"user:{alice.pk}", preferred_contact_method=1)

        response = as_alice.post(url("create"), data)

        lead = Lead.objects.get()
        assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()
        assert lead.owner == alice and lead.status_changes.count() == 1

    def test_automatic_owner_falls_back_to_the_creator_without_rules(self, as_alice, alice):
        as_alice.post(url("create"), lead_data(owner="auto", preferred_contact_method=1))
        assert Lead.objects.get().owner == alice

    def test_possible_duplicates_are_shown_and_save_anyway_saves(self, as_alice, alice):
        make_lead(owner=alice)
        data = lead_data(owner=f"user:{alice.pk}", preferred_contact_method=1)

        response = as_alice.post(url("create"), data)
        assert response.status_code == 200
        assert 'data-testid="duplicate-warning"' in response.content.decode()
        assert Lead.objects.count() == 1

        as_alice.post(url("create"), {**data, "save_anyway": "1"})
        assert Lead.objects.count() == 2

    def test_a_lead_without_name_company_or_email_is_refused_clearly(self, as_alice, alice):
        response = as_alice.post(
            url("create"),
            {"first_name": "Anna", "owner": f"user:{alice.pk}", "preferred_contact_method": 1},
        )
        assert response.status_code == 200
        assert "at least a last name" in response.content.decode()
        assert not Lead.objects.exists()

    def test_create_refuses_put(self, as_alice):
        assert as_alice.put(url("create")).status_code == 405

    def test_edit_saves_and_a_stale_edit_is_refused(self, as_alice, alice, bob):
        lead = make_lead(owner=alice)
        form = {**lead_data(city="Aarhus"), "preferred_contact_method": 1, "expected_version": 1}

        assert as_alice.post(url("edit", lead), form).status_code == 302
        response = as_alice.post(url("edit", lead), {**form, "city": "Odense"})

        assert response.status_code == 409
        assert "after you opened it" in response.content.decode()
        lead.refresh_from_db()
        assert lead.city == "Aarhus"

    def test_a_closed_lead_cannot_be_edited(self, as_alice, alice):
        lead = make_lead(owner=alice)
        services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)

        response = as_alice.get(url("edit", lead), follow=True)

        assert "reactivate it first" in response.content.decode()

    def test_another_team_cannot_edit(self, as_carol, alice):
        assert as_carol.get(url("edit", make_lead(owner=alice))).status_code == 404

    def test_edit_refuses_put(self, as_alice, alice):
        assert as_alice.put(url("edit", make_lead(owner=alice))).status_code == 405


class TestBulk:
    def test_bulk_disqualify_and_assign(self, as_alice, alice, bob):
        leads = [make_lead(owner=alice), make_lead(owner=alice, email="x@example.com")]
        pks = [lead.pk for lead in leads]

        as_alice.post(url("bulk"), {"action": "disqualify", "status": "lost", "leads": pks})
        assert set(Lead.objects.values_list("status", flat=True)) == {"lost"}

        as_alice.post(url("bulk"), {"action": "assign", "owner": f"user:{bob.pk}", "leads": pks})
        assert set(Lead.objects.values_list("owner_user", flat=True)) == {bob.pk}

    def test_bulk_refusals_say_what_is_missing_and_change_nothing(self, as_alice, alice):
        lead = make_lead(owner=alice)

        nothing_ticked = as_alice.post(url("bulk"), {"action": "qualify"}, follow=True)
        no_owner = as_alice.post(
            url("bulk"), {"action": "assign", "owner": "", "leads": [lead.pk]}, follow=True
        )

        assert "Tick the leads to apply the action to." in nothing_ticked.content.decode()
        assert "Choose the new owner." in no_owner.content.decode()
        lead.refresh_from_db()
        assert (lead.owner, lead.version) == (alice, 1)

    def test_the_bulk_bar_has_its_own_ids_and_no_preselected_owner(self, as_alice, alice):
        form = as_alice.get(url("list")).context["bulk_form"]

        assert form["owner"].id_for_label == "bulk_owner"
        assert form["status"].id_for_label == "bulk_status"
        assert list(form.fields["owner"].choices)[0] == ("", "- Select an option -")

    def test_bulk_qualify_reports_refusals(self, as_alice, alice):
        ok = make_lead(owner=alice)
        closed = make_lead(owner=alice, email="x@example.com")
        services.disqualify_lead(lead=closed, user=alice, status=Status.LOST)

        response = as_alice.post(
            url("bulk"), {"action": "qualify", "leads": [ok.pk, closed.pk]}, follow=True
        )

        content = response.content.decode()
        assert "1 lead qualified." in content and "reactivate it before qualifying" in content
        ok.refresh_from_db()
        assert ok.state == State.QUALIFIED

    def test_bulk_qualify_skips_what_a_lead_cannot_make_and_says_so(self, as_alice, alice):
        company_less = make_lead(owner=alice, company_name="", topic="No company")
        nameless = make_lead(
            owner=alice, last_name="", first_name="Anna", email="a@example.com", topic="No name"
        )

        response = as_alice.post(
            url("bulk"),
            {"action": "qualify", "leads": [company_less.pk, nameless.pk]},
            follow=True,
        )

        content = response.content.decode()
        assert "2 leads qualified." in content
        assert "Qualified without an account (no company name): No company." in content
        assert "Qualified without a contact (no last name): No name." in content
        assert Account.objects.count() == 1 and Contact.objects.count() == 1
        assert Opportunity.objects.count() == 2

    def test_another_teams_leads_cannot_be_touched(self, as_carol, alice):
        lead = make_lead(owner=alice)
        response = as_carol.post(
            url("bulk"), {"action": "disqualify", "status": "lost", "leads": [lead.pk]}
        )
        assert response.status_code == 302
        lead.refresh_from_db()
        assert lead.is_open

    def test_get_is_not_allowed(self, as_alice):
        assert as_alice.get(url("bulk")).status_code == 405


def test_home_shows_my_open_leads_and_follow_ups(as_alice, alice):
    import datetime

    make_lead(owner=alice, next_follow_up=datetime.date(2020, 1, 1), topic="Call back Anna")

    response = as_alice.get(reverse("home"))

    content = response.content.decode()
    assert 'data-testid="tile-my-open-leads"' in content
    assert "Call back Anna" in content
    assert response.context["my_open_leads_by_status"][0][2] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/admin/leads/lead/",
        "/admin/leads/lead/add/",
        "/admin/leads/leadsource/",
        "/admin/leads/campaign/",
        "/admin/leads/qualificationsettings/",
    ],
)
def test_admin_pages_load(as_admin, path):
    assert as_admin.get(path).status_code == 200


def test_admin_actions_go_through_the_services(as_admin, alice):
    lead = make_lead(owner=alice)
    as_admin.post(
        "/admin/leads/lead/",
        {"action": "disqualify_as_canceled", "_selected_action": [lead.pk]},
    )
    lead.refresh_from_db()
    assert lead.status == Status.CANCELED


def queue_lead(team, n, created_by):
    data = lead_data(topic=f"Queue lead {n}", email=f"queue{n}@example.com")
    return services.create_lead(data=data, created_by=created_by, owner=team)


def claim_buttons(response):
    """The lead ids of the rows that show a Claim button."""
    content = response.content.decode()
    return {
        lead.pk
        for lead in response.context["page"]
        if f'formaction="{reverse("routing:claim", args=[lead.pk])}"' in content
    }


class TestClaimFromTheList:
    def test_the_row_button_is_for_members_on_open_leads_of_their_team_queues(
        self, client, alice, admin_user, north
    ):
        queued = queue_lead(north, 1, alice)
        closed = queue_lead(north, 2, alice)
        services.disqualify_lead(lead=closed, user=alice, status=Status.LOST)
        own = make_lead(owner=alice, email="own@example.com")

        client.force_login(alice)
        response = client.get(url("list"), {"view": "any"})
        assert set(response.context["page"]) == {queued, closed, own}
        assert claim_buttons(response) == {queued.pk}

        client.force_login(admin_user)  # sees every lead, is in no team
        response = client.get(url("list"), {"view": "any"})
        assert queued in response.context["page"]
        assert claim_buttons(response) == set()

    def test_the_home_tile_of_my_team_queues_leads_to_claim_buttons(self, as_alice, alice, north):
        queued = queue_lead(north, 1, alice)
        tile = f"/leads/?view=any&amp;state=open&amp;owner=team%3A{north.pk}"
        assert tile in as_alice.get(reverse("home")).content.decode()

        response = as_alice.get(tile.replace("&amp;", "&"))

        assert list(response.context["page"]) == [queued]
        assert claim_buttons(response) == {queued.pk}

    def test_claim_buttons_add_no_query_for_1_or_50_rows(self, as_alice, alice, north):
        """Whether the viewer may claim a row is a subquery on the viewer's teams inside the
        page's one query: the queue list costs what the same list of one's own leads costs
        (no Claim buttons there), whatever the number of rows."""
        params = {"view": "any", "state": "open", "owner": f"team:{north.pk}", "per_page": "50"}

        def queries(**query):
            as_alice.get(url("list"), query)  # warm-up: caches outside the page's queries
            with CaptureQueriesContext(connection) as captured:
                response = as_alice.get(url("list"), query)
            return len(captured), response

        LeadFactory.create_batch(1, owner_user=alice)
        own_list, response = queries(**{**params, "owner": f"user:{alice.pk}"})
        assert len(response.context["page"]) == 1 and not claim_buttons(response)
        LeadFactory.create_batch(1, owner_user=None, owner_team=north)
        one_row, response = queries(**params)
        assert len(claim_buttons(response)) == 1
        LeadFactory.create_batch(49, owner_user=None, owner_team=north)
        fifty_rows, response = queries(**params)
        assert len(claim_buttons(response)) == 50

        assert one_row == fifty_rows == own_list

    def test_bulk_claim_says_what_happened_to_each_lead(self, client, alice, bob, north):
        free = [queue_lead(north, n, alice) for n in (1, 2)]
        taken = queue_lead(north, 3, alice)
        closed = queue_lead(north, 4, alice)
        services.disqualify_lead(lead=closed, user=alice, status=Status.LOST)
        client.force_login(bob)
        assert claim_buttons(client.get(url("list"), {"view": "any"})) == {
            *(lead.pk for lead in free),
            taken.pk,
        }
        routing_services.claim_lead(lead=taken, user=alice)  # while bob was choosing

        chosen = [*free, taken, closed]
        response = client.post(
            url("bulk"),
            {"action": "claim", "leads": [lead.pk for lead in chosen], "next": "/leads/?view=any"},
            follow=True,
        )

        content = response.content.decode()
        assert "Claimed 2 leads." in content
        assert f"1 already taken by {alice}: {taken}." in content
        assert f"1 closed, not claimed: {closed}." in content
        owners = dict(Lead.objects.values_list("pk", "owner_user"))
        assert [owners[lead.pk] for lead in chosen] == [bob.pk, bob.pk, alice.pk, None]

    def test_an_administrator_outside_the_team_claims_nothing(self, as_admin, alice, north):
        queued = queue_lead(north, 1, alice)

        response = as_admin.post(
            url("bulk"), {"action": "claim", "leads": [queued.pk]}, follow=True
        )

        content = response.content.decode()
        assert "Claimed 0 leads." in content
        assert f"1 not in your teams: {queued}." in content
        queued.refresh_from_db()
        assert queued.owner == north

    def test_a_non_members_claim_is_refused_and_changes_nothing(self, as_carol, alice, north):
        queued = queue_lead(north, 1, alice)
        before = (queued.version, AssignmentExplanation.objects.count())

        response = as_carol.post(
            url("bulk"), {"action": "claim", "leads": [queued.pk]}, follow=True
        )

        assert "Claimed" not in response.content.decode()
        assert (
            "is not one you can change (any more): reload the list." in response.content.decode()
        )
        queued.refresh_from_db()
        assert queued.owner == north
        assert (queued.version, AssignmentExplanation.objects.count()) == before


class TestLinks:
    def test_associate_and_disassociate_an_account_and_a_contact(self, as_alice, alice):
        lead = make_lead(owner=alice)
        account = Account(name="Contoso", owner=alice)
        account.save()
        contact = Contact(last_name="Meyer", owner=alice)
        contact.save()

        as_alice.post(url("link", lead), {"account": account.pk})
        as_alice.post(url("link", lead), {"contact": contact.pk})
        as_alice.post(url("link", lead), {"account": account.pk})  # twice: still one link

        assert [link.lead for link in account.lead_links.all()] == [lead]
        assert lead.links.count() == 2
        page = as_alice.get(url("detail", lead)).content.decode()
        assert "Contoso" in page and "Meyer" in page

        link = lead.links.get(account=account)
        response = as_alice.post(reverse("leads:unlink", args=[lead.pk, link.pk]))
        assert response.status_code == 302
        assert list(lead.links.values_list("contact", flat=True)) == [contact.pk]

    def test_another_teams_account_cannot_be_linked(self, as_alice, alice, carol):
        lead = make_lead(owner=alice)
        hidden = Account(name="Hidden", owner=carol)
        hidden.save()
        as_alice.post(url("link", lead), {"account": hidden.pk})
        assert not lead.links.exists()

    def test_linking_needs_exactly_one_target(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(url("link", lead), {}, follow=True)
        assert "Choose an account or a contact." in response.content.decode()

    def test_another_team_gets_a_404(self, as_carol, alice):
        assert as_carol.post(url("link", make_lead(owner=alice))).status_code == 404

    def test_get_is_not_allowed(self, as_alice, alice):
        assert as_alice.get(url("link", make_lead(owner=alice))).status_code == 405

    def test_the_record_panel_lists_originating_and_linked_leads(self, alice):
        from django.template import Context, Template
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.user = alice
        lead = make_lead(owner=alice)
        q = services.qualify_lead(lead=lead, user=alice, create_account=True)
        services.associate_lead(
            lead=make_lead(owner=alice, email="x@example.com", topic="Linked one"),
            user=alice,
            account=q.account,
        )

        html = Template("{% load lead_links %}{% record_leads record %}").render(
            Context({"record": q.account, "request": request})
        )

        assert "Qualified from" in html and lead.display_topic in html
        assert "Linked one" in html


@pytest.mark.parametrize("customer", ["account:999", "nonsense", "contact:x"])
def test_a_tampered_customer_is_a_form_error_not_a_500(as_alice, alice, customer):
    lead = make_lead(owner=alice)
    response = as_alice.post(
        url("qualify", lead),
        {"create_contact": "on", "opportunity_customer": customer, "confirm": "1"},
    )
    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.is_open


@pytest.mark.parametrize(
    "team", ["-15354864250337447970800270881849344", "99999999999999999999", "1.5", "x"]
)
def test_a_team_filter_that_is_no_id_is_a_message_not_a_500(as_alice, team):
    """Found by schemathesis: a huge team id overflowed SQLite's integer in `IN (...)`."""
    response = as_alice.get("/leads/", {"team": team})
    assert response.status_code == 200


def test_the_api_has_no_several_teams_filter(as_alice):
    """The API filters a team through owner=team:N; the page's team filter is not in it."""
    schema = as_alice.get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/leads/"]["get"]["parameters"]
    assert "team" not in {parameter["name"] for parameter in parameters}
    assert "owner" in {parameter["name"] for parameter in parameters}
