"""Which column fills which lead field: header synonyms, explicit mappings and the
--mapping JSON file."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from leads.imports.csvfile import ImportFileError
from leads.models import LEAD_EXPORT_FIELDS, Lead

ERROR_COLUMNS = ("line", "error")

# Every field an import may set, under its API name (the export's columns, minus the ones the
# database keeps for itself).
IMPORT_FIELDS = [name for name in LEAD_EXPORT_FIELDS if name not in ("modified_at",)]

# Common header spellings (compared without case, spaces or punctuation) → field.
SYNONYMS = {
    "first": "first_name",
    "firstname": "first_name",
    "givenname": "first_name",
    "forename": "first_name",
    "last": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "middlename": "middle_name",
    "title": "job_title",
    "jobtitle": "job_title",
    "position": "job_title",
    "company": "company_name",
    "companyname": "company_name",
    "account": "company_name",
    "accountname": "company_name",
    "organisation": "company_name",
    "organization": "company_name",
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "primaryemail": "email",
    "phone": "business_phone",
    "phonenumber": "business_phone",
    "telephone": "business_phone",
    "officephone": "business_phone",
    "workphone": "business_phone",
    "businessphone": "business_phone",
    "mobile": "mobile_phone",
    "mobilephone": "mobile_phone",
    "mobilenumber": "mobile_phone",
    "cell": "mobile_phone",
    "cellphone": "mobile_phone",
    "web": "website",
    "url": "website",
    "homepage": "website",
    "revenue": "annual_revenue",
    "employees": "number_of_employees",
    "noofemployees": "number_of_employees",
    "headcount": "number_of_employees",
    "address": "street",
    "streetaddress": "street",
    "street1": "street",  # Dynamics: "Street 1"
    "addressline1": "street",
    "address1": "street",
    "primaryaddressstreet": "street",
    "town": "city",
    "primaryaddresscity": "city",
    "province": "state_province",
    "stateprovince": "state_province",
    "region": "state_province",
    "primaryaddressstate": "state_province",
    "zip": "postal_code",
    "zipcode": "postal_code",
    "postcode": "postal_code",
    "postalcode": "postal_code",
    "primaryaddresspostalcode": "postal_code",
    "zippostalcode": "postal_code",  # Salesforce and Dynamics: "Zip/Postal Code"
    "countryregion": "country",  # Dynamics: "Country/Region"
    "primaryaddresscountry": "country",
    "leadsource": "source",
    "campaignname": "campaign",
    "leadrating": "rating",
    "notes": "description",
    "note": "description",
    "comments": "description",
    "leadstatus": "status",
    "statusreason": "status",
    "leadowner": "owner",
    "assignedto": "owner",
    "ownername": "owner",
    "created": "created_at",
    "createdtime": "created_at",
    "createddate": "created_at",
    "createdon": "created_at",
    "datecreated": "created_at",
    "subject": "topic",
    "followup": "next_follow_up",
}


def normalise_header(text):
    return re.sub(r"[^0-9a-z]", "", (text or "").casefold())


def read_mapping_file(path):
    """The --mapping JSON: {"columns": {...}, "values": {...}} (both optional)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise ImportFileError(
            _("Cannot read the mapping file: %(error)s") % {"error": error}
        ) from None
    if not isinstance(data, dict) or not set(data) <= {"columns", "values"}:
        raise ImportFileError(_('The mapping file holds {"columns": {...}, "values": {...}}.'))
    return data.get("columns") or {}, data.get("values") or {}


@dataclass
class ColumnMapping:
    matched: list  # (index, header, field) in priority order
    ignored: list  # (index, header, why)
    key_index: int | None = None

    def fields(self):
        return {name for _i, _h, name in self.matched}


def _field_aliases():
    aliases = dict(SYNONYMS)
    for name in IMPORT_FIELDS:
        aliases[normalise_header(name)] = name
        if name not in ("owner", "state", "status"):
            verbose = Lead._meta.get_field(name).verbose_name
            aliases.setdefault(normalise_header(str(verbose)), name)
    aliases["leadsource"] = "source"
    return aliases


def match_columns(header, *, columns=None, key=""):
    """Which column fills which field. With `columns` (explicit mapping) exactly those
    columns are imported; otherwise headers are matched by name and synonyms."""
    matched, ignored = [], []
    key_index = None
    if key:
        try:
            key_index = header.index(key)
        except ValueError:
            raise ImportFileError(
                _("The key column %(name)s is not in the file.") % {"name": key}
            ) from None
    if columns:
        positions = {name: i for i, name in reversed(list(enumerate(header)))}
        for csv_header, name in columns.items():
            if name not in IMPORT_FIELDS:
                raise ImportFileError(
                    _("Unknown field %(field)s (mapped from %(header)s). Fields: %(fields)s")
                    % {"field": name, "header": csv_header, "fields": ", ".join(IMPORT_FIELDS)}
                )
            if csv_header not in positions:
                raise ImportFileError(
                    _("The mapping names the column %(header)s, which is not in the file.")
                    % {"header": csv_header}
                )
            matched.append((positions[csv_header], csv_header, name))
        used = {i for i, _h, _n in matched}
        ignored = [
            (i, h, _("not mapped"))
            for i, h in enumerate(header)
            if i not in used and i != key_index
        ]
        return ColumnMapping(matched, ignored, key_index)
    aliases = _field_aliases()
    if any(normalise_header(h) in ("statusreason", "leadstatusreason") for h in header):
        # Dynamics exports both: "Status" (Open, Qualified, Disqualified) is then the state.
        aliases["status"] = "state"
    taken = set()
    for i, csv_header in enumerate(header):
        if i == key_index:
            continue
        name = aliases.get(normalise_header(csv_header))
        if csv_header in ERROR_COLUMNS or name is None:
            ignored.append((i, csv_header, _("no matching field")))
        elif name in taken:
            ignored.append((i, csv_header, _("%(field)s is already filled") % {"field": name}))
        else:
            taken.add(name)
            matched.append((i, csv_header, name))
    return ColumnMapping(matched, ignored, key_index)
