"""The cell parsers and field converters: pure functions of the text, so no database here
(pytest-django refuses a query in these tests)."""

from datetime import date

import pytest
from django.utils import timezone

from leads.imports.cells import (
    CachingEmailValidator,
    RowError,
    field_converter,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_status,
)
from leads.models import State, Status


class TestValues:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("open", (State.OPEN, Status.NEW)),
            ("open:contacted", (State.OPEN, Status.CONTACTED)),
            ("qualified", (State.QUALIFIED, Status.QUALIFIED)),
            ("disqualified", (State.DISQUALIFIED, Status.CANCELED)),
            ("Disqualified:Cannot Contact", (State.DISQUALIFIED, Status.CANNOT_CONTACT)),
            ("lost", (State.DISQUALIFIED, Status.LOST)),
            ("Contacted", (State.OPEN, Status.CONTACTED)),
        ],
    )
    def test_status_is_state_reason_a_bare_state_or_a_bare_reason(self, text, expected):
        assert parse_status(text) == expected

    @pytest.mark.parametrize("text", ["open:lost", "pending", "closed:won"])
    def test_an_unknown_or_mismatched_status_is_an_error(self, text):
        with pytest.raises(RowError):
            parse_status(text)

    @pytest.mark.parametrize("text", ["2021-04-15", "15/04/2021", "15.04.2021", "15 Apr 2021"])
    def test_dates_in_common_formats(self, text):
        assert parse_date(text) == date(2021, 4, 15)

    def test_datetimes_like_zohos(self):
        moment = parse_datetime("23 May, 2012 00:00:00")
        assert timezone.localtime(moment).date() == date(2012, 5, 23)
        assert parse_datetime("2012-05-23T10:00:00+00:00").hour == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.5"),
        ("1,234,567.50", "1234567.50"),
        ("1.234.567,50", "1234567.50"),
        ("1.234,50", "1234.50"),
        ("2500,75", "2500.75"),
        ("1 234,5", "1234.5"),
        ("1,234,567", "1234567"),
        ("1.234.567", "1234567"),
        ("12\u202f500", "12500"),
    ],
)
def test_amounts_as_exports_write_them(text, expected):
    assert str(parse_decimal(text)) == expected


def test_the_email_check_gives_the_answers_of_djangos_validator():
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    addresses = [
        "anna@fabrikam.example",
        "ANNA.hansen+tag@Fabrikam.Example",
        "anna@localhost",
        "anna@[127.0.0.1]",
        "anna@[::1]",
        "anna@fabrikam",
        "anna@-fabrikam.example",
        "anna hansen@fabrikam.example",
        '"anna hansen"@fabrikam.example',
        "anna@fabrikam..example",
        "@fabrikam.example",
        "anna@",
        "anna",
        "anna@xn--fbrikm-bua.example",
        "anna@fåbrikam.example",
        "a" * 310 + "@fabrikam.example",
    ]
    check = CachingEmailValidator()

    def verdict(validate, address):
        try:
            validate(address)
        except ValidationError:
            return False
        return True

    for _twice in range(2):  # the second round answers from the remembered domains
        for address in addresses:
            assert verdict(check, address) == verdict(validate_email, address), address


def test_the_field_converters_apply_the_lead_forms_rules_without_a_query():
    assert field_converter("email")("anna@fabrikam.example") == "anna@fabrikam.example"
    assert field_converter("website")("fabrikam.example") == "https://fabrikam.example"
    assert field_converter("number_of_employees")("1 200") == 1200
    with pytest.raises(RowError):
        field_converter("last_name")("x" * 51)
