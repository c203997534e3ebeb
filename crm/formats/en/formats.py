"""English formats for the whole app (FORMAT_MODULE_PATH): one date, one date-and-time, and
numbers grouped by thousands. A language added later (Danish) adds its own folder beside
this one; templates and messages name only the format, never a pattern."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
