"""Danish formats (FORMAT_MODULE_PATH): "2. dec. 2026", "14.30", "250.000,00", the week from
Monday. Input formats accept what a Danish user types ("24.12.2026", "1.234,50"); Django adds
the ISO ones that <input type="date"> sends."""

DATE_FORMAT = r"j. b. Y"
SHORT_DATE_FORMAT = r"j. b. Y"
DATETIME_FORMAT = r"j. b. Y \k\l. H.i"
SHORT_DATETIME_FORMAT = r"j. b. Y \k\l. H.i"
TIME_FORMAT = "H.i"
MONTH_DAY_FORMAT = r"j. F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H.%M", "%H:%M", "%H.%M.%S", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H.%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H.%M.%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

# How an amount is written in each currency (crm/templatetags/readable.py: money); other
# currencies put the ISO code first, as the "%(currency)s %(amount)s" message says.
MONEY_FORMATS = {"DKK": "%(amount)s kr.", "EUR": "€ %(amount)s"}
