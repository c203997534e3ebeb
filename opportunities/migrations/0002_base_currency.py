"""Create the organisation's base currency (settings.BASE_CURRENCY), so it exists right
after `migrate`. Hand-written: keep it when regenerating 0001."""

from django.conf import settings
from django.db import migrations

# Names and symbols of common currencies; any other base code gets its code as both.
KNOWN = {
    "EUR": ("Euro", "€"),
    "USD": ("US Dollar", "$"),
    "GBP": ("Pound Sterling", "£"),
    "DKK": ("Danish Krone", "kr."),
    "SEK": ("Swedish Krona", "kr"),
    "NOK": ("Norwegian Krone", "kr"),
    "CHF": ("Swiss Franc", "CHF"),
    "JPY": ("Yen", "¥"),
}


def create_base_currency(apps, schema_editor):
    Currency = apps.get_model("opportunities", "Currency")
    code = settings.BASE_CURRENCY
    name, symbol = KNOWN.get(code, (code, code))
    Currency.objects.update_or_create(
        code=code,
        defaults={"exchange_rate": 1, "is_active": True},
        create_defaults={"name": name, "symbol": symbol, "exchange_rate": 1},
    )


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0001_initial")]

    operations = [migrations.RunPython(create_base_currency, migrations.RunPython.noop)]
