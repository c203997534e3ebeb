"""Fill a migrated database with a realistic CRM of N leads, fast, in bulk SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_big \\
        .venv/bin/python bench/generate.py --leads 1000000

What it makes: 20 teams of one manager and nine reps (200 users, in the project's groups and
Membership roles), an administrator, twelve campaigns; leads over the last two years with
accented names (Søren, Åse, Zoë), companies with legal suffixes (ApS, A/S, GmbH, AB), e-mails
and phones; 40 % open, 25 % qualified, 35 % disqualified; the status log of real transitions
(created, contacted, then qualified or disqualified), the "+" history rows, a completed call
or e-mail for 44 % of the leads (the lead's first contact), and for every qualified lead an
account, a contact, an opportunity and the Qualification linking them. One rep, `bigrep`,
owns up to 100,000 open leads (a fifth of the leads at most); `bigmanager` manages the team.

Every column gets a value the app would have stored: the model's choices, the duplicate keys
of Lead.keys_for (computed in Python once per distinct name and company, joined in SQL), the
report facts (first_contact_at, qualified_at, reached_contacted) matching the activities,
qualifications and status log.
A column this file does not know gets its field's default, or NULL when it may be null; a
new NOT NULL column without a default stops the generator (so the data is never invalid).

Rows come from INSERT ... SELECT over generate_series (PostgreSQL) or a recursive CTE
(SQLite), a handful of statements per table; ANALYZE at the end.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass"  # every generated user's
TEAMS, REPS_PER_TEAM = 20, 9
# Records shared with a user or a team (issue 21's plan test reads 100,000 of them).
SHARES = 100_000
SHARED_WITH_BIG_REP = 50
BIG_REP_OPEN = 100_000

FIRST_NAMES = (  # noqa: SIM905 (a word list reads better than quoted strings)
    "Søren Åse Zoë Anna Mads Jörg Élodie Ingrid Björn Chloé Lars Mette Jürgen Åsa Niels"
    " Sofie Frederik Ida Mikkel Kirsten Øystein Maja Emil Ragnhild Peter Line Henrik Siv"
    " Oscar Hanne François Agnès Malene Thomas Lærke René Sara Ulrik Gösta Maria"
).split()
LAST_NAMES = (  # noqa: SIM905 (a word list reads better than quoted strings)
    "Hansen Jensen Nielsen Pedersen Andersen Christensen Larsen Sørensen Rasmussen"
    " Jørgensen Petersen Madsen Kristensen Olsen Thomsen Østergård Müller Schröder Lindqvist"
    " Åberg Dupont Lefèvre Bergström Nyström Kjær Holm Dahl Lund Bruun Møller Skov Fischer"
    " Novák Ødegård Vestergaard Brønnum Krüger Ekström Håkansson Mortensen Bæk"
).split()
COMPANY_WORDS = (  # noqa: SIM905 (a word list reads better than quoted strings)
    "Nordisk Hansen Baltic Fjord Vestjysk Polar Aurora Kobber Skandia Lindholm Birk Havn"
    " Nordlys Granit Sølv Østjysk Bergen Malmö Göta Rhein Alpen Donau Kystens Solvang Eik"
    " Krone Tårn Fyrtårn Vinge Bølge"
).split()
COMPANY_TRADES = (  # noqa: SIM905 (a word list reads better than quoted strings)
    "Træ Logistik Energi Data Byg Consult Maskin Foods Teknik Design Medical Shipping"
    " Finans Software Print Møbler Transport Agro"
).split()
LEGAL_FORMS = ("ApS", "A/S", "GmbH", "AB", "AS", "Oy", "Ltd", "& Søn", "I/S", "SE")
CITIES = (
    ("Aarhus", "Denmark"), ("København", "Denmark"), ("Odense", "Denmark"), ("Aalborg", "Denmark"),
    ("Malmö", "Sweden"), ("Göteborg", "Sweden"), ("Oslo", "Norway"), ("Bergen", "Norway"),
    ("Hamburg", "Germany"), ("München", "Germany"), ("Helsinki", "Finland"),
    ("Zürich", "Switzerland"),
)  # fmt: skip
JOB_TITLES = ("", "CEO", "Indkøbschef", "IT-chef", "Head of Operations", "CFO", "Einkäufer")
# status reason by g % 20: 40 % open, 25 % qualified, 35 % disqualified.
STATUS_BY_BUCKET = (
    ["new"] * 4 + ["contacted"] * 4 + ["qualified"] * 5
    + ["lost"] * 3 + ["cannot_contact"] * 2 + ["no_longer_interested", "canceled"]
)  # fmt: skip


class Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, connection, start):
        self.pg = connection.vendor == "postgresql"
        self.start = int(start.timestamp())

    def series(self, n):
        """(WITH clause, FROM clause) of the rows g = 1..n."""
        if self.pg:
            return "", f"generate_series(1::bigint, {int(n)}) AS s(g)"
        return (
            f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {int(n)}) ",
            "s",
        )

    def ts(self, seconds):
        """The timestamp `seconds` (an integer SQL expression) after the start."""
        if self.pg:
            return f"(TIMESTAMPTZ 'epoch' + ({self.start} + ({seconds})) * INTERVAL '1 second')"
        return f"datetime({self.start} + ({seconds}), 'unixepoch')"

    def date(self, seconds):
        if self.pg:
            return f"({self.ts(seconds)})::date"
        return f"date({self.start} + ({seconds}), 'unixepoch')"

    @property
    def empty_json(self):
        return "'{}'::jsonb" if self.pg else "'{}'"


def _literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def insert_sql(model, values, select_tail, *, sql, with_clause=""):
    """INSERT INTO model's table SELECT ...: `values` ({column: SQL}) and, for every other
    column, its field's constant default or NULL; a NOT NULL column without either is an
    error (a value the app would refuse must never be generated)."""
    from django.db import connection

    columns = dict(values)
    for field in model._meta.concrete_fields:
        if field.column in columns or field.primary_key or field.generated:
            continue
        if field.has_default() and not callable(field.default):
            columns[field.column] = _literal(field.get_db_prep_save(field.default, connection))
        elif field.has_default() and field.default is dict:
            columns[field.column] = sql.empty_json
        elif field.null:
            columns[field.column] = "NULL"
        elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
            columns[field.column] = "''"
        else:
            raise RuntimeError(
                f"bench/generate.py gives no value to {model.__name__}.{field.name}"
            )
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in columns)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) {with_clause}"
        f"SELECT {', '.join(columns.values())} {select_tail}"
    )


class Timeline:
    """The seconds (after the start) of each lead's events, as SQL over its number g, so every
    table's rows agree with the lead's stored facts."""

    def __init__(self, n_leads, span, *, big_every):
        self.n, self.span, self.big_every = int(n_leads), int(span), big_every

    def created(self, g):
        return f"(({g}) * {self.span} / {self.n})"

    def _clamped(self, seconds):
        return f"(CASE WHEN {seconds} > {self.span} THEN {self.span} ELSE {seconds} END)"

    def contacted(self, g):
        return self._clamped(f"({self.created(g)} + 3600 * (1 + ({g}) % 71))")

    def closed(self, g):
        return self._clamped(f"({self.contacted(g)} + 3600 * (2 + (({g}) * 3) % 239))")

    @staticmethod
    def status(g):
        branches = " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(STATUS_BY_BUCKET))
        return f"(CASE ({g}) % 20 {branches} END)"

    @staticmethod
    def state(g):
        return (
            f"(CASE WHEN ({g}) % 20 < 8 THEN 'open' WHEN ({g}) % 20 < 13 THEN 'qualified'"
            " ELSE 'disqualified' END)"
        )

    @staticmethod
    def was_contacted(g):
        """Status past New (a cannot-contact lead was never reached)."""
        return f"(({g}) % 20 >= 4 AND ({g}) % 20 NOT IN (16, 17))"

    def has_activity(self, g):
        """44 % of the leads: 63 % of those contacted."""
        return f"({self.was_contacted(g)} AND ((({g}) / 20) * 37) % 100 < 63)"

    def is_big(self, g):
        return f"(({g}) % 20 < 8 AND (({g}) / 20) % {self.big_every} = 0)"

    @staticmethod
    def in_team_queue(g):
        return f"((({g}) / 20) % 10 = 3)"


def _lookup_tables(cursor, *, sql, users, teams):
    """Small tables of people, companies and owners with their keys made by the app's own
    normalisers (Lead.keys_for): the big INSERTs join them by number."""
    from crm.lib import duplicates, search
    from leads.models import Lead

    people, companies = [], []
    for first in FIRST_NAMES:
        for last in LAST_NAMES:
            keys = Lead.keys_for({"first_name": first, "last_name": last}, keys=["name_key"])
            local = duplicates.normalise_name(f"{first} {last}").replace(" ", ".")
            people.append(
                (len(people), first, last, local, keys["name_key"],
                 f"{search.fold(first)} {search.fold(last)}")
            )  # fmt: skip
    for word in COMPANY_WORDS:
        for trade in COMPANY_TRADES:
            form = LEGAL_FORMS[len(companies) % len(LEGAL_FORMS)]
            city, country = CITIES[len(companies) % len(CITIES)]
            name = f"{word} {trade} {form}"
            key = duplicates.company_key(name)
            domain = f"{key.replace(' ', '-')}.example"
            companies.append(
                (len(companies), name, key, key.partition(" ")[0][:60],
                 duplicates.sound_key(key)[:160], domain, city, country, search.fold(name))
            )  # fmt: skip
    owners = [(i, user_id, team_id) for i, (user_id, team_id) in enumerate(users)]
    cursor.execute(
        "CREATE TEMP TABLE bench_person (i integer PRIMARY KEY, first_name text,"
        " last_name text, local text, name_key text, search text)"
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_company (i integer PRIMARY KEY, name text, key text,"
        " token text, sound text, domain text, city text, country text, search text)"
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_owner (i integer PRIMARY KEY, user_id int, team_id int)"
    )
    cursor.execute("CREATE TEMP TABLE bench_team (i integer PRIMARY KEY, team_id int)")
    cursor.executemany("INSERT INTO bench_person VALUES (%s, %s, %s, %s, %s, %s)", people)
    cursor.executemany(
        "INSERT INTO bench_company VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", companies
    )
    cursor.executemany("INSERT INTO bench_owner VALUES (%s, %s, %s)", owners)
    cursor.executemany("INSERT INTO bench_team VALUES (%s, %s)", list(enumerate(teams)))
    return len(people), len(companies), len(owners)


def _organisation():
    """20 teams of a manager and nine reps, an administrator, the campaigns."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from crm.models import (
        ADMINISTRATOR_GROUP,
        SALES_MANAGER_GROUP,
        SALESPERSON_GROUP,
        Membership,
        Team,
        User,
    )
    from leads.models import Campaign

    password = make_password(PASSWORD)
    groups = {g.name: g for g in Group.objects.all()}
    teams = Team.objects.bulk_create([Team(name=f"Team {t + 1:02}") for t in range(TEAMS)])
    users = []
    for t, team in enumerate(teams):
        first = FIRST_NAMES[t % len(FIRST_NAMES)]
        name = "bigmanager" if t == 0 else f"manager{t + 1:02}"
        manager = User(username=name, first_name=first, last_name="Leder", password=password,
                       email=f"{name}@example.com")  # fmt: skip
        users.append((manager, team, "manager", SALES_MANAGER_GROUP))
        for r in range(REPS_PER_TEAM):
            name = "bigrep" if (t, r) == (0, 0) else f"rep{t + 1:02}-{r + 1}"
            person = FIRST_NAMES[(t * 9 + r) % len(FIRST_NAMES)], LAST_NAMES[(t + r) % 40]
            users.append((User(username=name, first_name=person[0], last_name=person[1],
                               password=password, email=f"{name}@example.com"), team, "member",
                          SALESPERSON_GROUP))  # fmt: skip
    admin = User(username="benchadmin", first_name="Ada", last_name="Admin", password=password,
                 is_staff=True, is_superuser=True, email="benchadmin@example.com")  # fmt: skip
    User.objects.bulk_create([user for user, *_rest in users] + [admin])
    Membership.objects.bulk_create(
        [Membership(team=team, user=user, role=role) for user, team, role, _g in users]
    )
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=user.pk, group_id=groups[group].pk) for user, _t, _r, group in users]
        + [through(user_id=admin.pk, group_id=groups[ADMINISTRATOR_GROUP].pk)]
    )
    today = datetime.now(UTC).date()
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            name=f"{season} {year}",
            code=f"C{year}{i}",
            is_active=year == today.year,
            start_date=datetime(year, 1 + 3 * i, 1).date(),
            end_date=datetime(year, 3 + 3 * i, 28).date(),
        )  # fmt: skip
        for year in (today.year - 2, today.year - 1, today.year)
        for i, season in enumerate(
            ("Winter fair", "Spring mailing", "Summer webinar", "Autumn expo")
        )
    )
    reps = [(u.pk, t.pk) for u, t, role, _g in users if role == "member"]
    return {
        "teams": teams,
        "reps": reps,
        "campaigns": [c.pk for c in campaigns],
        "admin": admin,
        "users": len(users) + 1,
    }


def _case(expression, ids):
    return (
        f"(CASE ({expression}) % {len(ids)} "
        + " ".join(f"WHEN {i} THEN {pk}" for i, pk in enumerate(ids))
        + " END)"
    )


def _lead_values(sql, tl, org, *, sources, base):
    g = "g"
    created, status = tl.created(g), tl.status(g)
    big_id = org["reps"][0][0]
    phone = f"(20000000 + ({g} * 7919) % 70000000)"
    email = f"p.local || '.' || {g} || '@' || c.domain"
    email_or_blank = f"CASE WHEN {g} % 10 = 9 THEN '' ELSE {email} END"
    owner_user = (
        f"CASE WHEN {tl.is_big(g)} THEN {big_id} WHEN {tl.in_team_queue(g)} THEN NULL"
        " ELSE o.user_id END"
    )
    last_event = (
        f"CASE WHEN {g} % 20 >= 8 THEN {tl.closed(g)} WHEN {g} % 20 >= 4 THEN {tl.contacted(g)}"
        f" ELSE {created} END"
    )
    return {
        "id": f"{base} + {g}",
        "topic": f"CASE WHEN {g} % 5 < 2 THEN 'Enquiry from ' || c.name ELSE '' END",
        "first_name": "p.first_name",
        "last_name": "p.last_name",
        "job_title": _case(f"{g} * 3", [_literal(t) for t in JOB_TITLES]),
        "company_name": "c.name",
        "website": f"CASE WHEN {g} % 2 = 0 THEN 'https://www.' || c.domain ELSE '' END",
        "industry": f"CASE WHEN {g} % 4 = 0 THEN NULL ELSE 1 + ({g} * 11) % 33 END",
        "number_of_employees": f"CASE WHEN {g} % 3 = 0 THEN NULL ELSE 1 + ({g} * 13) % 5000 END",
        "email": email_or_blank,
        "email_key": f"CASE WHEN {g} % 10 = 9 THEN '' ELSE {email} END",
        "business_phone": f"'+45 ' || {phone}",
        "phone_key": f"'+45' || {phone}",
        "preferred_contact_method": f"1 + {g} % 3",  # Any, E-mail, Phone
        "do_not_bulk_email": f"({g} % 9 = 0)",
        "city": "c.city",
        "country": "c.country",
        "source_id": f"CASE WHEN {g} % 10 = 0 THEN NULL ELSE {_case(f'{g} * 7', sources)} END",
        "campaign_id": f"CASE WHEN ({g} * 3) % 5 = 0 THEN {_case(f'{g} / 5', org['campaigns'])}"
        " END",
        "rating": _case(f"{g} / 3", ["'hot'", "'warm'", "'cold'", "''"]),
        "estimated_value": f"CASE WHEN {g} % 10 < 3 THEN 500 + ({g} * 37) % 40000 END",
        "next_follow_up": f"CASE WHEN {g} % 20 < 8 AND {g} % 3 = 0"
        f" THEN {sql.date(f'{created} + 86400 * (3 + {g} % 40)')} END",
        "state": tl.state(g),
        "status": status,
        "first_contact_at": f"CASE WHEN {tl.has_activity(g)} THEN {sql.ts(tl.contacted(g))} END",
        "qualified_at": f"CASE WHEN {status} = 'qualified' THEN {sql.ts(tl.closed(g))} END",
        "reached_contacted": tl.was_contacted(g),  # its status log's entry to Contacted
        # Its qualification's opportunity (below: 25 % of them won, o = g / 20 % 20 in 12..16).
        "reached_opportunity": f"({status} = 'qualified')",
        "reached_won": f"({status} = 'qualified' AND ({g}) / 20 % 20 BETWEEN 12 AND 16)",
        "name_key": "p.name_key",
        # Lead.search_text (crm.lib.search.search_text): names, company, e-mail, topic folded,
        # then the business and the (blank) mobile phone as digits.
        "search_text": f"p.search || ' ' || c.search || ' ' || ({email_or_blank})"
        f" || ' ' || CASE WHEN {g} % 5 < 2 THEN 'enquiry from ' || c.search ELSE '' END"
        f" || ' 45' || {phone} || ' '",
        "company_key": "c.key",
        "owner_user_id": owner_user,
        "owner_team_id": f"CASE WHEN NOT {tl.is_big(g)} AND {tl.in_team_queue(g)}"
        " THEN o.team_id END",
        "created_by_id": f"CASE WHEN {tl.is_big(g)} THEN {big_id} ELSE o.user_id END",
        "modified_by_id": f"CASE WHEN {tl.is_big(g)} THEN {big_id} ELSE o.user_id END",
        "created_at": sql.ts(created),
        "modified_at": sql.ts(last_event),
        "version": f"CASE WHEN {g} % 20 >= 8 THEN 3 WHEN {g} % 20 >= 4 THEN 2 ELSE 1 END",
    }


def _joins(g, sizes):
    n_people, n_companies, n_owners = sizes
    return (
        f" JOIN bench_person p ON p.i = (({g}) * 31) % {n_people}"
        f" JOIN bench_company c ON c.i = (({g}) * 17 + ({g}) / 7) % {n_companies}"
        f" JOIN bench_owner o ON o.i = ((({g}) / 20) * 37 + (({g}) % 20) * 11) % {n_owners}"
    )


def _copy_history(cursor, model, where):
    """The "+" history rows of freshly inserted rows, copied by the database."""
    from django.db import connection

    quote = connection.ops.quote_name
    history = model.history.model
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    columns = ", ".join(quote(c) for c in copied)
    cursor.execute(
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date,"
        f" history_change_reason, history_type, history_user_id)"
        f" SELECT {columns}, created_at, NULL, '+', created_by_id"
        f" FROM {quote(model._meta.db_table)} WHERE {where}"
    )


def _without_foreign_key_triggers(cursor, models):
    """PostgreSQL: the rows are consistent by construction, so skip the foreign-key checks
    (per-row triggers deferred to COMMIT, slower than the inserts themselves), as pg_restore
    does; kept when a table has a trigger of its own, or for a user who may not."""
    from django.db import DatabaseError, transaction

    tables = [model._meta.db_table for model in models]
    cursor.execute(
        "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal"
        " AND tgrelid::regclass::text = ANY(%s)",
        [tables],
    )
    if cursor.fetchone()[0]:
        return
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def generate(n_leads, *, big_open=None, out=print):
    """Fill the current database (migrated, without leads) with `n_leads` leads and what
    hangs off them; returns {table: rows, ...} with the seconds taken and the users' names."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from accounts.models import Account, Contact
    from activities.models import Activity
    from crm.models import Share
    from leads import search as lead_search
    from leads.models import Lead, LeadSource, LeadStatusChange, Qualification
    from opportunities.models import Currency, Opportunity

    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    begin = now - timedelta(days=730)
    sql = Sql(connection, begin)
    open_leads = n_leads * 8 // 20
    big_open = min(BIG_REP_OPEN, n_leads // 5) if big_open is None else big_open
    big_every = max(1, round(open_leads / max(big_open, 1)))
    tl = Timeline(n_leads, (now - begin).total_seconds() - 60, big_every=big_every)
    counts, timings = {}, {}

    def step(name, statement, table=None):
        t0 = time.perf_counter()
        cursor.execute(statement)
        seconds = time.perf_counter() - t0
        rows = cursor.rowcount
        counts[table or name] = counts.get(table or name, 0) + max(rows, 0)
        timings[name] = round(seconds, 1)
        out(
            f"  {name}: {rows:,} rows in {seconds:.1f} s ({rows / max(seconds, 1e-6):,.0f} rows/s)"
        )

    def max_id(model):
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        return cursor.fetchone()[0]

    with transaction.atomic(), connection.cursor() as cursor:
        if Lead.objects.exists():
            raise RuntimeError("the database already has leads: generate into an empty one")
        if sql.pg:
            _without_foreign_key_triggers(cursor, [Lead, LeadStatusChange, Account, Activity])
        org = _organisation()
        sources = [
            str(pk) for pk in LeadSource.objects.order_by("pk").values_list("pk", flat=True)
        ]
        sizes = _lookup_tables(
            cursor, sql=sql, users=org["reps"], teams=[t.pk for t in org["teams"]]
        )
        base_l, base_a, base_c, base_o = map(max_id, (Lead, Account, Contact, Opportunity))
        with_clause, series = sql.series(n_leads)
        if not sql.pg:  # the lead search's FTS5 table filled once after, not per row
            lead_search.drop_sqlite_triggers(cursor)
        step("leads", insert_sql(Lead, _lead_values(sql, tl, org, sources=sources, base=base_l),
                                 f"FROM {series}{_joins('g', sizes)}", sql=sql,
                                 with_clause=with_clause))  # fmt: skip
        if not sql.pg:
            t0 = time.perf_counter()
            lead_search.install_sqlite_index(cursor)
            timings["search index"] = round(time.perf_counter() - t0, 1)
            out(f"  lead search index (FTS5): filled in {timings['search index']} s")
        g = f"(l.id - {base_l})"
        new_leads = f"FROM leads_lead l WHERE l.id > {base_l}"
        who = "COALESCE(l.owner_user_id, l.created_by_id)"
        # Each entry carries its lead's owner (what the time-in-status report reads).
        log = {"lead_id": "l.id", "changed_by_id": who, "owner_user_id": "l.owner_user_id",
               "owner_team_id": "l.owner_team_id"}  # fmt: skip

        def stay_end(when):
            """left_at (the next entry's changed_at) where the status log stores it."""
            names = {f.name for f in LeadStatusChange._meta.concrete_fields}
            return {"left_at": when} if "left_at" in names else {}

        step("status log: created", insert_sql(LeadStatusChange, {
            **log, "from_state": "''", "from_status": "''", "to_state": "'open'",
            "to_status": "'new'", "changed_at": "l.created_at", "reason": "'Created'",
            **stay_end(f"CASE WHEN {tl.was_contacted(g)} THEN {sql.ts(tl.contacted(g))}"
                       f" WHEN l.state <> 'open' THEN {sql.ts(tl.closed(g))} END")},
            new_leads, sql=sql), "leads_leadstatuschange")  # fmt: skip
        step("status log: contacted", insert_sql(LeadStatusChange, {
            **log, "from_state": "'open'", "from_status": "'new'", "to_state": "'open'",
            "to_status": "'contacted'", "changed_at": sql.ts(tl.contacted(g)),
            # The activity_logged receiver's reason ("<activity> logged"), else a person's.
            "reason": f"CASE WHEN NOT {tl.has_activity(g)} THEN ''"
                      f" WHEN {g} % 3 = 0 THEN 'E-mail: Introduction logged'"
                      " ELSE 'Phone call: First call logged' END",
            **stay_end(f"CASE WHEN l.state <> 'open' THEN {sql.ts(tl.closed(g))} END")},
            f"{new_leads} AND {tl.was_contacted(g)}", sql=sql),
            "leads_leadstatuschange")  # fmt: skip
        step("status log: closed", insert_sql(LeadStatusChange, {
            **log, "from_state": "'open'",
            "from_status": f"CASE WHEN {tl.was_contacted(g)} THEN 'contacted' ELSE 'new' END",
            "to_state": "l.state", "to_status": "l.status", "changed_at": sql.ts(tl.closed(g)),
            "reason": "''"}, f"{new_leads} AND l.state <> 'open'", sql=sql),
            "leads_leadstatuschange")  # fmt: skip
        lead_type = ContentType.objects.get_for_model(Lead).pk
        step("activities", insert_sql(Activity, {
            "kind": f"CASE WHEN {g} % 3 = 0 THEN 'email' ELSE 'phone_call' END",
            "subject": f"CASE WHEN {g} % 3 = 0 THEN 'Introduction' ELSE 'First call' END",
            "state": "'completed'", "direction": "'outgoing'", "other_party": "l.first_name",
            "content_type_id": str(lead_type), "object_id": "l.id",
            "closed_at": "l.first_contact_at", "due_at": "l.first_contact_at",
            "created_at": "l.first_contact_at", "modified_at": "l.first_contact_at",
            "owner_user_id": who, "created_by_id": who, "modified_by_id": who},
            f"{new_leads} AND l.first_contact_at IS NOT NULL", sql=sql))  # fmt: skip
        qualified = (
            f"FROM leads_lead l JOIN bench_company c"
            f" ON c.i = (({g}) * 17 + ({g}) / 7) % {sizes[1]}"
            f" WHERE l.id > {base_l} AND l.state = 'qualified'"
        )
        owned = {"owner_user_id": "l.owner_user_id", "owner_team_id": "l.owner_team_id",
                 "created_by_id": who, "modified_by_id": who,
                 "created_at": "l.qualified_at", "modified_at": "l.qualified_at"}  # fmt: skip
        step("accounts", insert_sql(Account, {
            **owned, "id": f"{base_a} + {g}", "name": "l.company_name", "website": "l.website",
            "industry": "l.industry", "city": "l.city", "country": "l.country",
            "name_key": "c.key", "name_token": "c.token", "name_sound": "c.sound",
            "domain_key": "CASE WHEN l.website = '' THEN '' ELSE c.domain END"},
            qualified, sql=sql))  # fmt: skip
        step("contacts", insert_sql(Contact, {
            **owned, "id": f"{base_c} + {g}", "first_name": "l.first_name",
            "last_name": "l.last_name", "job_title": "l.job_title", "email": "l.email",
            "business_phone": "l.business_phone", "account_id": f"{base_a} + {g}",
            "preferred_contact_method": "l.preferred_contact_method", "name_key": "l.name_key",
            "email_key": "l.email_key",
            "email_domain": "CASE WHEN l.email = '' THEN '' ELSE c.domain END",
            "phone_key": "l.phone_key", "city": "l.city", "country": "l.country"},
            qualified, sql=sql))  # fmt: skip
        o = f"(({g}) / 20) % 20"  # 60 % open, 25 % won, 15 % lost
        closing = sql.date(f"{tl.closed(g)} + 86400 * (10 + {g} % 80)")
        step("opportunities", insert_sql(Opportunity, {
            **owned, "id": f"{base_o} + {g}", "topic": "'Deal with ' || l.company_name",
            "account_id": f"{base_a} + {g}", "parent_contact_id": f"{base_c} + {g}",
            "source_campaign_id": "l.campaign_id",
            "currency_id": str(Currency.objects.base().pk),
            "estimated_value": f"1000 + ({g} * 37) % 90000",
            "estimated_close_date": closing,
            "state": f"CASE WHEN {o} < 12 THEN 0 WHEN {o} < 17 THEN 1 ELSE 2 END",
            "status": f"CASE WHEN {o} < 12 THEN 1 + {g} % 2 WHEN {o} < 17 THEN 3"
                      f" ELSE 4 + {g} % 2 END",
            "sales_stage": f"CASE WHEN {o} < 12 THEN {g} % 3 ELSE 3 END",
            "probability": f"CASE WHEN {o} < 12 THEN 20 + {g} % 60 WHEN {o} < 17 THEN 100"
                           " ELSE 0 END",
            "actual_value": f"CASE WHEN {o} < 12 THEN NULL WHEN {o} < 17"
                            f" THEN 1000 + ({g} * 37) % 90000 ELSE 0 END",
            "actual_close_date": f"CASE WHEN {o} >= 12 THEN {closing} END",
            "rating": "l.rating"}, qualified, sql=sql))  # fmt: skip
        step("qualifications", insert_sql(Qualification, {
            "lead_id": "l.id", "kind": "'qualified'", "performed_by_id": who,
            "performed_at": "l.qualified_at", "options": sql.empty_json,
            "account_id": f"{base_a} + {g}", "created_account": "TRUE",
            "contact_id": f"{base_c} + {g}", "created_contact": "TRUE",
            "opportunity_id": f"{base_o} + {g}", "created_opportunity": "TRUE",
            "source_campaign_id": "l.campaign_id"}, qualified, sql=sql))  # fmt: skip
        # Leads shared with a rep (three in four) or a team (crm.Share): SHARES in all, with
        # the reps and teams outside Team 01, spread over every lead; bigrep, in Team 01, has
        # SHARED_WITH_BIG_REP of them, as a rep might (the plan test's persona): leads whose
        # number ends in 10 of 20, which are never bigrep's own (Timeline.is_big).
        stride = max(1, n_leads // SHARES)
        reps_of_team_01 = REPS_PER_TEAM
        share = {
            "content_type_id": str(lead_type), "object_id": "l.id",
            "access": f"CASE WHEN {g} % 5 = 0 THEN 'write' ELSE 'read' END",
            "granted_by_id": who, "granted_at": "l.created_at"}  # fmt: skip
        step("shares", insert_sql(Share, {
            **share,
            "user_id": f"CASE WHEN {g} % 4 <> 0 THEN o.user_id END",
            "team_id": f"CASE WHEN {g} % 4 = 0 THEN t.team_id END"},
            f"FROM leads_lead l JOIN bench_owner o ON o.i = {reps_of_team_01}"
            f" + ({g} * 7) % {sizes[2] - reps_of_team_01}"
            f" JOIN bench_team t ON t.i = 1 + {g} % {TEAMS - 1}"
            f" WHERE l.id > {base_l} AND {g} % {stride} = 0", sql=sql), "crm_share")  # fmt: skip
        step("shares with bigrep", insert_sql(Share, {
            **share, "user_id": "o.user_id", "team_id": "NULL"},
            f"FROM leads_lead l JOIN bench_owner o ON o.i = 0"
            f" WHERE l.id > {base_l} AND {g} % {max(1, n_leads // SHARED_WITH_BIG_REP)} = 10"
            f" AND COALESCE(l.owner_user_id, 0) <> o.user_id", sql=sql), "crm_share")  # fmt: skip
        for model, base in ((Lead, base_l), (Account, base_a), (Contact, base_c),
                            (Opportunity, base_o)):  # fmt: skip
            t0 = time.perf_counter()
            _copy_history(cursor, model, f"id > {base}")
            timings[f"history {model._meta.model_name}"] = round(time.perf_counter() - t0, 1)
            counts[model.history.model._meta.db_table] = cursor.rowcount
        _copy_history(cursor, Activity, f"content_type_id = {lead_type}")
        counts[Activity.history.model._meta.db_table] = cursor.rowcount
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [Lead, Account, Contact, Opportunity]
        ):
            cursor.execute(statement)
        for table in ("bench_person", "bench_company", "bench_owner", "bench_team"):
            cursor.execute(f"DROP TABLE {table}")
    t0 = time.perf_counter()
    # The global search's indexes of accounts, contacts and opportunities (crm.search_index):
    # made by the app's own code, as a save would (about 20,000 rows/s).
    from crm.search_index import INDEXES

    for label in ("accounts.Account", "accounts.Contact", "opportunities.Opportunity"):
        INDEXES[label].rebuild(apps.get_model(label), batch_size=10000)
    timings["search indexes"] = round(time.perf_counter() - t0, 1)
    out(f"  search indexes of accounts, contacts, opportunities: {timings['search indexes']} s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        # As autovacuum would have by now: the planner's statistics (and on PostgreSQL the
        # visibility map that index-only scans read).
        cursor.execute("VACUUM ANALYZE" if sql.pg else "ANALYZE")
    timings["analyze"] = round(time.perf_counter() - t0, 1)
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    out(
        f"generated {rows:,} rows ({n_leads:,} leads) in {seconds:.1f} s:"
        f" {rows / seconds:,.0f} rows/s"
    )
    out(f"users: bigrep (owns {big_open:,} open leads), bigmanager (its manager), benchadmin;"
        f" password for all: {PASSWORD}")  # fmt: skip
    return {"leads": n_leads, "rows": counts, "seconds": round(seconds, 1), "steps": timings,
            "rows_per_second": round(rows / seconds), "big_rep_open": big_open}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--big-rep-open", type=int, default=None,
                        help="bigrep's open leads (default 100,000, a fifth at most)")  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("DEBUG", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    generate(args.leads, big_open=args.big_rep_open)


if __name__ == "__main__":
    main()
