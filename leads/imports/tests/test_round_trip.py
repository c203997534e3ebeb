"""The lead list export re-imports cleanly: same field names, and the formula mark the export
adds (CSV injection) is stripped again by the importer."""

from decimal import Decimal

import pytest
from django.urls import reverse

from leads.imports.tests.conftest import Run
from leads.models import LEAD_EXPORT_FIELDS, Lead
from leads.services import disqualify_lead
from leads.tests.factories import make_lead

TRICKY = [
    {
        "topic": '=HYPERLINK("http://evil.example","click")',
        "first_name": "Zoë",
        "last_name": 'O\'Brien, "Jr."',
        "company_name": "@Acme, Inc.",
        "email": "zoe@acme.example",
        "business_phone": "+45 33 88 11 00",
        "city": "-Ærøskøbing",
        "description": 'Line 1\nLine 2, "quoted"\r\n=1+1',
        "annual_revenue": Decimal("1234567.89"),
        "number_of_employees": 250,
        "do_not_email": True,
        "industry": 3,
        "rating": "hot",
    },
    {
        "topic": "",
        "first_name": "Søren",
        "last_name": "Ålund-Østergård",
        "company_name": "Café; Bar\tand Grill",
        "email": "soren@cafe.example",
        "business_phone": "",
        "city": "København",
        "description": "",
    },
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "da"])
def test_an_export_re_imports_into_identical_leads(
    tmp_path, as_admin, admin_user, alice, import_leads, language
):
    """In either language: the Danish file has ";", decimal commas and Danish labels
    ("Åben", "Varm"), which the importer reads back."""
    for values in TRICKY:
        make_lead(owner=alice, **values)
    disqualify_lead(lead=Lead.objects.get(email="soren@cafe.example"), user=alice, status="lost")
    before = {
        lead.email: {name: _value(lead, name) for name in LEAD_EXPORT_FIELDS}
        for lead in Lead.objects.all()
    }

    files = []
    for view in ("all", "disqualified"):  # the open leads, then the closed one
        response = as_admin.get(
            reverse("leads:export"), {"view": view}, HTTP_ACCEPT_LANGUAGE=language
        )
        files.append(tmp_path / f"{view}.csv")
        files[-1].write_bytes(b"".join(response.streaming_content))
    labels = {"en": ("Open", "Hot"), "da": ("Åben", "Varm")}[language]
    assert all(label in files[0].read_text("utf-8-sig") for label in labels)
    Lead.objects.all().delete()
    runs: list[Run] = [import_leads(path) for path in files]

    assert [run.status for run in runs] == [0, 0], runs[0].output
    assert [run.summary.split(" in ")[0] for run in runs] == [
        "created=1 updated=0 skipped=0 rejected=0"
    ] * 2
    after = {
        lead.email: {name: _value(lead, name) for name in LEAD_EXPORT_FIELDS}
        for lead in Lead.objects.all()
    }
    for values in (*before.values(), *after.values()):
        values.pop("modified_at")
    assert after == before
    assert "'id' ignored" in runs[0].output


def _value(lead, name):
    if name == "owner":
        return lead.owner
    return getattr(lead, name)
