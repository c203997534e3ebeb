"""Which column fills which lead field: header synonyms, explicit mappings and the
--mapping JSON file."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.lib.i18n import in_every_language
from leads.imports.csvfile import ImportFileError
from leads.models import LEAD_EXPORT_FIELDS, LEAD_SECTIONS, Lead

ERROR_COLUMNS = ("line", "error")
# Their headers as the error file writes them, in the uploader's language.
ERROR_COLUMN_LABELS = (gettext_lazy("line"), gettext_lazy("error"))

# Every field an import may set, under its API name (the export's columns, minus the ones the
# database keeps for itself).
IMPORT_FIELDS = [name for name in LEAD_EXPORT_FIELDS if name not in ("modified_at",)]
# Columns that are not the lead's fields: a yes (yes/true/1/ja/x) records the person's consent
# to the purpose (crm.signals.consent_given; the privacy app keeps consent records).
CONSENT_FIELDS = {"consent_marketing_email": "marketing_email"}
IMPORT_FIELDS += list(CONSENT_FIELDS)

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
    # Checked against the column labels of lead exports from Dynamics 365, Salesforce, HubSpot,
    # Zoho and Pipedrive ("Lead - Title", "Person - Email", "Organization - Name").
    "budget": "budget_amount",
    "budgetamount": "budget_amount",
    "estvalue": "estimated_value",
    "estimatedvalue": "estimated_value",
    "value": "estimated_value",
    "leadvalue": "estimated_value",
    "dealvalue": "estimated_value",
    "estclosedate": "estimated_close_date",
    "estimatedclosedate": "estimated_close_date",
    "expectedclosedate": "estimated_close_date",
    "closedate": "estimated_close_date",
    "decisionmaker": "decision_maker",
    "preferredmethodofcontact": "preferred_contact_method",
    "preferredcontactmethod": "preferred_contact_method",
    "donotallowemails": "do_not_email",
    "emailoptout": "do_not_email",
    "donotemail": "do_not_email",
    "donotallowphonecalls": "do_not_phone",
    "donotcall": "do_not_phone",
    "donotallowmail": "do_not_postal_mail",
    "donotallowbulkemails": "do_not_bulk_email",
    "unsubscribedfromallemail": "do_not_bulk_email",
    "sourcecampaign": "campaign",
    "parentaccountforlead": "existing_account",
    "parentcontactforlead": "existing_contact",
    "leadtitle": "topic",
    "personemail": "email",
    "personphone": "business_phone",
    "organizationname": "company_name",
    "organisationname": "company_name",
    "websiteurl": "website",
    "phonenumber1": "business_phone",
    "mobilephonenumber": "mobile_phone",
    "stateregion": "state_province",
    "originalsource": "source",
    "contactowner": "owner",
    "createdate": "created_at",
    "leadcreated": "created_at",
    "numberofemployees": "number_of_employees",
    "annualrevenue": "annual_revenue",
    # Danish headers beside the lead form's Danish labels (read in every language below):
    # what a Danish spreadsheet or a Danish Dynamics export calls the columns.
    "kilde": "source",
    "telefon": "business_phone",
    "telefonnummer": "business_phone",
    "arbejdstelefon": "business_phone",
    "mobil": "mobile_phone",
    "mobilnummer": "mobile_phone",
    "firma": "company_name",
    "virksomhed": "company_name",
    "titel": "job_title",
    "adresse": "street",
    "gade1": "street",
    "postnr": "postal_code",
    "landomrde": "country",  # Dynamics: "Land/område"
    "oprettetden": "created_at",  # Dynamics: "Oprettet den"
    "noter": "description",
    "kundeemneejer": "owner",
    "marketingconsent": "consent_marketing_email",
    "emailconsent": "consent_marketing_email",
    "emailoptin": "consent_marketing_email",
    "marketingoptin": "consent_marketing_email",
    "optin": "consent_marketing_email",
    "samtykke": "consent_marketing_email",
    "marketingsamtykke": "consent_marketing_email",
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


# The mapping drop-down: the lead form's labels, grouped as the lead's sections, the API name
# as a hint (the name a --mapping file and the export use).
FIELD_GROUPS = [
    (gettext_lazy("Person"), LEAD_SECTIONS["person"]),
    (gettext_lazy("Company"), [*LEAD_SECTIONS["company"], *LEAD_SECTIONS["firmographics"]]),
    (gettext_lazy("Contact channels"), LEAD_SECTIONS["channels"]),
    (gettext_lazy("Address"), LEAD_SECTIONS["address"]),
    (gettext_lazy("Origin"), LEAD_SECTIONS["origin"]),
    (gettext_lazy("Qualification"), LEAD_SECTIONS["bant"]),
    (gettext_lazy("Contact preferences"), [*LEAD_SECTIONS["consent"], *CONSENT_FIELDS]),
    (gettext_lazy("Existing customer"), LEAD_SECTIONS["customer"]),
    (gettext_lazy("State, owner and dates"), ["state", "status", "owner", "created_at"]),
]
_OWN_LABELS = {
    "state": gettext_lazy("State (open, qualified, disqualified)"),
    "status": gettext_lazy("Status reason"),
    "owner": gettext_lazy("Owner (user name or team)"),
    "consent_marketing_email": gettext_lazy("Consent (marketing e-mail)"),
}


def field_label(name):
    """The label a user knows the field by (the lead form's), e.g. "Company name"."""
    if name in _OWN_LABELS:
        return str(_OWN_LABELS[name])
    return capfirst(str(Lead._meta.get_field(name).verbose_name))


def grouped_field_choices():
    """[(group, [(api name, "Label · api_name")])] over IMPORT_FIELDS, every field once."""
    groups = [
        (str(group), [(name, f"{field_label(name)} · {name}") for name in names])
        for group, names in FIELD_GROUPS
    ]
    listed = {name for _group, names in FIELD_GROUPS for name in names}
    missing = [name for name in IMPORT_FIELDS if name not in listed]
    if missing:  # a field added to the lead but not to a group still shows
        groups.append(
            (str(gettext_lazy("Other")), [(n, f"{field_label(n)} · {n}") for n in missing])
        )
    return groups


@dataclass
class ColumnMapping:
    matched: list  # (index, header, field) in priority order
    ignored: list  # (index, header, why)
    key_index: int | None = None

    def fields(self):
        return {name for _i, _h, name in self.matched}


def _field_aliases():
    """Header → field: the API names, the synonyms, and the lead form's labels in every
    language (a Danish file is read the same by an English user or worker)."""
    aliases = dict(SYNONYMS)
    for name in IMPORT_FIELDS:
        aliases[normalise_header(name)] = name
    own = ("owner", "state", "status", *CONSENT_FIELDS)
    labelled = [name for name in IMPORT_FIELDS if name not in own]
    labels = [Lead._meta.get_field(name).verbose_name for name in labelled]
    for index, text in enumerate(in_every_language(*labels)):
        aliases.setdefault(normalise_header(text), labelled[index % len(labelled)])
    for name in CONSENT_FIELDS:  # "Consent (marketing e-mail)", "Samtykke (markedsføring …)"
        for text in in_every_language(_OWN_LABELS[name]):
            aliases.setdefault(normalise_header(text), name)
    for header in _status_reason_headers():  # "Statusårsag"
        aliases.setdefault(header, "status")
    aliases["leadsource"] = "source"
    return aliases


def _status_reason_headers():
    headers = {"statusreason", "leadstatusreason"}
    headers.update(normalise_header(text) for text in in_every_language(_OWN_LABELS["status"]))
    return headers


def error_columns():
    """The error file's own columns ("line", "error") in every language: ignored on re-import."""
    return {*ERROR_COLUMNS, *in_every_language(*ERROR_COLUMN_LABELS)}


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
    if any(normalise_header(h) in _status_reason_headers() for h in header):
        # Dynamics exports both: "Status" (Open, Qualified, Disqualified) is then the state.
        aliases["status"] = "state"
    taken, own_columns = set(), error_columns()
    for i, csv_header in enumerate(header):
        if i == key_index:
            continue
        name = aliases.get(normalise_header(csv_header))
        if csv_header in own_columns or name is None:
            ignored.append((i, csv_header, _("no matching field")))
        elif name in taken:
            ignored.append((i, csv_header, _("%(field)s is already filled") % {"field": name}))
        else:
            taken.add(name)
            matched.append((i, csv_header, name))
    return ColumnMapping(matched, ignored, key_index)
