"""Lean multi-row INSERTs for batch writes (imports) of wide models.

`QuerySet.bulk_create` builds its SQL through the insert compiler, which asks every field of
every object for its value several times over (pre_save, get_db_prep_save, placeholders):
for the 60-column Lead that cost more than the database's own work (bench/import_bench.py).
Here each field's converter is chosen once per call and the values are converted column by
column: a column whose values are all stored unchanged (text, most of a lead) is passed on
as it is. SQLite: a VALUES list of up to 500 rows per statement (as many as its parameter
limit allows), with its own "?" placeholders. PostgreSQL: COPY FROM STDIN (rows formatted in
C by psycopg; new primary keys drawn from the table's sequence first), or, for a single row
or a primary key without a sequence, one array per column through UNNEST (as Django's own
bulk_create does there).

What bulk_create does and this does not: no pre_save/post_save signals (neither sends them),
no multi-table inheritance, and related objects must be saved before their instances are
passed in (their ids are read from the `<field>_id` attributes).
"""

from itertools import chain
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CharField, DateTimeField, Field, JSONField, TextField
from django.db.models.fields import AutoFieldMixin

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
    """A function giving the database value of `field` for a Python value (Django's own
    conversion), and the set of Python types whose values are stored unchanged, without
    calling it (empty: every value, None included, goes through the function)."""
    prepare = field.get_db_prep_save
    plain = _plain_type(field)
    if type(field) is DateTimeField:
        # Timestamps repeat (one per batch, or the file's dates): adapted once per call.
        # Equal aware datetimes are the same instant, so they store the same value.
        adapted = {}

        def convert_datetime(value):
            if value is None:
                return None
            try:
                return adapted[value]
            except KeyError:
                adapted[value] = result = prepare(value, database)
                return result

        return convert_datetime, {type(None)}
    kind = type(field)
    if (
        isinstance(field, JSONField)
        and kind.get_db_prep_save is JSONField.get_db_prep_save
        and kind.get_db_prep_value is JSONField.get_db_prep_value
    ):
        # JSONField.get_db_prep_save without its checks for expressions (plain values only).
        adapt, encoder = database.ops.adapt_json_value, field.encoder
        get_prep_value = field.get_prep_value
        return (lambda value: adapt(get_prep_value(value), encoder)), {type(None)}
    if plain is None:
        if not kind.__module__.startswith("django."):
            return (lambda value: prepare(value, database)), set()
        return (lambda value: prepare(value, database)), {type(None)}
    return (lambda value: prepare(value, database)), {plain, type(None)}


def _statement_size(connection, fields, rows):
    return max(1, min(MAX_ROWS_PER_STATEMENT, connection.ops.bulk_batch_size(fields, rows)))


def _database_columns(chunk, converters):
    """The chunk's values column by column, converted. A column whose values all have a
    type stored unchanged (text in a CharField, the most common case) is taken as it is:
    the type check runs in C (set(map(type, ...))), not value by value in Python."""
    columns = list(zip(*chunk, strict=True)) if chunk else []
    result = []
    for column, (convert, unchanged) in zip(columns, converters, strict=True):
        if set(map(type, column)) <= unchanged:
            result.append(column)
        else:
            result.append(
                [value if type(value) in unchanged else convert(value) for value in column]
            )
    return result


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
    # SQLite's own placeholder is "?": Django's SQLite cursor rewrites each "%s" of a query
    # with a regular expression (it leaves "?" alone), which for 30,000 placeholders cost
    # more than binding them. The statement holds no "%" (quoted names and placeholders).
    # Logged queries (DEBUG, tests counting queries) keep "%s": the log substitutes them.
    mark = "?" if connection.vendor == "sqlite" and not connection.queries_logged else "%s"
    one_row = "(" + ", ".join([mark] * len(fields)) + ")"
    suffix = ""
    if returning:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise NotImplementedError("insert_rows(returning=True) needs INSERT ... RETURNING")
        suffix = f" RETURNING {quote(opts.pk.column)}"
    insert = f"INSERT INTO {quote(opts.db_table)} ({columns}) "
    if connection.vendor == "postgresql" and len(rows) > 1 and _copies(opts, returning):
        return _copy_rows(connection, opts, fields, converters, rows, returning=returning)
    unnest = _unnest_types(connection, fields)
    size = _statement_size(connection, fields, rows)
    statements = {}
    pks = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values_of = _database_columns(chunk, converters)
            if unnest and len(chunk) > 1:
                # One array per column: a short statement, parsed once by psycopg, where a
                # VALUES list of 30,000 placeholders cost more than the insert (bench).
                cursor.execute(
                    f"{insert}SELECT * FROM UNNEST({unnest}){suffix}",
                    [list(column) for column in values_of],
                )
            else:
                if len(chunk) not in statements:
                    values = ", ".join([one_row] * len(chunk))
                    statements[len(chunk)] = f"{insert}VALUES {values}{suffix}"
                params = list(chain.from_iterable(zip(*values_of, strict=True)))
                cursor.execute(statements[len(chunk)], params)
            if returning:
                pks.extend(pk for (pk,) in cursor.fetchall())
    return pks if returning else None


def _copies(opts, returning):
    """True when the rows can go through COPY: without `returning`, or with an automatic
    primary key, whose values are then drawn from its sequence first."""
    return not returning or isinstance(opts.pk, AutoFieldMixin)


def _copy_rows(connection, opts, fields, converters, rows, *, returning):
    """PostgreSQL: COPY ... FROM STDIN, psycopg formatting the rows in C (the arrays of an
    INSERT ... UNNEST are quoted value by value in Python: half the time of an import's
    inserts). With `returning`, the primary keys are drawn from the table's sequence first,
    as the INSERT would draw them (nextval once per row), and returned in row order."""
    quote = connection.ops.quote_name
    names = [quote(field.column) for field in fields]
    pks = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(opts.db_table), opts.pk.column, len(rows)],
            )
            pks = [pk for (pk,) in cursor.fetchall()]
            names.insert(0, quote(opts.pk.column))
        statement = f"COPY {quote(opts.db_table)} ({', '.join(names)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for start in range(0, len(rows), MAX_ROWS_PER_STATEMENT * 4):
                chunk = rows[start : start + MAX_ROWS_PER_STATEMENT * 4]
                columns = _database_columns(chunk, converters)
                if returning:
                    columns.insert(0, pks[start : start + len(chunk)])
                for row in zip(*columns, strict=True):
                    copy.write_row(row)
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
    # Fields that compute their value on insert (auto_now, auto_now_add) are asked for it
    # once: every row of the batch gets the same instant (one timestamp to adapt, not one
    # per row), and each object is given it, as pre_save would.
    computing = [
        index
        for index, field in enumerate(fields)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    attnames = [field.attname for field in fields]
    for obj in objs:
        if obj.pk is not None or not obj._state.adding:
            raise ValueError("insert_objects() only stores new objects without a primary key")
    for index in computing:
        value = fields[index].pre_save(objs[0], add=True)
        for obj in objs:
            obj.__dict__[attnames[index]] = value
    # New instances hold every field's value in their __dict__ (Model.__init__ sets them all;
    # an instance without one, or with a deferred field, is read attribute by attribute).
    read = itemgetter(*attnames) if len(attnames) > 1 else lambda d: (d[attnames[0]],)
    rows = []
    for obj in objs:
        try:
            rows.append(read(obj.__dict__))
        except KeyError:
            rows.append(tuple(getattr(obj, name) for name in attnames))
    pks = insert_rows(model, attnames, rows, returning=True)
    alias = DEFAULT_DB_ALIAS
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return objs
