"""The fast insert path of leads: building many Lead instances, their keys, their history
and first status-log rows, and the planner's statistics during an import.

`leads.services.create_leads` (the one creation path) uses these for batches; the importer
builds its leads with LeadBuilder. They rely on Django's and django-simple-history's
internals (listed in leads/tests/test_bulk.py, which fails when an upgrade changes them)."""

from django.db import connection
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead, LeadStatusChange


def copy_history_and_log(pks, *, user, change_reason):
    """The "+" history rows and first status-log entries of freshly inserted leads, copied
    from the stored rows by the database (INSERT ... SELECT, one statement per 500 leads on
    SQLite, one per table on PostgreSQL).

    The same rows as simple_history's bulk_create_with_history and a bulk_create of
    LeadStatusChange, without building two more model instances per lead."""
    history = Lead.history.model
    quote = connection.ops.quote_name
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    history_columns = ", ".join(quote(c) for c in copied)
    insert_history = (
        f"INSERT INTO {quote(history._meta.db_table)} ({history_columns}, history_date, "
        f"history_change_reason, history_type, history_user_id) "
        f"SELECT {history_columns}, %s, %s, '+', %s FROM {quote(Lead._meta.db_table)} "
    )
    insert_log = (
        f"INSERT INTO {quote(LeadStatusChange._meta.db_table)} (lead_id, from_state, "
        f"from_status, to_state, to_status, changed_by_id, changed_at, reason, "
        f"owner_user_id, owner_team_id) "
        f"SELECT id, '', '', state, status, %s, created_at, %s, owner_user_id, owner_team_id "
        f"FROM {quote(Lead._meta.db_table)} "
    )
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    # PostgreSQL takes every id as one array (one statement per table, however many leads);
    # SQLite a list of placeholders (at most 500: it limits the parameters of a statement).
    size = len(pks) if connection.vendor == "postgresql" else 500
    with connection.cursor() as cursor:
        for start in range(0, len(pks), size):
            chunk = pks[start : start + size]
            if connection.vendor == "postgresql":
                where, ids = "WHERE id = ANY(%s)", [chunk]
            else:
                where, ids = f"WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
            cursor.execute(insert_history + where, [now, change_reason or None, user_id, *ids])
            cursor.execute(insert_log + where, [user_id, change_reason or _("Created"), *ids])


def refresh_keys(leads):
    """`Lead.refresh_keys()` for a batch of new leads (the same keys, Lead.keys_for), each
    distinct name and company normalised once: files repeat companies."""
    cache = {}
    for lead in leads:
        lead.__dict__.update(Lead.keys_for(lead.__dict__, cache=cache))


def callable_default(field):
    return field.has_default() and callable(field.default)


class LeadBuilder:
    """`Lead(**values)` for many rows. Model.__init__ with keywords asks every one of the 60
    fields for its default on every call; here the constant defaults are read once and each
    lead is built from them.

    Fast path: the instance's attributes are copied from a template (what Model.__init__
    would set them to one by one), then the row's values are stored; related objects
    ("source", "campaign") and names that are not plain fields go through their descriptors,
    as with keywords. It is used only when Model.__init__ would do nothing else: no
    receivers of pre_init / post_init for Lead, and every field stored by a descriptor
    without side effects on a new instance. Otherwise leads are built positionally, as
    Django builds the rows it reads from the database."""

    def __init__(self):
        fields = Lead._meta.concrete_fields
        self.index = {field.attname: i for i, field in enumerate(fields)}
        self.computed = [(i, f) for i, f in enumerate(fields) if callable_default(f)]
        self.constant = [None if callable_default(f) else f.get_default() for f in fields]
        self.fast = self.fast_path_possible()
        if self.fast:
            self.template = {
                f.attname: value for f, value in zip(fields, self.constant, strict=True)
            }
            self.computed_names = [(f.attname, f) for _i, f in self.computed]

    @staticmethod
    def fast_path_possible():
        if signals.pre_init.has_listeners(Lead) or signals.post_init.has_listeners(Lead):
            return False
        for model_field in Lead._meta.concrete_fields:
            descriptor = Lead.__dict__.get(model_field.attname)
            # DeferredAttribute stores into __dict__; ForeignKeyDeferredAttribute also drops
            # a cached related object, which a new instance does not have.
            if type(descriptor) not in (DeferredAttribute, ForeignKeyDeferredAttribute):
                return False
        return True

    def build(self, values):
        if not self.fast:
            return self._build_positionally(values)
        lead = Lead.__new__(Lead)
        lead._state = ModelState()
        attributes = lead.__dict__
        attributes.update(self.template)
        for name, model_field in self.computed_names:
            if name not in values:  # as Model.__init__: no default for a value given
                attributes[name] = model_field.get_default()
        for name, value in values.items():
            if name in self.template:
                attributes[name] = value
            else:
                setattr(lead, name, value)
        return lead

    def _build_positionally(self, values):
        args = self.constant.copy()
        for i, model_field in self.computed:
            args[i] = model_field.get_default()
        related = []
        for name, value in values.items():
            i = self.index.get(name)
            if i is None:
                related.append((name, value))
            else:
                args[i] = value
        lead = Lead(*args)
        for name, value in related:
            setattr(lead, name, value)
        return lead


class LeadStatistics:
    """PostgreSQL: keeps the planner's statistics of the lead table and the status log fresh
    while an import grows them, as PostgreSQL's manual advises for bulk loads.

    The dedupe lookups of each chunk (e-mail keys, name + company keys) and the lead list's
    "leads of this import" filter are index lookups only while the planner knows how large
    the tables are. ANALYZE (which reads a fixed sample) runs after a committed chunk
    whenever this import has added ANALYZE_AFTER leads and a fifth of what the table held
    when last analysed: a handful of times per import. Why: bench/results/import-notes.md."""

    ANALYZE_AFTER = 20_000

    def __init__(self, *, created):
        self.enabled = connection.vendor == "postgresql"
        self.created_at_last = created
        self.table_rows = None

    def chunk_written(self, created):
        if not self.enabled:
            return
        if self.table_rows is None:
            self.table_rows = self._estimated_rows()
        added = created - self.created_at_last
        if added >= max(self.ANALYZE_AFTER, self.table_rows // 5):
            tables = (Lead._meta.db_table, LeadStatusChange._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")
            self.created_at_last = created
            self.table_rows = self._estimated_rows()

    @staticmethod
    def _estimated_rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(Lead._meta.db_table)],
            )
            return cursor.fetchone()[0]
