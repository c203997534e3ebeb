"""The Imports page's value maps: a select per distinct value of each mapped choice column,
giving the `values` mapping the JSON gives."""

import re

import pytest

from leads.imports.models import ImportBatch
from leads.imports.tests.test_views import mapping_post, upload
from leads.models import Lead, State

SELECTS = {"value_status_0": "disqualified:canceled", "value_status_1": "open:contacted"}


def selected(page, name):
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen.group(1) if chosen else None


@pytest.mark.django_db
class TestValueSelects:
    def test_each_distinct_value_gets_a_select_preselected_when_it_matches(self, as_manager):
        upload(as_manager)
        batch = ImportBatch.objects.get()

        page = as_manager.get(batch.get_absolute_url()).content.decode()

        fieldset = page[page.index('data-testid="value-map-status"') :]
        # "Contacted" twice in the file: one select.
        assert re.findall(
            r"<label[^>]*>\s*([^<]+?)\s*</label>", fieldset.split("</fieldset>")[0]
        ) == [
            "Junk Lead",
            "Contacted",
        ]
        assert selected(page, "value_status_0") == ""
        assert selected(page, "value_status_1") == "open:contacted"
        assert '<option value="disqualified:canceled">Disqualified: Canceled</option>' in fieldset
        assert "<script" not in fieldset

    def test_the_selects_give_the_mapping_the_json_gave_and_the_import_uses_it(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        upload(as_manager)
        batch = ImportBatch.objects.get()

        with django_capture_on_commit_callbacks(execute=True):
            response = as_manager.post(
                batch.get_absolute_url(),
                mapping_post(batch, values="", action="import", **SELECTS),
            )

        assert response.status_code == 302
        batch.refresh_from_db()
        assert batch.options["values"] == {
            "status": {"Junk Lead": "disqualified:canceled", "Contacted": "open:contacted"}
        }
        assert batch.summary() == "created=2 updated=0 skipped=0 rejected=1"
        junk = Lead.objects.get(email="soren@cafe.example")
        assert (junk.state, junk.status) == (State.DISQUALIFIED, "canceled")
        assert Lead.objects.get(email="cy@northwind.example").status == "contacted"

    def test_without_a_choice_the_unmatched_value_is_rejected(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        upload(as_manager)
        batch = ImportBatch.objects.get()

        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(
                batch.get_absolute_url(),
                mapping_post(batch, values="", action="dry_run", value_status_1="open:contacted"),
            )

        batch.refresh_from_db()
        assert batch.summary() == "created=1 updated=0 skipped=0 rejected=2"
        assert "Junk Lead" in batch.row_errors.first().error

    def test_a_chosen_value_wins_over_the_json_which_keeps_the_other_values(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        values = '{"status": {"junk lead": "open:new", "Hot": "qualified"}}'

        as_manager.post(
            batch.get_absolute_url(),
            mapping_post(batch, values=values, action="save", **SELECTS),
        )

        batch.refresh_from_db()
        assert batch.options["values"] == {
            "status": {
                "Hot": "qualified",
                "Junk Lead": "disqualified:canceled",
                "Contacted": "open:contacted",
            }
        }
        # Shown again: the listed values in their selects, the others in the JSON.
        page = as_manager.get(batch.get_absolute_url()).content.decode()
        assert selected(page, "value_status_0") == "disqualified:canceled"
        textarea = re.search(r'<textarea name="values"[^>]*>(.*?)</textarea>', page, re.S)
        assert (
            textarea.group(1).strip()
            == "{&quot;status&quot;: {&quot;Hot&quot;: &quot;qualified&quot;}}"
        )

    def test_a_json_map_outside_the_choices_is_kept_in_its_select(self, as_manager):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        as_manager.post(
            batch.get_absolute_url(),
            mapping_post(batch, values='{"status": {"Junk Lead": "disqualified"}}', action="save"),
        )

        page = as_manager.get(batch.get_absolute_url()).content.decode()

        assert selected(page, "value_status_0") == "disqualified"

    def test_choice_and_source_columns_get_their_own_choices(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        content = (
            b"Last Name,Lead Source,Industry,Rating\r\n"
            b"Ames,web,Acct,Hot\r\n"
            b"Berg,Trade fair,Accounting,hot\r\n"
        )
        upload(as_manager, content=content)
        batch = ImportBatch.objects.get()
        page = as_manager.get(batch.get_absolute_url()).content.decode()
        post = {
            "col_0": "last_name",
            "col_1": "source",
            "col_2": "industry",
            "col_3": "rating",
            "dedupe": "skip",
            "date_format": "auto",
            "values": "",
            "value_source_0": "Web",
            "value_source_1": "Trade Show",
            "value_industry_0": "1",
            "value_industry_1": "1",
            "value_rating_0": "hot",
            "action": "import",
        }

        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(batch.get_absolute_url(), post)

        assert selected(page, "value_source_0") == "Web"  # names match ignoring case
        assert selected(page, "value_source_1") == ""
        assert selected(page, "value_industry_1") == "1"  # the label
        assert selected(page, "value_rating_0") == "hot"
        assert "value_rating_1" not in page  # "hot" is "Hot" again
        batch.refresh_from_db()
        assert batch.summary() == "created=2 updated=0 skipped=0 rejected=0", batch.message
        berg = Lead.objects.get(last_name="Berg")
        assert (berg.source.name, berg.industry, berg.rating) == ("Trade Show", 1, "hot")
