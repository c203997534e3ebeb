"""The lead page panel, claiming, "Apply routing rules" and the lead form's automatic owner."""

import pytest
from django.urls import reverse

from leads import services as lead_services
from leads.models import Lead
from leads.routing.models import AssignmentExplanation, Distribution, LeadField, Operator
from leads.routing.tests.factories import make_rule
from leads.signals import lead_creating
from leads.tests.factories import lead_data

pytestmark = pytest.mark.django_db


def routed(created_by, **data):
    return lead_services.create_lead(data=lead_data(**data), created_by=created_by, route=True)


class TestExplanationPanel:
    def test_the_owner_reads_why_the_lead_was_assigned_to_them(self, client, alice, east, dan):
        make_rule("Danish leads", east, (LeadField.COUNTRY, Operator.EQUALS, "Denmark"))
        lead = routed(alice)
        client.force_login(dan)

        content = client.get(lead.get_absolute_url()).content.decode()

        assert "Why was this lead assigned to me?" in content
        assert "Rule “Danish leads” matched." in content
        assert "Eve — available, not next in turn" in content

    def test_an_owner_chosen_by_a_person_is_said_so(self, as_alice, alice):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice)

        content = as_alice.get(lead.get_absolute_url()).content.decode()

        assert "A person chose the owner" in content

    def test_a_later_assignment_by_hand_hides_the_old_explanation(self, as_alice, alice, bob):
        make_rule("Bob's", bob)
        lead = routed(alice)
        lead_services.assign_lead(lead=lead, user=alice, owner=alice)

        content = as_alice.get(lead.get_absolute_url()).content.decode()

        assert "Bob's" not in content
        assert f"{alice} assigned it by hand." in content


class TestClaim:
    def url(self, lead):
        return reverse("routing:claim", args=[lead.pk])

    def test_a_member_claims_a_queue_lead_from_its_page(self, as_alice, alice, north):
        make_rule("North queue", north, distribution=Distribution.TEAM_OWNS)
        lead = routed(alice)
        assert (
            "Claim from the North queue" in as_alice.get(lead.get_absolute_url()).content.decode()
        )

        response = as_alice.post(self.url(lead))

        assert response.status_code == 302
        lead.refresh_from_db()
        assert lead.owner == alice

    def test_a_refused_claim_gives_a_message(self, as_alice, alice, bob, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=bob)

        response = as_alice.post(self.url(lead), follow=True)

        assert "has already taken this lead" in response.content.decode()

    def test_a_claim_from_a_list_row_goes_back_to_the_list(self, as_alice, alice, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=north)
        back = f"/leads/?view=any&state=open&owner=team:{north.pk}"

        response = as_alice.post(self.url(lead), {"next": back})

        assert response.status_code == 302 and response.url == back
        lead.refresh_from_db()
        assert lead.owner == alice
        page = as_alice.get(back).content.decode()
        assert f"You now own {lead}." in page

    def test_a_next_to_another_site_is_ignored(self, as_alice, alice, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=north)

        response = as_alice.post(self.url(lead), {"next": "https://evil.example/"})

        assert response.url == lead.get_absolute_url()

    def test_get_is_not_allowed(self, as_alice, alice, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=north)

        assert as_alice.get(self.url(lead)).status_code == 405

    def test_another_teams_lead_is_a_404(self, as_carol, alice, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=north)

        assert as_carol.post(self.url(lead)).status_code == 404


class TestApplyRules:
    url = reverse_lazy = "/routing/apply/"

    def test_the_selected_leads_are_rerouted(self, as_alice, alice, bob):
        leads = [lead_services.create_lead(data=lead_data(), created_by=alice) for _ in range(2)]
        make_rule("Bob's", bob)

        response = as_alice.post(
            reverse("routing:apply"),
            {"leads": [lead.pk for lead in leads], "next": "/leads/?view=mine"},
            follow=True,
        )

        assert response.redirect_chain[-1][0] == "/leads/?view=mine"
        assert "2 leads re-routed." in response.content.decode()
        assert set(Lead.objects.values_list("owner_user", flat=True)) == {bob.pk}

    def test_the_lead_list_offers_the_button(self, as_alice):
        content = as_alice.get(reverse("leads:list")).content.decode()

        assert 'formaction="/routing/apply/"' in content

    def test_get_is_not_allowed(self, as_alice):
        assert as_alice.get(reverse("routing:apply")).status_code == 405

    def test_leads_the_user_cannot_change_are_ignored(self, as_carol, alice, carol):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice)
        make_rule("Carol's", carol)

        response = as_carol.post(reverse("routing:apply"), {"leads": [lead.pk]}, follow=True)

        assert "Select the leads to route." in response.content.decode()
        lead.refresh_from_db()
        assert lead.owner == alice

    def test_an_outside_next_url_is_not_followed(self, as_alice, alice):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice)

        response = as_alice.post(
            reverse("routing:apply"), {"leads": [lead.pk], "next": "https://evil.example/"}
        )

        assert response.url == reverse("leads:list")


class TestCreationPathsRouteOnce:
    """Each entry path that exists sends the leads through routing exactly once."""

    @pytest.fixture
    def calls(self):
        seen = []

        def count(sender, leads, route, **kwargs):
            seen.append((len(leads), route))

        lead_creating.connect(count)
        yield seen
        lead_creating.disconnect(count)

    def test_the_lead_form_with_automatic_owner(self, as_alice, bob, calls):
        make_rule("Bob's", bob)
        data = {**lead_data(), "owner": "auto", "preferred_contact_method": 1, "save_anyway": "1"}

        response = as_alice.post(reverse("leads:create"), data)

        assert response.status_code == 302, response.content.decode()[:2000]
        lead = Lead.objects.get()
        assert lead.owner == bob
        assert calls == [(1, True)]
        assert AssignmentExplanation.objects.filter(lead=lead).count() == 1

    def test_the_lead_form_with_a_chosen_owner_is_not_routed(self, as_alice, alice, bob, calls):
        make_rule("Bob's", bob)
        data = {
            **lead_data(),
            "owner": f"user:{alice.pk}",
            "preferred_contact_method": 1,
            "save_anyway": "1",
        }

        as_alice.post(reverse("leads:create"), data)

        assert Lead.objects.get().owner == alice
        assert calls == [(1, False)]
        assert not AssignmentExplanation.objects.exists()

    def test_the_admin_without_an_owner(self, as_admin, bob, calls):
        make_rule("Bob's", bob)
        data = {
            **lead_data(),
            "preferred_contact_method": 1,
            "qualifications-TOTAL_FORMS": 0,
            "qualifications-INITIAL_FORMS": 0,
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
            "assignment_explanations-TOTAL_FORMS": 0,
            "assignment_explanations-INITIAL_FORMS": 0,
        }

        response = as_admin.post(reverse("admin:leads_lead_add"), data)

        assert response.status_code == 302, response.content.decode()[:3000]
        assert Lead.objects.get().owner == bob
        assert calls == [(1, True)]
        assert AssignmentExplanation.objects.count() == 1

    def test_the_service_with_route(self, alice, bob, calls):
        make_rule("Bob's", bob)

        rows = [Lead(**lead_data(email=f"p{i}@example.com")) for i in range(3)]
        lead_services.create_leads(leads=rows, created_by=alice, route=True)

        assert calls == [(3, True)]
        assert AssignmentExplanation.objects.count() == 3


class TestOtherEntryPathsRouteOnce:
    """Import, API and web form: leads without an owner are routed, once each."""

    def test_an_import_routes_rows_without_an_owner(self, tmp_path, admin_user, alice, bob):
        from django.core.management import call_command

        make_rule("Bob's", bob)
        path = tmp_path / "leads.csv"
        path.write_text("Last Name,Owner\nAsk the rules,\nKept,alice\nAlso routed,\n")

        call_command("import_leads", str(path), "--user", admin_user.username, stdout=None)

        owners = {lead.last_name: lead.owner for lead in Lead.objects.all()}
        assert owners == {"Ask the rules": bob, "Kept": alice, "Also routed": bob}
        routed_ids = AssignmentExplanation.objects.values_list("lead__last_name", flat=True)
        assert sorted(routed_ids) == ["Also routed", "Ask the rules"]

    def test_the_api_routes_a_lead_without_an_owner(self, alice, bob):
        from rest_framework.test import APIClient

        make_rule("Bob's", bob)
        client = APIClient()
        client.force_authenticate(alice)

        routed_response = client.post("/api/v1/leads/", {"last_name": "Routed"})
        chosen_response = client.post(
            "/api/v1/leads/",
            {"last_name": "Chosen", "owner": {"type": "user", "id": alice.pk}},
            format="json",
        )

        assert (routed_response.status_code, chosen_response.status_code) == (201, 201)
        owners = {lead.last_name: lead.owner for lead in Lead.objects.all()}
        assert owners["Routed"] == bob
        assert AssignmentExplanation.objects.get().lead.last_name == "Routed"

    def test_the_web_form_routes_its_leads(self, client, alice, bob):
        from django.core.cache import cache

        from capture.tests.factories import WebFormFactory

        cache.clear()
        make_rule("Bob's", bob)
        web_form = WebFormFactory(created_by=alice)

        client.post(f"/capture/{web_form.key}/", {"last_name": "Holm", "email": "i@holm.example"})

        lead = Lead.objects.get()
        assert lead.owner == bob
        assert lead.assignment_explanations.count() == 1
