"""leads.bulk relies on Django's and django-simple-history's internals: these tests fail
loudly when an upgrade changes one of them (then adapt leads/bulk.py, or drop the shortcut)."""

from django.db import connection, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from leads import bulk
from leads.models import Lead, LeadSource, LeadStatusChange, State, Status
from leads.services import create_leads
from leads.tests.factories import lead_data


def lead_attributes(lead):
    """What a new lead holds, without the per-call timestamp default and the state object."""
    return {k: v for k, v in vars(lead).items() if k not in ("_state", "created_at")}


def test_the_lead_builder_builds_what_the_lead_model_builds(db):
    source = LeadSource.objects.get(name="Web")
    values = {
        "first_name": "Anna",
        "last_name": "Hansen",
        "email": "anna@fabrikam.example",
        "state": State.OPEN,
        "status": Status.CONTACTED,
        "created_at": timezone.now(),
        "source": source,
        "existing_account_id": None,
    }
    builder = bulk.LeadBuilder()
    assert builder.fast  # no pre_init / post_init receivers for Lead

    fast = builder.build(dict(values))
    builder.fast = False
    positional = builder.build(dict(values))
    by_keywords = Lead(**values)

    assert lead_attributes(fast) == lead_attributes(by_keywords)
    assert lead_attributes(positional) == lead_attributes(by_keywords)
    assert fast.created_at == values["created_at"]
    assert fast.source == source and fast._state.adding
    assert fast._state.db == positional._state.db == by_keywords._state.db
    assert builder.build({"last_name": "x"}).created_at is not None  # the default


def test_model_init_does_what_the_lead_builder_copies():
    """LeadBuilder's fast path: Model.__init__ stores each concrete field's attname in the
    instance's __dict__ (through plain DeferredAttribute descriptors) and a fresh ModelState,
    and nothing else; the pre_init / post_init signals can be asked for listeners."""
    lead = Lead()
    assert set(vars(lead)) == {f.attname for f in Lead._meta.concrete_fields} | {"_state"}
    assert vars(lead._state) == vars(ModelState())
    assert lead._state.adding and lead._state.db is None
    for model_field in Lead._meta.concrete_fields:
        descriptor = Lead.__dict__[model_field.attname]
        expected = ForeignKeyDeferredAttribute if model_field.is_relation else DeferredAttribute
        assert type(descriptor) is expected, model_field.name
    # A non-data descriptor: a plain field's value lives in the instance's __dict__.
    assert not hasattr(DeferredAttribute, "__set__")
    assert not signals.pre_init.has_listeners(Lead)
    assert not signals.post_init.has_listeners(Lead)
    # The positional path: Model(*args) takes the concrete fields in this order.
    args = [f.get_default() for f in Lead._meta.concrete_fields]
    assert Lead(*args).status == Lead().status


def test_the_history_table_holds_the_lead_columns_and_the_history_ones():
    """copy_history_and_log copies every non-history_ column of the history table from the
    lead table and fills history_date, history_change_reason, history_type, history_user."""
    history = Lead.history.model
    copied = {f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")}
    assert copied == {f.column for f in Lead._meta.concrete_fields}
    own = {f.column for f in history._meta.concrete_fields if f.name.startswith("history_")}
    assert own == {
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user_id",
    }
    assert isinstance(history._meta.get_field("history_id"), models.AutoField)
    log_columns = {f.column for f in LeadStatusChange._meta.concrete_fields}
    assert log_columns == {
        "id",
        "lead_id",
        "from_state",
        "from_status",
        "to_state",
        "to_status",
        "changed_by_id",
        "changed_at",
        "left_at",  # left empty by the copy: a first entry's stay is still running
        "reason",
        "owner_user_id",  # the lead's owner, copied with it
        "owner_team_id",
    }


def test_a_bulk_insert_writes_the_history_and_log_rows_simple_history_would(alice):
    leads = [Lead(**lead_data(last_name=f"Bulk {n}")) for n in range(3)]
    (one,) = create_leads(leads=[Lead(**lead_data(last_name="One"))], created_by=alice)
    created = create_leads(leads=leads, created_by=alice, change_reason="Import #1")

    def history_of(lead):
        (row,) = lead.history.all()
        return row

    single = history_of(one)
    for lead in created:
        row = history_of(lead)
        assert (row.history_type, row.history_user_id) == (single.history_type, alice.pk)
        assert row.history_change_reason == "Import #1"
        assert row.last_name == lead.last_name and row.email_key == lead.email_key
        (entry,) = LeadStatusChange.objects.filter(lead=lead)
        assert (entry.to_state, entry.to_status, entry.reason) == (
            lead.state,
            lead.status,
            "Import #1",
        )
        assert entry.changed_at == lead.created_at


def test_the_statistics_are_kept_on_postgresql_only(db):
    statistics = bulk.LeadStatistics(created=0)
    assert statistics.enabled == (connection.vendor == "postgresql")
    statistics.chunk_written(0)  # nothing to analyse yet; on PostgreSQL reads pg_class


def test_the_batch_keys_are_the_keys_of_each_lead_alone():
    """create_leads normalises a batch's names, companies and phones once each: the keys are
    those Lead.refresh_keys gives (every key field compared)."""
    values = [
        {"first_name": "Søren", "last_name": "Ålund-Østergård", "company_name": "ACME, Inc"},
        {"first_name": "Søren", "last_name": "Ålund-Østergård", "company_name": "Acme Inc."},
        {"last_name": "O'Brien", "company_name": "The Widget Co", "mobile_phone": "33 88 11 00"},
        {"email": " Anna@Example.COM ", "business_phone": "+45 33 88 11 00", "mobile_phone": "1"},
        {"email": "no address", "business_phone": "not a number", "company_name": ""},
        {},
    ]
    batch = [Lead(**v) for v in values]
    alone = [Lead(**v) for v in values]

    bulk.refresh_keys(batch)
    for lead in alone:
        lead.refresh_keys()

    for mine, theirs in zip(batch, alone, strict=True):
        assert {k: getattr(mine, k) for k in Lead.KEY_FIELDS} == {
            k: getattr(theirs, k) for k in Lead.KEY_FIELDS
        }
    assert batch[0].company_key == batch[1].company_key == "acme"


def test_the_keys_are_cut_to_their_fields_lengths():
    long = "x" * 300
    keys = Lead.keys_for({"email": f"{long}@example.com", "last_name": long, "company_name": long})
    for name, key in keys.items():
        if name != "search_text":  # a TextField: the whole text is searched
            assert len(key) <= Lead._meta.get_field(name).max_length
    assert len(keys["company_key"]) == Lead._meta.get_field("company_key").max_length
    assert Lead.keys_for({}, keys=("email_key",)) == {"email_key": ""}
