"""An import's consent column: a yes records the person's consent to marketing e-mail
(how: import), a no records nothing, anything else rejects the row. The privacy app keeps
the records (crm.signals.consent_given); the importer never imports it."""

import pytest

from leads.imports.mapping import match_columns
from leads.imports.tests.conftest import write_csv
from leads.models import Lead
from privacy.models import ConsentRecord

pytestmark = pytest.mark.django_db

HEADER = ["Last Name", "E-mail", "Marketing consent"]


def test_the_column_is_matched_by_its_label_and_common_names():
    for header in ("Consent (marketing e-mail)", "Marketing consent", "Email opt-in"):
        mapping = match_columns(["Last Name", header])
        assert (1, header, "consent_marketing_email") in mapping.matched


def test_a_yes_records_a_given_consent_and_a_no_nothing(tmp_path, import_leads, admin_user):
    path = write_csv(
        tmp_path / "leads.csv",
        [
            HEADER,
            ["Holm", "ida@holm.example", "Yes"],
            ["Berg", "bo@berg.example", "ja"],
            ["Dahl", "al@dahl.example", "x"],
            ["Lund", "eva@lund.example", "no"],
            ["Friis", "ole@friis.example", ""],
        ],
    )
    run = import_leads(path)
    assert run.status == 0, run.output

    consents = ConsentRecord.objects.select_related("lead").order_by("lead__last_name")
    assert [c.lead.last_name for c in consents] == ["Berg", "Dahl", "Holm"]
    consent = consents[0]
    assert (consent.purpose, consent.status, consent.how) == ("marketing_email", "given", "import")
    assert consent.recorded_by == admin_user and "leads.csv" in consent.note
    assert Lead.objects.count() == 5


def test_a_value_that_is_neither_yes_nor_no_rejects_the_row(tmp_path, import_leads):
    path = write_csv(tmp_path / "leads.csv", [HEADER, ["Holm", "ida@holm.example", "maybe"]])
    run = import_leads(path)
    assert "Enter yes or no." in run.output
    assert not Lead.objects.exists() and not ConsentRecord.objects.exists()


def test_a_dry_run_records_nothing(tmp_path, import_leads):
    path = write_csv(tmp_path / "leads.csv", [HEADER, ["Holm", "ida@holm.example", "yes"]])
    assert import_leads(path, "--dry-run").status == 0
    assert not ConsentRecord.objects.exists()


def test_an_update_records_the_consent_on_the_matched_lead(tmp_path, import_leads):
    first = write_csv(tmp_path / "first.csv", [HEADER, ["Holm", "ida@holm.example", ""]])
    assert import_leads(first).status == 0
    lead = Lead.objects.get()
    again = write_csv(
        tmp_path / "again.csv",
        [[*HEADER, "Job title"], ["Holm", "ida@holm.example", "yes", "Buyer"]],
    )
    assert import_leads(again, "--dedupe", "update").status == 0
    assert ConsentRecord.objects.get().lead == lead
