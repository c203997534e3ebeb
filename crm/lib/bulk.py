"""Lean multi-row INSERTs for batch writes (imports) of wide models.

`QuerySet.bulk_create` builds its SQL through the insert compiler, which asks every field of
every object for its value several times over (pre_save, get_db_prep_save, placeholders):
for the 60-column Lead that cost more than the database's own work (bench/import_bench.py).
Here each field's converter is chosen once per call, text values (most of a lead) pass
through as they are, and each statement inserts up to 500 rows: a VALUES list on SQLite (as
many rows as its parameter limit allows), one array per column through UNNEST on PostgreSQL
(as Django's own bulk_create does there).

What bulk_create does and this does not: no pre_save/post_save signals (neither sends them),
no multi-table inheritance, and related objects must be saved before their instances are
passed in (their ids are read from the `<field>_id` attributes).
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CharField, DateTimeField, Field, JSONField, TextField

MAX_ROWS_PER_STATEMENT = 500


def _passes_text_through(field):
    """True when the field stores a str (or None) unchanged: CharField / TextField and their
    subclasses (EmailField, URLField, ...) that do not convert values themselves."""
    kind = type(field)
    return (
        isinstance(field, CharField | TextField)
        and kind.get_prep_value in (CharField.get_prep_value, TextField.get_prep_value)
        and kind.get_db_prep_value is Field.get_db_prep_value
        and kind.get_db_prep_save is Field.get_db_prep_save
    )


# Internal types whose database value is the int (or bool) itself, and None for None.
_INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
}


def _plain_type(field):
    """The Python type stored unchanged by `field`, or None when values need converting."""
    if _passes_text_through(field):
        return str
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in _INTEGER_TYPES and type(target).__module__.startswith("django."):
        return bool if kind == "BooleanField" else int
    return None


def _converter(field, database):
    """A function giving the database value of `field` for a Python value: the value itself
    where Django would pass it through unchanged, else Django's own conversion."""
    prepare = field.get_db_prep_save
    plain = _plain_type(field)
    if type(field) is DateTimeField:
        # Timestamps repeat (one per batch, or the file's dates): adapted once per statement
        # batch. Equal aware datetimes are the same instant, so they store the same value.
        adapted = {}

        def convert_datetime(value):
            if value is None:
                return None
            try:
                return adapted[value]
            except KeyError:
                adapted[value] = result = prepare(value, database)
                return result

        return convert_datetime
    if plain is None:
        if isinstance(field, JSONField) or not type(field).__module__.startswith("django."):
            return lambda value: prepare(value, database)
        plain = type(None)  # Django's own fields store None as NULL

    def convert(value):
        if value is None or type(value) is plain:
            return value
        return prepare(value, database)

    return convert


def _statement_size(connection, fields, rows):
    return max(1, min(MAX_ROWS_PER_STATEMENT, connection.ops.bulk_batch_size(fields, rows)))


def insert_rows(model, field_names, rows, *, returning=False):
    """INSERT `rows` (tuples of Python values in the order of `field_names`, attribute names
    such as "lead_id" or field names such as "lead") into `model`'s table. Django's field
    defaults are not applied: name every column the table needs. Values are Python values
    (no expressions), converted as the fields would.

    With `returning`, the new primary keys in the order of `rows` (the databases that can
    return rows from a multi-row INSERT return them in insertion order, as bulk_create
    relies on too)."""
    if not rows:
        return [] if returning else None
    opts = model._meta
    fields = [opts.get_field(name) for name in field_names]
    # The connection itself, not the `django.db.connection` proxy (a thread-local lookup per
    # attribute access, which added up to seconds per 100,000 rows).
    connection = connections[DEFAULT_DB_ALIAS]
    converters = [_converter(field, connection) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = ""
    if returning:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise NotImplementedError("insert_rows(returning=True) needs INSERT ... RETURNING")
        suffix = f" RETURNING {quote(opts.pk.column)}"
    insert = f"INSERT INTO {quote(opts.db_table)} ({columns}) "
    unnest = _unnest_types(connection, fields)
    size = _statement_size(connection, fields, rows)
    pks = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            if unnest and len(chunk) > 1:
                # One array per column: a short statement, parsed once by psycopg, where a
                # VALUES list of 30,000 placeholders cost more than the insert (bench).
                columns_of = [
                    [convert(row[i]) for row in chunk] for i, convert in enumerate(converters)
                ]
                cursor.execute(f"{insert}SELECT * FROM UNNEST({unnest}){suffix}", columns_of)
            else:
                params = [
                    convert(value)
                    for row in chunk
                    for convert, value in zip(converters, row, strict=True)
                ]
                values = ", ".join([one_row] * len(chunk))
                cursor.execute(f"{insert}VALUES {values}{suffix}", params)
            if returning:
                pks.extend(pk for (pk,) in cursor.fetchall())
    return pks if returning else None


def _unnest_types(connection, fields):
    """On PostgreSQL, the UNNEST(%s::type[], ...) list that Django's own bulk_create uses for
    plain fields (types without their length, so nothing is cut); "" elsewhere."""
    if connection.vendor != "postgresql":
        return ""
    for field in fields:
        target = field.target_field if field.is_relation else field
        if target.get_internal_type() not in connection.data_types:
            return ""
    return ", ".join(f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in fields)


def insert_objects(objs):
    """Store new, unsaved instances of one model (primary key not set) and set their primary
    keys, as bulk_create does on PostgreSQL and SQLite. Returns `objs`."""
    if not objs:
        return objs
    model = type(objs[0])
    opts = model._meta
    if opts.parents:
        raise NotImplementedError("insert_objects() does not handle multi-table inheritance")
    fields = [f for f in opts.concrete_fields if f is not opts.pk and not f.generated]
    # Fields that compute their value on insert (auto_now, auto_now_add) are asked for it.
    computing = {
        index
        for index, field in enumerate(fields)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    }
    attnames = [field.attname for field in fields]
    rows = []
    for obj in objs:
        if obj.pk is not None or not obj._state.adding:
            raise ValueError("insert_objects() only stores new objects without a primary key")
        row = [getattr(obj, name) for name in attnames]
        for index in computing:
            row[index] = fields[index].pre_save(obj, add=True)
        rows.append(row)
    pks = insert_rows(model, attnames, rows, returning=True)
    alias = DEFAULT_DB_ALIAS
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return objs
