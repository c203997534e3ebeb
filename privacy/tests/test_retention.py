"""Retention rules: the dry run lists exactly the leads past a rule, the real run anonymises
exactly those (their personal data gone, the records and the reports' counts kept, a
tombstone each), a rerun does nothing, a disabled rule nothing either, and the nightly task,
the command and the admin's dry-run page all read the same selection."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Inquiry, Note
from activities.services import add_inquiry, add_note, log_activity
from crm.background import periodic_task_paths
from crm.personal_data import ERASED
from crm.tests.factories import UserFactory
from leads.models import Lead, LeadStatusChange, State, Status
from leads.services import disqualify_lead
from leads.tests.factories import make_lead
from privacy import retention
from privacy.models import Erasure, RetentionPolicy
from reports.lead_sources import CSV_COLUMNS, lead_source_report
from reports.queries import Criteria

NOW = timezone.now()
DRY_RUN = "admin:privacy_retentionpolicy_dry_run"


def _months_ago(months):
    return retention.months_before(NOW, months)


def _age(lead, months):
    """Make the lead and everything about it `months` old (the writes all happened now)."""
    then = _months_ago(months)
    Lead.objects.filter(pk=lead.pk).update(modified_at=then, created_at=then)
    LeadStatusChange.objects.filter(lead=lead).update(changed_at=then)
    for model in (Activity, Note, Inquiry):
        model.objects.regarding(lead).update(modified_at=then, created_at=then)


def _disqualified(owner, months, **fields):
    lead = make_lead(owner=owner, **fields)
    disqualify_lead(lead=lead, user=owner, status=Status.NO_LONGER_INTERESTED)
    _age(lead, months)
    return lead


@pytest.fixture
def rule(db):
    return RetentionPolicy.objects.create(
        name="Disqualified leads, 24 months",
        target=RetentionPolicy.Target.DISQUALIFIED_LEADS,
        months=24,
        is_enabled=True,
    )


@pytest.fixture
def leads(alice):
    """Past the rule (25 months), not yet (23 months), and an open lead as old."""
    old = _disqualified(alice, 25, first_name="Olga", last_name="Olsen", email="olga@old.example")
    young = _disqualified(alice, 23, first_name="Yrsa", last_name="Yde", email="yrsa@y.example")
    open_lead = make_lead(owner=alice, first_name="Otto", last_name="Open", email="o@o.example")
    _age(open_lead, 30)
    return {"old": old, "young": young, "open": open_lead}


def _ids(report):
    return [lead.pk for lead in report.leads]


def _report_cells():
    report = lead_source_report(user=None, criteria=Criteria())
    rows = {row.label: [row.cell(c) for c in CSV_COLUMNS] for row in report.rows}
    return rows, [report.totals.cell(c) for c in CSV_COLUMNS]


def test_months_are_calendar_months_ending_on_a_shorter_months_last_day():
    moment = datetime.datetime(2026, 5, 31, 12, tzinfo=datetime.UTC)
    assert retention.months_before(moment, 3) == datetime.datetime(
        2026, 2, 28, 12, tzinfo=datetime.UTC
    )
    assert retention.months_before(moment, 24).year == 2024
    assert retention.months_before(moment, 17) == datetime.datetime(
        2024, 12, 31, 12, tzinfo=datetime.UTC
    )


def test_the_dry_run_lists_exactly_the_leads_past_the_threshold(rule, leads):
    report = retention.dry_run(rule, now=NOW)

    assert _ids(report) == [leads["old"].pk]  # not 23 months old, not open
    assert report.count == 1
    assert report.leads[0].last_name == "Olsen"
    assert report.leads[0].last_activity.date() == _months_ago(25).date()
    assert Lead.objects.get(pk=leads["old"].pk).email == "olga@old.example"  # nothing changed


def test_the_real_run_anonymises_those_and_no_others_and_keeps_the_counts(rule, leads, alice):
    old = leads["old"]
    log_activity(
        regarding=old,
        user=alice,
        kind="phone_call",
        data={"subject": "Called Olga Olsen", "direction": "outgoing"},
        completed=True,
    )
    add_note(regarding=old, user=alice, text="Olga: call back at olga@old.example")
    _age(old, 25)
    # The same person's other lead, recent: retention erases the record, not the person.
    other = make_lead(owner=alice, first_name="Olga", last_name="Olsen", email="olga@old.example")
    before = _report_cells()

    erased = retention.apply_policy(rule, now=NOW)

    assert erased == [old.pk]
    old.refresh_from_db()
    assert (old.first_name, old.last_name, old.email, old.business_phone) == ("", ERASED, "", "")
    assert old.state == State.DISQUALIFIED and old.status == Status.NO_LONGER_INTERESTED
    assert not Activity.objects.regarding(old).filter(subject__icontains="Olga").exists()
    assert "olga@old.example" not in Note.objects.regarding(old).get().text
    assert not old.history.filter(email="olga@old.example").exists()
    for kept in (leads["young"], leads["open"]):
        assert Lead.objects.get(pk=kept.pk).email == kept.email
    other.refresh_from_db()
    assert other.email == "olga@old.example" and other.first_name == "Olga"
    assert other.history.filter(email="olga@old.example").exists()
    assert _report_cells() == before
    erasure = Erasure.objects.get()
    assert erasure.policy == rule and erasure.erased_by is None
    assert erasure.reason == "Retention policy: Disqualified leads, 24 months"
    assert erasure.counts["leads"] == 1 and erasure.counts["activities"] == 1
    assert erasure.matches("olga@old.example")
    rule.refresh_from_db()
    assert rule.last_applied_count == 1 and rule.last_applied_at is not None


def test_the_dry_run_and_the_real_run_agree(rule, alice):
    for months in (24, 25, 30, 23, 26, 40):
        _disqualified(alice, months, email=f"p{months}@example.com", last_name=f"P{months}")

    listed = _ids(retention.dry_run(rule, now=NOW))
    erased = retention.apply_policy(rule, now=NOW, batch_size=2)

    assert len(listed) == 4  # 25, 26, 30 and 40 months; 24 is not "more than 24"
    assert erased == listed
    assert retention.dry_run(rule, now=NOW).count == 0


def test_a_disabled_rule_does_nothing_but_its_dry_run_lists(rule, leads):
    rule.is_enabled = False
    rule.save()

    assert retention.apply_retention(now=NOW) == {}
    assert Lead.objects.get(pk=leads["old"].pk).email == "olga@old.example"
    assert _ids(retention.dry_run(rule, now=NOW)) == [leads["old"].pk]
    assert not Erasure.objects.exists()


@pytest.mark.parametrize("what", ["activity", "note", "inquiry", "planned", "status"])
def test_a_lead_with_a_recent_activity_is_kept(rule, alice, what):
    lead = make_lead(owner=alice, email="busy@example.com")
    if what in {"activity", "planned"}:
        log_activity(regarding=lead, user=alice, kind="task", data={"subject": "Follow up"})
    elif what == "note":
        add_note(regarding=lead, user=alice, text="Still interested next year")
    elif what == "inquiry":
        add_inquiry(regarding=lead, user=alice, data={"title": "A question"})
    disqualify_lead(lead=lead, user=alice, status=Status.LOST)
    _age(lead, 30)
    recent = _months_ago(2)
    if what == "status":
        LeadStatusChange.objects.filter(lead=lead).update(changed_at=recent)
    elif what == "planned":  # created long ago, due soon
        Activity.objects.regarding(lead).update(due_at=NOW + datetime.timedelta(days=3))
    else:
        model = {"activity": Activity, "note": Note, "inquiry": Inquiry}[what]
        model.objects.regarding(lead).update(modified_at=recent)

    assert retention.dry_run(rule, now=NOW).count == 0
    assert retention.apply_policy(rule, now=NOW) == []


def test_an_open_leads_rule_takes_open_leads_untouched(alice):
    rule = RetentionPolicy.objects.create(
        name="Open, 12", target=RetentionPolicy.Target.OPEN_LEADS, months=12, is_enabled=True
    )
    stale = make_lead(owner=alice, email="stale@example.com")
    _age(stale, 13)
    make_lead(owner=alice, email="fresh@example.com")

    assert retention.apply_policy(rule, now=NOW) == [stale.pk]


def test_a_rerun_is_a_no_op_even_when_the_erased_lead_is_old_again(rule, leads):
    assert retention.apply_policy(rule, now=NOW) == [leads["old"].pk]
    _age(leads["old"], 30)  # years later, untouched since its erasure

    assert retention.apply_policy(rule, now=NOW) == []
    assert retention.dry_run(rule, now=NOW).count == 0
    assert Erasure.objects.count() == 1


def test_an_interrupted_run_goes_on_where_it_stopped(rule, alice):
    ids = [
        _disqualified(alice, 30, email=f"x{n}@example.com", last_name=f"X{n}").pk for n in range(5)
    ]
    # The first two batches committed, then the worker died.
    retention.apply_policy(rule, now=NOW, only=ids[:2], batch_size=1)

    assert retention.apply_retention(now=NOW) == {rule: ids[2:]}
    assert Erasure.objects.filter(policy=rule).count() == 5


def test_a_lead_changed_after_the_dry_run_is_kept_by_the_run(rule, leads, alice):
    listed = _ids(retention.dry_run(rule, now=NOW))
    Lead.objects.filter(pk=leads["old"].pk).update(modified_at=timezone.now())

    assert retention.apply_policy(rule, now=NOW, only=listed) == []


def test_the_periodic_task_runs_the_enabled_rules(rule, leads):
    from privacy.tasks import apply_retention

    assert apply_retention.module_path in periodic_task_paths()
    assert apply_retention.call() == {rule.name: 1}
    assert Lead.objects.get(pk=leads["old"].pk).last_name == ERASED


def test_the_command_lists_then_asks_then_anonymises_exactly_those(rule, leads, monkeypatch):
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    printed = out.getvalue()
    assert f"{leads['old'].pk}\tOlga Olsen\t{_months_ago(25):%Y-%m-%d}" in printed
    assert "Yrsa" not in printed and "Otto" not in printed
    assert "1 leads would be anonymised" in printed

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing anonymised"):
        call_command("apply_retention", stdout=StringIO())
    assert not Erasure.objects.exists()

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Disqualified leads, 24 months: 1 leads anonymised." in out.getvalue()
    assert list(Erasure.objects.values_list("policy", flat=True)) == [rule.pk]
    assert call_command("apply_retention", "--yes", stdout=StringIO()) is None
    assert Erasure.objects.count() == 1


def test_the_command_refuses_a_real_run_of_a_disabled_rule(rule, leads):
    rule.is_enabled = False
    rule.save()
    out = StringIO()
    call_command("apply_retention", "--dry-run", "--rule", rule.name, stdout=out)
    assert "Olga Olsen" in out.getvalue()
    with pytest.raises(CommandError, match="not enabled"):
        call_command("apply_retention", "--yes", "--rule", str(rule.pk), stdout=StringIO())
    with pytest.raises(CommandError, match="No retention rule"):
        call_command("apply_retention", "--dry-run", "--rule", "nope", stdout=StringIO())


# The admin ----------------------------------------------------------------------------------


def test_the_admin_dry_run_page_lists_the_leads_for_an_administrator(as_admin, rule, leads):
    response = as_admin.get(reverse(DRY_RUN, args=[rule.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Olga Olsen" in page and reverse("leads:detail", args=[leads["old"].pk]) in page
    assert "Yrsa" not in page and "Otto" not in page
    assert "1 lead would be anonymised" in page
    assert Lead.objects.get(pk=leads["old"].pk).email == "olga@old.example"


def test_the_admin_dry_run_page_takes_no_post(as_admin, rule):
    assert as_admin.post(reverse(DRY_RUN, args=[rule.pk])).status_code == 405


def test_the_admin_dry_run_page_is_refused_to_others(client, rule, leads, manager):
    client.force_login(manager)  # not staff: the admin's login page
    response = client.get(reverse(DRY_RUN, args=[rule.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]

    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(
            codename="view_retentionpolicy",
            content_type=ContentType.objects.get_for_model(RetentionPolicy),
        )
    )
    client.force_login(staff)  # may read the rules, not run their dry run
    assert client.get(reverse(DRY_RUN, args=[rule.pk])).status_code == 403


def test_the_admin_action_shows_the_dry_run_of_the_selected_rules(as_admin, rule, leads):
    other = RetentionPolicy.objects.create(
        name="Open leads, 12 months", target="open_leads", months=12
    )
    response = as_admin.post(
        reverse("admin:privacy_retentionpolicy_changelist"),
        {"action": "dry_run", "_selected_action": [rule.pk, other.pk]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Olga Olsen" in page and "Otto Open" in page
    assert "The rule is not enabled" in page


def test_an_administrator_creates_a_rule_disabled_with_a_dry_run_link(as_admin, admin_user):
    response = as_admin.post(
        reverse("admin:privacy_retentionpolicy_add"),
        {"name": "Old disqualified", "target": "disqualified_leads", "months": "24",
         "action": "anonymise"},
    )  # fmt: skip

    assert response.status_code == 302
    rule = RetentionPolicy.objects.get()
    assert not rule.is_enabled and rule.modified_by == admin_user
    page = as_admin.get(reverse("admin:privacy_retentionpolicy_change", args=[rule.pk]))
    assert reverse(DRY_RUN, args=[rule.pk]) in page.content.decode()


def test_a_rule_needs_at_least_one_month(as_admin):
    response = as_admin.post(
        reverse("admin:privacy_retentionpolicy_add"),
        {"name": "Now", "target": "disqualified_leads", "months": "0", "action": "anonymise"},
    )
    assert response.status_code == 200
    assert not RetentionPolicy.objects.exists()


@pytest.mark.postgres
def test_the_selection_can_read_the_retention_index(rule, leads):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = retention.candidates(rule, now=NOW).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "leads_lead_retention_idx" in plan


def test_the_dry_run_page_reads_a_fixed_number_of_queries(
    as_admin, rule, alice, django_assert_num_queries
):
    for n in range(3):
        _disqualified(alice, 30, email=f"q{n}@example.com", last_name=f"Q{n}")
    url = reverse(DRY_RUN, args=[rule.pk])
    as_admin.get(url)  # the content type of leads is cached from here on

    # The session, the user, the rule, its leads' count, the leads (their last activity in
    # the same query); the admin's menu asks whether the two singleton settings exist.
    with django_assert_num_queries(7):
        response = as_admin.get(url)
    assert response.content.decode().count("/leads/") >= 3
