"""Settings for the CRM, read from the environment (see README.md, "Configuration")."""

import zoneinfo
from datetime import timedelta as _timedelta
from pathlib import Path

import dj_database_url
import phonenumbers as _phonenumbers
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from crm.env import env_bool, env_int, env_list, env_str
from crm.lib.choices import EMPTY_CHOICE as _EMPTY_CHOICE

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=not DEBUG)
if SECRET_KEY is None:
    # Only reachable with DEBUG on: a fixed key is fine for a local demo, never for production.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if "://" not in origin:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries need a scheme (https://example.com), not {origin!r}."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "crm.third_party.TasksConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "crm",
    "crm.third_party.AxesConfig",
    "activities",
    "accounts",
    "opportunities",
    "leads",
    "leads.routing",
    "leads.imports",
    "capture",
    "reports",
    "api",
    "privacy",
    "scoring",
    "mail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "crm.middleware.UserTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the pages'
# queries with scope subplans do, and spent 30-35 ms compiling to save under 1 ms
# (EXPLAIN ANALYZE at 1,000,000 leads). Off per connection unless DATABASE_JIT=server (then
# the server's setting holds; PgBouncer in transaction mode refuses the startup option unless
# its ignore_startup_parameters lists "options": use DATABASE_JIT=server there and
# `ALTER DATABASE … SET jit = off`).
_POSTGRES_OPTIONS = {} if env_str("DATABASE_JIT", "off") == "server" else {"options": "-c jit=off"}
try:
    # A connection kept for the next request: opening one to PostgreSQL costs a few ms, a
    # light page's worth (gunicorn's sync workers each hold one; CONN_HEALTH_CHECKS below).
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN so a
    # second process waits (up to the timeout) instead of failing with "database is locked".
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    _database["CONN_HEALTH_CHECKS"] = True
    _database.setdefault("OPTIONS", {}).update(_POSTGRES_OPTIONS)
    if suffix := env_str("TEST_DATABASE_SUFFIX", ""):
        # Set by crm/testing.py: the test database is named after the migrations it holds,
        # so `--reuse-db` reuses it only while they are the same.
        _database["TEST"] = {"NAME": f"test_{_database['NAME']}_{suffix}"}
DATABASES = {"default": _database}
# A PostgreSQL streaming replica for the pages that only read (reports, exports, the search
# results page; crm/replica.py). The tests read it as the primary (MIRROR) unless a test starts
# a real one.
if DATABASE_REPLICA_URL := env_str("DATABASE_REPLICA_URL", ""):
    try:
        _replica = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 60)
        )
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a valid database URL: {error}"
        ) from None
    _replica["CONN_HEALTH_CHECKS"] = True
    _replica.setdefault("OPTIONS", {}).update(_POSTGRES_OPTIONS)
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["crm.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crm.User"
# ModelBackend, reading the request user's administrator role in the same query.
# axes first: it refuses a locked-out log-in before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "crm.backends.UserBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("FAST_PASSWORD_HASHER", False):
    # Tests only: hashing a password the production way costs ~0.5 s per persona.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600, minimum=60)

# The organisation's language: pages follow the user's profile, else the browser's
# Accept-Language, else this (crm/middleware.py: UserLanguageMiddleware).
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LANGUAGE_CODE = env_str("CRM_LANGUAGE", "en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"CRM_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}."
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}.") from None
USE_I18N = True
USE_TZ = True
# One date, date-and-time and number format per language (crm/formats/<lang>/formats.py).
# Amounts are grouped by thousands in the readable filters (crm/templatetags/readable.py),
# not by USE_THOUSAND_SEPARATOR, which would also group ids rendered into URLs and inputs.
FORMAT_MODULE_PATH = ["crm.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (attachments) are private: they live outside STATIC and are served only by
# views that check access, so there is deliberately no public MEDIA_URL route.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Largest attachment accepted on a note, in bytes (set the proxy's body limit a little above it).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Lists count their rows up to this many, then say "10,000+" (an exact count of a million rows
# under the visibility filter costs more than the page itself).
LIST_COUNT_CAP = env_int("LIST_COUNT_CAP", 10_000, minimum=1)
# Production serves hashed, compressed files collected by `collectstatic`; development and
# tests serve the source folders directly.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

_cache_url = env_str("CACHE_URL", "locmem://")
if _cache_url.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
elif _cache_url.startswith("dummy://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must start with locmem://, redis:// or dummy://, not {_cache_url!r}."
    )

# E-mail: Django 6.1's MAILERS. The console by default; set EMAIL_BACKEND=smtp for a real server.
_email_backend = env_str("EMAIL_BACKEND", "console")
_email_backends = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
if _email_backend not in _email_backends:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND must be one of {', '.join(_email_backends)}, not {_email_backend!r}."
    )
_email_options = {}
if _email_backend == "smtp":
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
    }
MAILERS = {"default": {"BACKEND": _email_backends[_email_backend], "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# E-mail sent from a record (the mail app): replies go to the sender and to this mailbox (the
# one fetch_mail reads), so they land on the record's timeline. Empty: the sender only.
MAIL_REPLY_TO = env_str("MAIL_REPLY_TO", "")
# A message still "sending" after this long is shown as "unknown — check before resending".
MAIL_DELIVERY_TIMEOUT = _timedelta(
    seconds=env_int("MAIL_DELIVERY_TIMEOUT_SECONDS", 600, minimum=1)
)
# Receiving (the mail app): an MTA pipes each message into `manage.py receive_email`, or
# `manage.py fetch_mail` reads an IMAP mailbox (every MAIL_IMAP_POLL_SECONDS by the scheduler
# when MAIL_IMAP_HOST is set). A processed message gets MAIL_IMAP_PROCESSED_FLAG, or is moved
# to MAIL_IMAP_DONE_FOLDER when that is set; nothing is deleted.
MAIL_IMAP_HOST = env_str("MAIL_IMAP_HOST", "")
MAIL_IMAP_SECURITY = env_str("MAIL_IMAP_SECURITY", "ssl")
if MAIL_IMAP_SECURITY not in ("ssl", "starttls", "none"):
    raise ImproperlyConfigured(
        f"MAIL_IMAP_SECURITY must be ssl, starttls or none, not {MAIL_IMAP_SECURITY!r}."
    )
MAIL_IMAP_PORT = env_int("MAIL_IMAP_PORT", 993 if MAIL_IMAP_SECURITY == "ssl" else 143, minimum=1)
MAIL_IMAP_USER = env_str("MAIL_IMAP_USER", "")
MAIL_IMAP_PASSWORD = env_str("MAIL_IMAP_PASSWORD", "")
MAIL_IMAP_FOLDER = env_str("MAIL_IMAP_FOLDER", "INBOX")
MAIL_IMAP_DONE_FOLDER = env_str("MAIL_IMAP_DONE_FOLDER", "")
MAIL_IMAP_PROCESSED_FLAG = env_str("MAIL_IMAP_PROCESSED_FLAG", "\\Seen")
MAIL_IMAP_POLL_SECONDS = env_int("MAIL_IMAP_POLL_SECONDS", 60, minimum=10)
MAIL_IMAP_TIMEOUT = env_int("MAIL_IMAP_TIMEOUT", 30, minimum=1)
# Mail from these addresses (or "@domain" for a whole domain), from DEFAULT_FROM_EMAIL,
# MAIL_REPLY_TO or an active user's address never becomes a lead: it would loop.
MAIL_OWN_ADDRESSES = env_list("MAIL_OWN_ADDRESSES")
# The user new leads from e-mail are created as (a username; the first active superuser when
# empty); routing picks their owner, this user is the fallback.
MAIL_LEADS_CREATED_BY = env_str("MAIL_LEADS_CREATED_BY", "")
MAIL_LEAD_SOURCE = env_str("MAIL_LEAD_SOURCE", "E-mail")
# A bigger message is kept (headers and text) but its files are not.
MAIL_MAX_MESSAGE_BYTES = env_int("MAIL_MAX_MESSAGE_BYTES", 40 * 1024 * 1024, minimum=1024)

# Background work: django.tasks with the database backend (`manage.py worker` processes run them).
TASKS_BACKEND = env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
# Queues (issue 26): an import never waits behind hundreds of e-mails. `make run`'s worker serves
# them all, taking the highest priority first (imports 10, an e-mail a rep just sent 5, the rest
# 0); production runs workers per queue (`manage.py worker --queue-name=imports`) on any machine.
TASK_QUEUES = ["default", "imports", "mail"]
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": TASK_QUEUES}}
# Leases (crm.background): each `manage.py worker` beats every TASK_HEARTBEAT_SECONDS; a running
# task whose worker has not beaten for TASK_LEASE_SECONDS is stale, and the sweep (every
# TASK_SWEEP_SECONDS) runs it again, up to TASK_MAX_ATTEMPTS in all, if it is declared safe to
# run again, or marks it failed.
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 10, minimum=1)
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60, minimum=TASK_HEARTBEAT_SECONDS + 1)
TASK_SWEEP_SECONDS = env_int("TASK_SWEEP_SECONDS", 60, minimum=1)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3, minimum=1)
# Periodic tasks (django-crontask, run by `manage.py scheduler`): one scheduler holds a lease
# (a crm.Lease row, or a Redis key when CACHE_URL is Redis) renewed every
# SCHEDULER_LEASE_SECONDS / 3; others wait and take over once it has lapsed.
SCHEDULER_LEASE_SECONDS = env_int("SCHEDULER_LEASE_SECONDS", 30, minimum=3)
CRONTASK = {
    "LOCK_REFRESH_INTERVAL": max(1, SCHEDULER_LEASE_SECONDS // 3),
    "LOCK_TIMEOUT": SCHEDULER_LEASE_SECONDS,
}

# The public web address, used in links inside e-mails sent from background tasks.
# Without SITE_URL it follows PORT, so `make run` on another port links to that port.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}").rstrip("/")

# Content Security Policy: no inline scripts or styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# REST API (api app): token or session auth, paginated lists with `count` and `results`, JSON
# errors everywhere (api.exceptions). Throttling is off for the API; the public web form has
# its own per-IP limit (capture app).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.KnownParametersFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    "DESCRIPTION": (
        "Leads, customers and activities, with Dynamics' lead messages (qualify, disqualify, "
        "associate). Authenticate with `Authorization: Token <key>` (create the token on your "
        "profile page) or a browser session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "OwnerTypeEnum": "api.enums.OWNER_TYPES",
        "CustomerTypeEnum": "api.enums.CUSTOMER_TYPES",
        "RecordTypeEnum": "api.enums.RECORD_TYPES",
        "LeadStateEnum": "api.enums.lead_states",
        "LeadStatusEnum": "api.enums.lead_statuses",
        "OpportunityStateEnum": "api.enums.opportunity_states",
        "OpportunityStatusEnum": "api.enums.opportunity_statuses",
        "DisqualifyReasonEnum": "api.enums.disqualify_reasons",
        "OpenStatusEnum": "api.enums.open_statuses",
        "QualifiedStatusEnum": "api.enums.qualified_statuses",
    },
}

# Web-to-lead capture (capture app): how long the same submission counts as a double submit,
# and how many submissions one client IP may make per minute.
CAPTURE_IDEMPOTENCY_WINDOW = env_int("CAPTURE_IDEMPOTENCY_WINDOW", 10 * 60, minimum=0)
CAPTURE_RATE_LIMIT_PER_MINUTE = env_int("CAPTURE_RATE_LIMIT_PER_MINUTE", 10, minimum=1)
# Only behind a proxy we run: then the last X-Forwarded-For entry is the client's address.
CAPTURE_TRUST_X_FORWARDED_FOR = env_bool("CAPTURE_TRUST_X_FORWARDED_FOR", False)

# Login throttling (django-axes): LOGIN_LOCKOUT_FAILURES wrong passwords for one username from
# one address lock that pair for LOGIN_LOCKOUT_MINUTES. Counted in the database (every process
# sees it); the address is crm.ratelimit.client_ip (X-Forwarded-For only behind our proxy).
LOGIN_LOCKOUT_FAILURES = env_int("LOGIN_LOCKOUT_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = _timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "crm.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "crm.ratelimit.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
PASSWORD_RESET_RATE_LIMIT_PER_HOUR = env_int("PASSWORD_RESET_RATE_LIMIT_PER_HOUR", 5, minimum=1)
# API tokens one user may create an hour (the profile page's button and POST /api/token/).
API_TOKEN_RATE_LIMIT_PER_HOUR = env_int("API_TOKEN_RATE_LIMIT_PER_HOUR", 10, minimum=1)

# The lists' filters offer the same empty choice as every other select (crm/lib/choices.py).
FILTERS_EMPTY_CHOICE_LABEL = _EMPTY_CHOICE

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Duplicate detection reads phone numbers without a country code in this region (ISO 3166).
PHONE_REGION = env_str("PHONE_REGION", "DK").upper()
if PHONE_REGION not in _phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured(
        f"PHONE_REGION must be a two-letter region code such as DK or US, not {PHONE_REGION!r}."
    )
# The organisation's base currency (ISO 4217): exchange rates and report totals refer to it.
BASE_CURRENCY = env_str("BASE_CURRENCY", "EUR").upper()
if not (len(BASE_CURRENCY) == 3 and BASE_CURRENCY.isascii() and BASE_CURRENCY.isalpha()):
    raise ImproperlyConfigured(
        f"BASE_CURRENCY must be a three-letter ISO 4217 code such as EUR, not {BASE_CURRENCY!r}."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's default LOGGING gives the "django" logger its own console handler; with ours on
    # the root logger every line (the db_worker's "django.tasks" ones too) was printed twice.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}
