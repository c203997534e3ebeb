"""The readable filters: money, percentages, counts and phone links (`{% load readable %}`)."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import formats

from crm.templatetags.readable import count, money, percent, tel


def render(source, **context):
    return Template("{% load readable %}" + source).render(Context(context))


class FakeCurrency:
    code = "USD"


def test_money_has_the_base_currency_and_thousands_separators(settings):
    settings.BASE_CURRENCY = "EUR"
    assert money(Decimal("1234567.5")) == "EUR 1,234,567.50"


def test_money_takes_a_currency_or_its_code():
    assert money(Decimal("1000"), FakeCurrency()) == "USD 1,000.00"
    assert money(Decimal("-2500.456"), "DKK") == "DKK -2,500.46"


def test_money_is_empty_without_an_amount_so_a_default_can_show():
    assert money(None) == ""
    assert render('{{ v|money|default:"—" }}', v=None) == "—"


def test_percent_shows_a_fraction_with_one_decimal():
    assert percent(Decimal("0.6667")) == "66.7 %"
    assert percent(Decimal("1")) == "100.0 %"
    assert percent(None) == ""


def test_percent_of_a_value_already_in_points():
    assert percent(Decimal("12.5"), 100) == "12.5 %"
    assert percent(Decimal("1234.5"), 100) == "1,234.5 %"


def test_count_is_grouped_by_thousands():
    assert count(1234567) == "1,234,567"
    assert count(12) == "12"


def test_ids_rendered_as_numbers_stay_machine_readable():
    """Grouping is the filters' job, not USE_THOUSAND_SEPARATOR's: an id in a URL, an input's
    value or a data attribute must stay 1234, not 1,234."""
    assert render("{{ pk }}", pk=1234) == "1234"


def test_phone_numbers_become_tel_links():
    assert tel("+45 33 88 11 00") == '<a href="tel:+4533881100" class="tel">+45 33 88 11 00</a>'
    assert tel("(555) 010-2000 ext. 12") == (
        '<a href="tel:555010200012" class="tel">(555) 010-2000 ext. 12</a>'
    )


def test_a_phone_link_escapes_what_was_typed():
    html = render("{{ p|tel }}", p='+1 <script>"')
    assert "<script>" not in html
    assert 'href="tel:+1"' in html


def test_no_link_for_no_phone_number():
    assert tel("") == ""
    assert tel(None) == ""
    assert tel("n/a") == "n/a"
    assert render('{{ p|tel|default:"—" }}', p="") == "—"


def test_one_date_and_time_format_across_the_app():
    assert formats.get_format("DATETIME_FORMAT") == formats.get_format("SHORT_DATETIME_FORMAT")
    assert formats.get_format("DATE_FORMAT") == formats.get_format("SHORT_DATE_FORMAT")


def test_the_lost_update_message_writes_the_time_as_the_pages_do(settings):
    from datetime import UTC, datetime

    from django.template.defaultfilters import date

    from crm.errors import StaleRecord

    settings.TIME_ZONE = "UTC"

    class Record:
        modified_by = "Bob"
        modified_at = datetime(2026, 3, 4, 15, 7, tzinfo=UTC)

    message = str(StaleRecord(Record()))

    assert "Bob changed this record at 4 Mar 2026, 15:07, after you opened it." in message
    assert date(Record.modified_at, "SHORT_DATETIME_FORMAT") == "4 Mar 2026, 15:07"
