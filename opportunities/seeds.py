"""The data every database starts with: the organisation's base currency. Migration 0002
creates it (with its own copy of this data: a landed migration does not change); the app's
post_migrate receiver calls this to put it back after a `flush`."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

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


def create_base_currency(apps, using=DEFAULT_DB_ALIAS):
    """Create settings.BASE_CURRENCY (or make it active at rate 1). `apps`: an app registry,
    the global one or a migration's."""
    Currency = apps.get_model("opportunities", "Currency")
    code = settings.BASE_CURRENCY
    name, symbol = KNOWN.get(code, (code, code))
    Currency.objects.using(using).update_or_create(
        code=code,
        defaults={"exchange_rate": 1, "is_active": True},
        create_defaults={"name": name, "symbol": symbol, "exchange_rate": 1},
    )
