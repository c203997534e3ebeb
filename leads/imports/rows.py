"""One row of cells -> Lead field values (RowConverter), its dedupe key, and the existing
leads a chunk's keys match."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, Contact
from crm.models import Team
from leads.exports import FORMULA_PREFIXES
from leads.imports.cells import (
    DATE_ORDERS,
    FALSE_WORDS,
    TRUE_WORDS,
    RowError,
    decimal_comma_file,
    field_converter,
    parse_datetime,
    parse_status,
)
from leads.imports.csvfile import ImportFileError, check_width
from leads.imports.mapping import CONSENT_FIELDS, field_label
from leads.imports.models import ExternalKey
from leads.models import Campaign, Lead, LeadSource


def _strip_formula_quote(value):
    """The export prefixes cells a spreadsheet would run with ' (CSV injection): undo it."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _cell_text(cells, indexes, mapped, folded):
    """A field's text: the first of its columns with a value (trimmed, the export's formula
    quote undone, mapped through the mapping file's values)."""
    for index in indexes:
        text = cells[index].strip()
        if text[:1] == "'":
            text = _strip_formula_quote(text)
        if mapped is not None and text:
            text = mapped[text] if text in mapped else folded.get(text.casefold(), text)
        if text:
            return text
    return ""


_SHORT_LABELS = {"owner": gettext_lazy("Owner")}


def _in_field(name, message):
    """A cell's error led by its field's label in the user's language ("Mail: Enter a valid
    e-mail address."), as the lead form names the field."""
    label = _SHORT_LABELS.get(name) or field_label(name)
    return f"{label}: {message}"


class RowConverter:
    """Turns the cells of one row into Lead field values, or raises RowError."""

    def __init__(self, mapping, options, *, user, delimiter=""):
        if options.date_format not in DATE_ORDERS:
            raise ImportFileError(
                _("Unknown date format %(name)s: use %(valid)s.")
                % {"name": options.date_format, "valid": ", ".join(DATE_ORDERS)}
            )
        self.mapping = mapping
        self.options = options
        self.user = user
        self.value_maps = {
            name: {str(k).strip(): str(v) for k, v in values.items()}
            for name, values in (options.values or {}).items()
        }
        self.value_maps_folded = {
            name: {k.casefold(): v for k, v in values.items()}
            for name, values in self.value_maps.items()
        }
        # Several columns may fill one field ("Lead Status" and "Converted"): the first
        # column in the mapping's order with a value wins.
        self.columns = {}
        for index, _header, name in mapping.matched:
            self.columns.setdefault(name, []).append(index)
        # A tab file's numbers as the uploader writes them (the run is in their language).
        decimal_comma = decimal_comma_file(delimiter or options.delimiter)
        self.converters = {
            name: field_converter(name, options.date_format, decimal_comma)
            for name in self.columns
            if name not in ("source", "campaign", "owner", "state", "status", "created_at")
            and name not in ("existing_account", "existing_contact", *CONSENT_FIELDS)
        }
        self.consent_columns = [name for name in CONSENT_FIELDS if name in self.columns]
        # How each field's text is read: its columns in order, its value map (exact and
        # ignoring case), worked out once rather than for every cell of every row.
        self.cell_plans = {
            name: (
                tuple(indexes),
                self.value_maps.get(name),
                self.value_maps_folded.get(name),
            )
            for name, indexes in self.columns.items()
        }
        self.converter_plans = [
            (name, convert, self.cell_plans[name]) for name, convert in self.converters.items()
        ]
        self.sources = {s.name.casefold(): s for s in LeadSource.objects.all()}
        self.campaigns = {}
        if "campaign" in self.columns:
            for campaign in Campaign.objects.all():
                self.campaigns.setdefault(campaign.name.casefold(), campaign)
                if campaign.code:
                    self.campaigns.setdefault(campaign.code.casefold(), campaign)
        self.owners = self._owner_lookup() if "owner" in self.columns or options.owner else {}
        self.default_owner = None
        if options.owner:
            self.default_owner = self.owners.get(options.owner.casefold())
            if self.default_owner is None:
                raise ImportFileError(
                    _("Unknown owner %(name)s (give a username).") % {"name": options.owner}
                )
        self.default_source = None
        if options.source:
            self.default_source = self.sources.get(options.source.casefold())
            if self.default_source is None and not options.create_sources:
                raise ImportFileError(self._unknown_source(options.source))
        self._related_ok = {}
        # Whether _convert_special has anything to do (a column or a default to apply).
        special_fields = {"source", "campaign", "owner", "status", "state", "created_at"}
        special_fields |= {"existing_account", "existing_contact"}
        self.special = bool(
            special_fields & set(self.columns) or options.source or self.default_owner
        )
        # Dates and statuses repeat down a file: each distinct text is parsed once.
        self._parsed = {}
        self._now = timezone.now()

    def _parse(self, parse, *texts):
        key = (parse, *texts)
        try:
            return self._parsed[key]
        except KeyError:
            pass
        value = parse(*texts)  # a RowError is raised again for every row that has it
        if len(self._parsed) >= 10_000:
            self._parsed.clear()  # memory stays flat on files of distinct timestamps
        self._parsed[key] = value
        return value

    def _refresh_now(self):
        """The current time; `self._now` is a lower bound of it (a date before it is in the
        past without asking the clock again, once per row)."""
        self._now = timezone.now()
        return self._now

    def _owner_lookup(self):
        lookup = {}
        for team in Team.objects.filter(is_active=True):
            lookup.setdefault(team.name.casefold(), team)
        for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
            for key in (user.username, user.email, user.get_full_name()):
                if key:
                    lookup[key.casefold()] = user
        return lookup

    def _unknown_source(self, name):
        valid = ", ".join(sorted(s.name for s in self.sources.values()))
        return _in_field(
            "source",
            _("unknown source %(name)s. Valid sources: %(valid)s.")
            % {"name": name, "valid": valid},
        )

    def _cell(self, cells, name):
        plan = self.cell_plans.get(name)
        return _cell_text(cells, *plan) if plan is not None else ""

    def source_for(self, name):
        source = self.sources.get(name.casefold())
        if source is None:
            if not self.options.create_sources:
                raise RowError(self._unknown_source(name))
            if self.options.dry_run:
                source = LeadSource(name=name)
            else:
                source = LeadSource.objects.create(name=name[:100])
            self.sources[name.casefold()] = source
        return source

    def _related(self, model, text):
        try:
            pk = int(text)
        except ValueError:
            raise RowError(_("Give the record's number.")) from None
        key = (model, pk)
        if key not in self._related_ok:
            self._related_ok[key] = model.objects.filter(pk=pk).exists()
        if not self._related_ok[key]:
            raise RowError(_("There is no record number %(pk)s.") % {"pk": pk})
        return pk

    def read(self, rows, width):
        """(line, cells, values, error) for each (line, cells, problem) read from the file:
        `values` the row's field values, or None and `error` why the row is rejected."""
        for line, cells, problem in rows:
            if problem:
                yield line, cells, None, problem
                continue
            try:
                check_width(cells, width)
                yield line, cells, self.convert(cells), ""
            except RowError as error:
                yield line, cells, None, str(error)

    def convert(self, cells):
        """{field: value} for Lead(**values) plus "owner"; raises RowError listing every bad
        cell of the row."""
        values, problems = {}, []
        for name, convert, plan in self.converter_plans:
            text = _cell_text(cells, *plan)
            if not text:
                continue
            try:
                values[name] = convert(text)
            except RowError as error:
                problems.append(_in_field(name, error))
        try:
            self._convert_special(cells, values)
        except RowError as error:
            problems.append(str(error))
        for name in self.consent_columns:
            word = self._cell(cells, name).casefold()
            if word in TRUE_WORDS:
                values[name] = True  # the importer records the consent (not a lead field)
            elif word not in FALSE_WORDS:
                problems.append(_in_field(name, _("Enter yes or no.")))
        if not problems and not (
            values.get("last_name") or values.get("company_name") or values.get("email")
        ):
            problems.append(_("Enter at least a last name, a company name or an e-mail address."))
        if problems:
            raise RowError("; ".join(problems))
        return values

    def _convert_special(self, cells, values):
        if not self.special:
            return
        name = self._cell(cells, "source")
        if name:
            values["source"] = self.source_for(name)
        elif self.default_source is not None or self.options.source:
            values["source"] = self.default_source or self.source_for(self.options.source)
        name = self._cell(cells, "campaign")
        if name:
            try:
                values["campaign"] = self.campaigns[name.casefold()]
            except KeyError:
                raise RowError(
                    _in_field("campaign", _("unknown campaign %(name)s.") % {"name": name})
                ) from None
        owner = self._cell(cells, "owner")
        if owner:
            try:
                values["owner"] = self.owners[owner.casefold()]
            except KeyError:
                raise RowError(
                    _in_field("owner", _("no user or team %(name)s.") % {"name": owner})
                ) from None
        elif self.default_owner is not None:
            values["owner"] = self.default_owner
        status, state = self._cell(cells, "status"), self._cell(cells, "state")
        if status or state:
            try:
                values["state"], values["status"] = self._parse(parse_status, status, state)
            except RowError as error:
                raise RowError(_in_field("status", error)) from None
        created = self._cell(cells, "created_at")
        if created:
            try:
                values["created_at"] = self._parse(
                    parse_datetime, created, True, self.options.date_format
                )
            except RowError as error:
                raise RowError(_in_field("created_at", error)) from None
            if values["created_at"] > self._now and values["created_at"] > self._refresh_now():
                raise RowError(_in_field("created_at", _("the creation date is in the future.")))
        for name, model in (("existing_account", Account), ("existing_contact", Contact)):
            text = self._cell(cells, name)
            if text:
                try:
                    values[f"{name}_id"] = self._related(model, text)
                except RowError as error:
                    raise RowError(_in_field(name, error)) from None


def dedupe_key(values, external, cache=None):
    """The row's first key with a value: e-mail, else the external key, else name + company
    (the keys the lead will store, Lead.keys_for; `cache` as there)."""
    email = Lead.keys_for(values, keys=("email_key",))["email_key"]
    if email:
        return ("email", email)
    if external:
        return ("key", external)
    keys = Lead.keys_for(values, keys=("name_key", "company_key"), cache=cache)
    return ("name", (keys["name_key"], keys["company_key"]))


def find_existing(keys, key_name):
    """{key: existing lead id} for a chunk's keys: one query per kind of key present."""
    found = {}
    emails = {value for kind, value in keys if kind == "email"}
    if emails:
        rows = Lead.objects.filter(email_key__in=emails).order_by("-pk")
        found.update({("email", e): pk for pk, e in rows.values_list("pk", "email_key")})
    externals = {value for kind, value in keys if kind == "key"}
    if externals:
        rows = ExternalKey.objects.filter(name=key_name, value__in=externals).order_by("-pk")
        found.update({("key", v): pk for pk, v in rows.values_list("lead_id", "value")})
    pairs = {value for kind, value in keys if kind == "name"}
    if pairs:
        rows = Lead.objects.filter(
            name_key__in={n for n, _c in pairs}, company_key__in={c for _n, c in pairs}
        ).order_by("-pk")
        for pk, name, company in rows.values_list("pk", "name_key", "company_key"):
            if (name, company) in pairs:
                found[("name", (name, company))] = pk
    return found  # ordered newest first, so the oldest lead wins
