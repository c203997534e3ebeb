"""The condition engine routing and scoring share: which lead fields a condition may test, its
operators, how a condition's value is checked and stored, and how it is tested against a lead.

A condition is (field, operator, value). `clean_condition` refuses conditions that could never
mean what a manager meant and stores choice values (industry, rating) as their codes;
`Condition.of` compiles one for testing; `lead_facts` reads a lead's values normalised the
same way (text casefolded, numbers as Decimal), with source and campaign names from maps
loaded once per batch, so testing costs no query per lead. Nothing here writes.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry
from opportunities.models import Rating


class LeadField(models.TextChoices):
    """The lead fields a condition may test."""

    SOURCE = "source", _("Lead source")
    CAMPAIGN = "campaign", _("Campaign")
    COUNTRY = "country", _("Country")
    STATE_PROVINCE = "state_province", _("State/province")
    CITY = "city", _("City")
    INDUSTRY = "industry", _("Industry")
    RATING = "rating", _("Rating")
    ANNUAL_REVENUE = "annual_revenue", _("Annual revenue")
    NUMBER_OF_EMPLOYEES = "number_of_employees", _("Number of employees")
    ESTIMATED_VALUE = "estimated_value", _("Estimated value")
    COMPANY_NAME = "company_name", _("Company name")
    EMAIL_DOMAIN = "email_domain", _("E-mail domain")
    TOPIC = "topic", _("Topic")


NUMERIC_FIELDS = {
    LeadField.ANNUAL_REVENUE,
    LeadField.NUMBER_OF_EMPLOYEES,
    LeadField.ESTIMATED_VALUE,
}
# Choice fields store a code; a condition may name the code or the label.
CHOICE_FIELDS = {LeadField.INDUSTRY: Industry, LeadField.RATING: Rating}


class Operator(models.TextChoices):
    EQUALS = "equals", _("equals")
    NOT_EQUALS = "not_equals", _("does not equal")
    IN = "in", _("is one of (comma-separated)")
    CONTAINS = "contains", _("contains")
    STARTS_WITH = "starts_with", _("starts with")
    GTE = "gte", _("is greater than or equal to")
    LTE = "lte", _("is less than or equal to")
    IS_EMPTY = "is_empty", _("is empty")
    IS_NOT_EMPTY = "is_not_empty", _("is not empty")


VALUELESS_OPERATORS = {Operator.IS_EMPTY, Operator.IS_NOT_EMPTY}
TEXT_ONLY_OPERATORS = {Operator.CONTAINS, Operator.STARTS_WITH}
NUMERIC_ONLY_OPERATORS = {Operator.GTE, Operator.LTE}


def value_items(operator, value):
    """A condition's value as a list (one item unless the operator is “is one of”)."""
    if operator == Operator.IN:
        return [item.strip() for item in value.split(",") if item.strip()]
    return [value.strip()]


def clean_condition(field_name, operator, value):
    """The value to store for (field, operator, value), or a ValidationError keyed by the
    form field at fault ("value" or "operator")."""
    numeric = field_name in NUMERIC_FIELDS
    if operator in VALUELESS_OPERATORS:
        return ""
    if not value.strip():
        raise ValidationError({"value": gettext("Enter a value for this operator.")})
    if numeric and operator in TEXT_ONLY_OPERATORS:
        raise ValidationError(
            {"operator": gettext("“Contains” and “starts with” apply to text fields.")}
        )
    if not numeric and operator in NUMERIC_ONLY_OPERATORS:
        raise ValidationError({"operator": gettext("“Greater/less than” apply to number fields.")})
    items = value_items(operator, value)
    if numeric:
        for item in items:
            try:
                Decimal(item)
            except InvalidOperation:
                raise ValidationError(
                    {"value": gettext("“%(item)s” is not a number.") % {"item": item}}
                ) from None
    if field_name in CHOICE_FIELDS:
        if operator in TEXT_ONLY_OPERATORS:
            raise ValidationError(
                {"operator": gettext("Choose equals, does not equal or is one of.")}
            )
        return ", ".join(_choice_code(CHOICE_FIELDS[field_name], i) for i in items)
    return value


def _choice_code(choices, item):
    lowered = item.casefold()
    for code, label in choices.choices:
        if lowered in (str(code).casefold(), str(label).casefold()):
            return str(code)
    raise ValidationError(
        {"value": gettext("“%(item)s” is not one of the choices.") % {"item": item}}
    )


def describe(field_name, operator, value):
    """“Country equals Denmark”: a condition in words (choice codes as their labels)."""
    field_label = LeadField(field_name).label
    operator_label = Operator(operator).label
    if operator in VALUELESS_OPERATORS:
        return f"{field_label} {operator_label}"
    if field_name in CHOICE_FIELDS:
        labels = {str(code): label for code, label in CHOICE_FIELDS[field_name].choices}
        value = ", ".join(str(labels.get(i, i)) for i in value_items(operator, value))
    return f"{field_label} {operator_label} {value}"


def _text(value):
    return " ".join(str(value).split()).casefold() if value is not None else ""


def _number(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _email_domain(lead):
    email = lead.email or ""
    return email.rpartition("@")[2] if "@" in email else ""


# How each fact is read from a lead (sources and campaigns: id -> name maps).
FACTS = {
    LeadField.SOURCE: lambda lead, s, c: _text(s.get(lead.source_id, "")),
    LeadField.CAMPAIGN: lambda lead, s, c: _text(c.get(lead.campaign_id, "")),
    LeadField.COUNTRY: lambda lead, s, c: _text(lead.country),
    LeadField.STATE_PROVINCE: lambda lead, s, c: _text(lead.state_province),
    LeadField.CITY: lambda lead, s, c: _text(lead.city),
    LeadField.INDUSTRY: lambda lead, s, c: _text(lead.industry),
    LeadField.RATING: lambda lead, s, c: _text(lead.rating),
    LeadField.ANNUAL_REVENUE: lambda lead, s, c: _number(lead.annual_revenue),
    LeadField.NUMBER_OF_EMPLOYEES: lambda lead, s, c: _number(lead.number_of_employees),
    LeadField.ESTIMATED_VALUE: lambda lead, s, c: _number(lead.estimated_value),
    LeadField.COMPANY_NAME: lambda lead, s, c: _text(lead.company_name),
    LeadField.EMAIL_DOMAIN: lambda lead, s, c: _text(_email_domain(lead)),
    LeadField.TOPIC: lambda lead, s, c: _text(lead.topic),
}


def lead_facts(lead, *, source_names=None, campaign_names=None, fields=None):
    """The values conditions test, normalised: text casefolded, numbers as Decimal or None.

    Source and campaign names come from the maps loaded once per batch (id -> name), so
    reading them costs no query per lead. `fields` limits the facts to those some condition
    tests (a batch of leads needs only those)."""
    source_names = source_names or {}
    campaign_names = campaign_names or {}
    return {
        name: read(lead, source_names, campaign_names)
        for name, read in FACTS.items()
        if fields is None or name in fields
    }


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    values: tuple = ()  # normalised like the facts: casefolded text or Decimal

    @classmethod
    def of(cls, field_name, operator, raw_values):
        normalise = _number if field_name in NUMERIC_FIELDS else _text
        return cls(field_name, operator, tuple(normalise(v) for v in raw_values))

    def holds(self, facts):
        fact = facts[self.field]
        op = self.operator
        if op == Operator.IS_EMPTY:
            return fact in ("", None)
        if op == Operator.IS_NOT_EMPTY:
            return fact not in ("", None)
        if op == Operator.NOT_EQUALS:
            return fact != self.values[0]
        if fact in ("", None):
            return False  # an empty field equals, contains and exceeds nothing
        if op == Operator.EQUALS:
            return fact == self.values[0]
        if op == Operator.IN:
            return fact in self.values
        if op == Operator.CONTAINS:
            return self.values[0] in fact
        if op == Operator.STARTS_WITH:
            return fact.startswith(self.values[0])
        if self.values[0] is None:  # a number condition with no usable number never holds
            return False
        if op == Operator.GTE:
            return fact >= self.values[0]
        if op == Operator.LTE:
            return fact <= self.values[0]
        raise ValueError(f"unknown operator {op!r}")


# How a condition reads in SQL, for counting the leads it holds for (a rule's preview): the
# lead column (or the lookup through a foreign key) each field is stored in.
_COLUMNS = {
    LeadField.SOURCE: "source__name",
    LeadField.CAMPAIGN: "campaign__name",
    LeadField.COUNTRY: "country",
    LeadField.STATE_PROVINCE: "state_province",
    LeadField.CITY: "city",
    LeadField.INDUSTRY: "industry",
    LeadField.RATING: "rating",
    LeadField.ANNUAL_REVENUE: "annual_revenue",
    LeadField.NUMBER_OF_EMPLOYEES: "number_of_employees",
    LeadField.ESTIMATED_VALUE: "estimated_value",
    LeadField.COMPANY_NAME: "company_name",
    LeadField.TOPIC: "topic",
}
# Columns that hold NULL when empty (the others hold "").
_NULLABLE = {
    LeadField.SOURCE,
    LeadField.CAMPAIGN,
    LeadField.INDUSTRY,
    *NUMERIC_FIELDS,
}


def _empty_q(field_name):
    if field_name == LeadField.EMAIL_DOMAIN:
        return ~models.Q(email__contains="@")
    column = _COLUMNS[field_name]
    if field_name in _NULLABLE:
        # Through a foreign key ("source__name"): the key itself is NULL.
        return models.Q(**{f"{column.split('__')[0]}__isnull": True})
    return models.Q(**{column: ""})


def _equals_q(field_name, item):
    if field_name == LeadField.EMAIL_DOMAIN:
        return models.Q(email__iendswith=f"@{item}")
    column = _COLUMNS[field_name]
    if field_name in NUMERIC_FIELDS:
        return models.Q(**{column: Decimal(item)})
    if field_name == LeadField.INDUSTRY:
        return models.Q(**{column: int(item)})
    return models.Q(**{f"{column}__iexact": item})


def condition_q(field_name, operator, value):
    """The condition as a filter on leads, for counting how many it holds for. As `holds`,
    except that SQL compares text without folding runs of spaces (a count, not a decision)."""
    if operator == Operator.IS_EMPTY:
        return _empty_q(field_name)
    if operator == Operator.IS_NOT_EMPTY:
        return ~_empty_q(field_name)
    items = value_items(operator, value)
    if operator == Operator.NOT_EQUALS:
        return ~_equals_q(field_name, items[0])
    if operator == Operator.EQUALS:
        return _equals_q(field_name, items[0])
    if operator == Operator.IN:
        matches = models.Q(pk__in=[])
        for item in items:
            matches |= _equals_q(field_name, item)
        return matches
    if field_name == LeadField.EMAIL_DOMAIN:  # text operators only (clean_condition)
        if operator == Operator.CONTAINS:
            return models.Q(email__icontains=items[0]) & models.Q(email__contains="@")
        return models.Q(email__icontains=f"@{items[0]}")  # starts with
    column = _COLUMNS[field_name]
    if operator == Operator.CONTAINS:
        return models.Q(**{f"{column}__icontains": items[0]})
    if operator == Operator.STARTS_WITH:
        return models.Q(**{f"{column}__istartswith": items[0]})
    bound = Decimal(items[0])
    if operator == Operator.GTE:
        return models.Q(**{f"{column}__gte": bound})
    if operator == Operator.LTE:
        return models.Q(**{f"{column}__lte": bound})
    raise ValueError(f"unknown operator {operator!r}")


def common_values(leads, field_name, limit=5):
    """The most frequent non-empty values of a text field among `leads`, most first, as
    [(value, count)]: what a rule that matched nothing might have meant ("Danmark")."""
    if field_name in NUMERIC_FIELDS or field_name in CHOICE_FIELDS:
        return []
    if field_name == LeadField.EMAIL_DOMAIN:  # read from the address: no column to group by
        return []
    column = _COLUMNS[field_name]
    return list(
        leads.exclude(_empty_q(field_name))
        .order_by()
        .values_list(column)
        .annotate(n=models.Count("pk"))
        .order_by("-n", column)[:limit]
    )
