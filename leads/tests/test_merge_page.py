"""The lead merge page (activities/merge_views.py with leads/merge_views.py): the records side
by side, the master and per-field choices posted through merge_leads with the versions, the
refusals on the form, the "Merged from" panel with Undo and the merged lead's banner."""

import pytest
from django.urls import reverse

from activities.models import Note, RecordMerge
from activities.services import add_note
from crm.services import share_record
from leads import services
from leads.merge import merge_leads
from leads.models import Lead, State
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

PAGE = reverse("leads:merge")


def _pair(alice):
    older = make_lead(
        owner=alice, first_name="Jens", last_name="Hansen", email="jens@x.dk", city="Aarhus"
    )
    newer = make_lead(
        owner=alice,
        first_name="Jens",
        last_name="Hansen",
        email="jens@x.dk",
        city="Odense",
        job_title="CTO",
    )
    return older, newer


def _post(client, master, others, **take):
    records = [master, *others]
    data = {
        "ids": ",".join(str(r.pk) for r in records),
        "master": master.pk,
        **{f"version_{r.pk}": r.version for r in records},
        **{f"take_{name}": record.pk for name, record in take.items()},
    }
    return client.post(PAGE, data)


class TestThePage:
    def test_shows_the_leads_side_by_side_the_oldest_as_master(self, as_alice, alice):
        older, newer = _pair(alice)
        add_note(regarding=newer, user=alice, text="Called twice")
        response = as_alice.get(PAGE, {"ids": f"{newer.pk},{older.pk}"})
        assert response.status_code == 200
        context = response.context
        assert context["master"] == older
        differing = {row.name for row in context["differing"]}
        assert {"city", "job_title"} <= differing
        assert "email" in {row.name for row in context["identical"]}
        city = next(row for row in context["differing"] if row.name == "city")
        assert [cell.chosen for cell in city.cells] == [True, False]  # the master's value
        # The master has no website: the other's is chosen, an empty value never wins.
        Lead.objects.filter(pk=newer.pk).update(website="https://hansen.example")
        response = as_alice.get(PAGE, {"ids": f"{newer.pk},{older.pk}"})
        website = next(r for r in response.context["differing"] if r.name == "website")
        assert [cell.chosen for cell in website.cells] == [False, True]
        assert "1 note" in context["summary"]
        assert "identical field" in response.content.decode()

    def test_the_query_count_is_fixed(self, as_alice, alice, django_assert_num_queries):
        older, newer = _pair(alice)
        third = make_lead(owner=alice, email="jens@x.dk")
        as_alice.get(PAGE, {"ids": f"{older.pk},{newer.pk}"})  # warms the content types
        # 1 session, 2 user, 3 the user's scope (visibility), 4 the leads (source, campaign,
        # existing account and contact joined; can_edit, can_add subqueries), then what moves
        # (merge_preview: one COUNT per kind): 5 activities, 6 notes, 7 inquiries, 8 links,
        # 9 web submissions, 10 consent records (privacy), 11 is_sales_manager (navbar)
        with django_assert_num_queries(11):
            response = as_alice.get(PAGE, {"ids": f"{older.pk},{newer.pk}"})
        assert response.status_code == 200
        with django_assert_num_queries(11):
            response = as_alice.get(PAGE, {"ids": f"{older.pk},{newer.pk},{third.pk}"})
        assert len(response.context["records"]) == 3

    def test_another_teams_lead_is_a_404(self, as_carol, alice):
        older, newer = _pair(alice)
        assert as_carol.get(PAGE, {"ids": f"{older.pk},{newer.pk}"}).status_code == 404

    def test_bad_ids_are_a_400_never_a_500(self, as_alice, alice):
        older, newer = _pair(alice)
        for ids in ("", "x,1", f"{older.pk},{newer.pk},{older.pk + 90},{older.pk + 91}"):
            response = as_alice.get(PAGE, {"ids": ids})
            assert response.status_code == 400, ids
            assert response.context["bad"]

    def test_needs_a_login(self, client, alice):
        older, newer = _pair(alice)
        response = client.get(PAGE, {"ids": f"{older.pk},{newer.pk}"})
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_wrong_method(self, as_alice):
        assert as_alice.put(PAGE).status_code == 405

    def test_one_lead_asks_for_the_other_and_the_choice_comes_back_as_ids(self, as_alice, alice):
        older, newer = _pair(alice)
        response = as_alice.get(PAGE, {"ids": older.pk})
        assert response.status_code == 200 and response.context["pick"]
        response = as_alice.get(PAGE, {"ids": older.pk, "add": newer.pk})
        assert response["Location"] == f"{PAGE}?ids={older.pk},{newer.pk}"

    def test_the_lists_ticked_leads_come_back_as_ids(self, as_alice, alice):
        older, newer = _pair(alice)
        response = as_alice.post(PAGE, {"leads": [older.pk, newer.pk], "action": ""})
        assert response["Location"] == f"{PAGE}?ids={older.pk},{newer.pk}"
        assert Lead.objects.filter(merged_into__isnull=False).count() == 0

    def test_a_lead_the_user_only_reads_is_refused_at_once_with_the_reason(
        self, client, alice, carol
    ):
        older, newer = _pair(alice)
        share_record(record=newer, by=alice, user=carol)
        share_record(record=older, by=alice, user=carol)
        client.force_login(carol)
        response = client.get(PAGE, {"ids": f"{older.pk},{newer.pk}"})
        assert response.status_code == 403
        assert "not change it" in response.content.decode()
        # the picker of one lead too: no form to fill in that would be refused
        response = client.get(PAGE, {"ids": older.pk})
        assert response.status_code == 403
        assert _post(client, older, [newer]).status_code == 403
        assert not RecordMerge.objects.exists()

    def test_the_picker_never_offers_the_lead_itself_and_says_so_when_chosen(
        self, as_alice, alice
    ):
        older, newer = _pair(alice)
        response = as_alice.get(PAGE, {"ids": older.pk})
        assert older not in response.context["pick"].fields["add"].queryset
        assert f"exclude={older.pk}" in response.content.decode()
        response = as_alice.get(PAGE, {"ids": older.pk, "add": older.pk})
        assert response.status_code == 400
        assert "choose another one" in response.context["pick_error"]

    def test_the_bulk_bar_with_no_or_four_leads_goes_back_to_the_list_with_a_message(
        self, as_alice, alice
    ):
        leads = [make_lead(owner=alice) for _ in range(4)]
        for ticked in ([], [lead.pk for lead in leads]):
            response = as_alice.post(PAGE, {"leads": ticked, "action": ""}, follow=True)
            assert response.redirect_chain[-1][0] == reverse("leads:list")
            assert "Choose two or three leads to merge." in response.content.decode()
        # Posted from a filtered, sorted list page, it goes back to that page as it was.
        back = reverse("leads:list") + "?view=mine&sort=-created_at&page=2"
        response = as_alice.post(PAGE, {"leads": [], "next": back})
        assert response.status_code == 302 and response.url == back
        outside = as_alice.post(PAGE, {"leads": [], "next": "https://evil.example/"})
        assert outside.url == reverse("leads:list")

    def test_leads_are_named_by_person_and_company_and_money_is_grouped(self, as_alice, alice):
        older, newer = _pair(alice)
        Lead.objects.filter(pk=older.pk).update(
            first_name="Ida", last_name="Holm", company_name="Holm A/S", estimated_value=10000
        )
        response = as_alice.get(PAGE, {"ids": f"{older.pk},{newer.pk}"})
        content = response.content.decode()
        assert "Ida Holm (Holm A/S)" in content
        assert "10,000.00" in content and "10000.00" not in content
        assert "Keep the value of" in content

    def test_a_qualified_lead_among_them_is_explained_and_never_the_master(self, as_alice, alice):
        older, newer = _pair(alice)
        services.qualify_lead(lead=older, user=alice, create_contact=True)
        response = as_alice.get(PAGE, {"ids": f"{older.pk},{newer.pk}"})
        assert response.context["master"] == newer
        assert any("state and qualification stay with it" in n for n in response.context["notes"])


class TestMerging:
    def test_merges_with_the_picked_values_and_says_so_with_undo_on_the_master(
        self, as_alice, alice
    ):
        older, newer = _pair(alice)
        note = add_note(regarding=newer, user=alice, text="Called twice")
        response = _post(as_alice, older, [newer], city=newer, job_title=newer)
        assert response.status_code == 302
        older.refresh_from_db()
        newer.refresh_from_db()
        assert (older.city, older.job_title) == ("Odense", "CTO")
        assert newer.merged_into == older and newer.state == State.DISQUALIFIED
        assert Note.objects.get(pk=note.pk).object_id == older.pk
        page = as_alice.get(response["Location"])
        content = page.content.decode()
        assert "Merged 1 lead into" in content
        assert 'data-testid="merged-from"' in content and 'data-testid="undo-merge"' in content
        banner = as_alice.get(newer.get_absolute_url()).content.decode()
        assert 'data-testid="merged-into"' in banner
        assert 'data-testid="lead-actions"' not in banner  # read-only

    def test_a_stale_version_is_shown_on_the_form(self, as_alice, alice):
        older, newer = _pair(alice)
        stale = Lead.objects.get(pk=newer.pk)
        services.update_lead(
            lead=newer, user=alice, data={"city": "Vejle"}, expected_version=newer.version
        )
        response = _post(as_alice, older, [stale])
        assert response.status_code == 409
        assert "another tab" in response.context["error"] or "changed" in response.context["error"]
        assert not RecordMerge.objects.exists()

    def test_a_refusal_is_shown_on_the_form(self, as_alice, alice):
        older, newer = _pair(alice)
        services.disqualify_lead(
            lead=older,
            user=alice,
            status="lost",
            note="",
            keep_contact=False,
            expected_version=older.version,
        )
        older.refresh_from_db()
        response = _post(as_alice, older, [newer])  # a closed lead as the master
        assert response.status_code == 400
        assert "master must be an open lead" in response.context["error"]


class TestUndo:
    def test_the_person_who_merged_undoes_it(self, as_alice, alice):
        older, newer = _pair(alice)
        merge = merge_leads(user=alice, master=older, others=[newer], take={"city": newer.pk})
        url = reverse("activities:undo_merge", args=[merge.pk])
        assert as_alice.get(url).status_code == 405
        response = as_alice.post(url)
        assert response["Location"] == older.get_absolute_url()
        older.refresh_from_db()
        newer.refresh_from_db()
        assert older.city == "Aarhus" and newer.merged_into is None and newer.is_open
        assert "Merge undone" in as_alice.get(response["Location"]).content.decode()

    def test_the_history_tab_offers_undo_of_the_newest_merge_and_comes_back_to_it(
        self, as_alice, alice
    ):
        older, newer = _pair(alice)
        first = merge_leads(user=alice, master=older, others=[newer])
        third = make_lead(owner=alice)
        second = merge_leads(user=alice, master=older, others=[third])
        history = reverse("leads:history", args=[older.pk])
        content = as_alice.get(history).content.decode()
        assert 'data-testid="merged-from"' in content
        # Only the newest merge may be undone (the older one has it depending on it).
        assert content.count('data-testid="undo-merge"') == 1
        assert reverse("activities:undo_merge", args=[second.pk]) in content
        assert reverse("activities:undo_merge", args=[first.pk]) not in content
        response = as_alice.post(
            reverse("activities:undo_merge", args=[second.pk]), {"next": history}
        )
        assert response["Location"] == history
        content = as_alice.get(history).content.decode()
        assert "Merge undone" in content
        assert reverse("activities:undo_merge", args=[first.pk]) in content

    def test_a_teammate_sees_the_panel_without_undo_and_may_not_post_it(self, client, alice, bob):
        older, newer = _pair(alice)
        merge = merge_leads(user=alice, master=older, others=[newer])
        client.force_login(bob)
        content = client.get(older.get_absolute_url()).content.decode()
        assert 'data-testid="merged-from"' in content
        assert 'data-testid="undo-merge"' not in content
        assert client.post(reverse("activities:undo_merge", args=[merge.pk])).status_code == 403

    def test_another_team_gets_a_404(self, as_carol, alice):
        older, newer = _pair(alice)
        merge = merge_leads(user=alice, master=older, others=[newer])
        assert as_carol.post(reverse("activities:undo_merge", args=[merge.pk])).status_code == 404
        assert not RecordMerge.objects.get(pk=merge.pk).is_undone
