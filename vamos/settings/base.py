"""Settings shared by every situation; dev, test and production build on these.

Everything that differs between machines comes from the environment (see .env.example).
The embedded defaults need no service at all: SQLite under var/, Celery on the
filesystem transport under var/, mail written to var/mail/.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "vamos.urls"
WSGI_APPLICATION = "vamos.wsgi.application"
ASGI_APPLICATION = "vamos.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

# modeltranslation must come before django.contrib.admin.
INSTALLED_APPS = [
    "modeltranslation",
    "vamos.apps.VamosAdminConfig",  # django.contrib.admin with vamos.admin_site.VamosAdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "academy",
    "organisations",
    "events",
    "coaching",
    "elearning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vamos.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "academy.middleware.PersonLanguageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "academy.mfa.StaffMfaRequiredMiddleware",
]

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
                "academy.context_processors.portal",
            ],
            "libraries": {"vamos_admin": "vamos.admin_site"},  # the admin's memo keys and quick change lists
        },
    },
]

# ------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker processes of `make run` share one file: writers wait for each other
    # (WAL, IMMEDIATE transactions, a timeout) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Values bound by PostgreSQL rather than written into the SQL, and a statement a connection runs for the fifth
    # time kept as a prepared statement: PostgreSQL stops planning the portal's repeated short queries anew
    # (planning was half of its time on a page: the organisation home's 3.5 ms of PostgreSQL per visit became
    # 1.1 ms, docs/benchmarks.md). Django's own default binds in Python and prepares nothing. Off
    # (DATABASE_PREPARED_STATEMENTS=false) behind a pooler in transaction mode, which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache with one client per pool instead of one per call (academy.redis_clients)
            "BACKEND": "academy.redis_clients.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vamos",
        }
    }
else:
    # A cache shared by every process of `make run` (allauth's rate limits need one).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

# ------------------------------------------------------------------------------
# Accounts
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "academy.User"
# Django's and allauth's backends and Django's database sessions, each reading its row with SQL compiled once
# per process (academy/sessions.py).
AUTHENTICATION_BACKENDS = [
    "academy.sessions.ModelBackend",
    "academy.sessions.AuthenticationBackend",
]
SESSION_ENGINE = "academy.sessions"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "academy:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "academy.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "academy.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[VAMOs] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's rate limits stay at their defaults (on) and count in the cache above; the contact form
# uses the same limiter.
CONTACT_RATE_LIMIT = "5/h/ip"
ACCOUNT_RATE_LIMITS = {"contact": CONTACT_RATE_LIMIT}
# The privacy notice's version (its month). A new version asks everyone for consent again at login.
PRIVACY_NOTICE_VERSION = "2026-11"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "VAMOs"
# Staff must set up two-factor authentication (TOTP) before the admin opens to them (academy.mfa).
# Off here and in development, on in production.
VAMOS_STAFF_MFA_REQUIRED = env.bool("VAMOS_STAFF_MFA_REQUIRED", default=False)

# ------------------------------------------------------------------------------
# Languages and time
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
# German first; the others are the languages of the portal's users (issue 11). Arabic is right-to-left
# (Django's get_language_bidi; base.html sets dir="rtl" and loads Bootstrap's RTL stylesheet).
LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("tr", _("Turkish")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
]
MODELTRANSLATION_DEFAULT_LANGUAGE = "de"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("de",)
# Offer texts staff translate get a column per portal language; the admin shows them as plain grouped fields.
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "vamos_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Mail
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="VAMOs <noreply@vamos.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who receives contact messages and other notices for the VAMOs team.
VAMOS_TEAM_EMAIL = env("VAMOS_TEAM_EMAIL", default="team@vamos.example")

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    if REDIS_URL.startswith("redis://"):  # kombu's Redis transport, publishing with one client per channel
        CELERY_BROKER_TRANSPORT = "academy.redis_clients:Transport"
else:
    # kombu's filesystem transport: a broker that needs no service (make run).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {}

# ------------------------------------------------------------------------------
# Forms and look
# ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# ------------------------------------------------------------------------------
# Security defaults that hold everywhere (production tightens the rest)
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy, sent by vamos.middleware: no inline script or style, nothing from elsewhere.
# The one hash admits the <style> element htmx adds for its indicators (static/vendor/htmx/htmx.min.js);
# tests/test_production.py recomputes it from the vendored file, so an htmx update that changes it fails there.
HTMX_INDICATOR_STYLE_HASH = "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        f"style-src 'self' {HTMX_INDICATOR_STYLE_HASH}",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ------------------------------------------------------------------------------
# Logging: one JSON object per line on stdout
# ------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "vamos.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.utils.autoreload": {"level": "WARNING"},
    },
}

# ------------------------------------------------------------------------------
# Coaching
# ------------------------------------------------------------------------------
COACHING_DEFAULT_BUDGET_SESSIONS = env.int("COACHING_DEFAULT_BUDGET_SESSIONS", default=5)
COACHING_DEFAULT_SESSION_MINUTES = env.int("COACHING_DEFAULT_SESSION_MINUTES", default=90)
# A cancellation within this many hours before the start is marked late (and counts against the budget).
COACHING_LATE_CANCELLATION_HOURS = env.int("COACHING_LATE_CANCELLATION_HOURS", default=24)
# Free slots start every so many minutes inside a coach's available windows.
COACHING_SLOT_STEP_MINUTES = env.int("COACHING_SLOT_STEP_MINUTES", default=30)
# How far ahead the slot picker looks.
COACHING_BOOKING_HORIZON_DAYS = env.int("COACHING_BOOKING_HORIZON_DAYS", default=28)
COACHING_TIME_ZONE = "Europe/Berlin"

# ------------------------------------------------------------------------------
# E-learning (elearning/validators.py): upload limits, checked with the file's content
# ------------------------------------------------------------------------------
ELEARNING_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
ELEARNING_VIDEO_MAX_BYTES = 200 * 1024 * 1024
ELEARNING_IMAGE_MAX_BYTES = 2 * 1024 * 1024

# ------------------------------------------------------------------------------
# Reminders (academy.reminders): decided by beat, each sent once
# ------------------------------------------------------------------------------
CELERY_BEAT_SCHEDULE["reminders-dispatch"] = {"task": "academy.tasks.reminders_dispatch", "schedule": 10 * 60}
# The outbox (academy.outbox): the relay in every worker hands enqueued tasks to the broker this often (seconds),
# and waits this long after the broker refused one.
OUTBOX_RELAY_INTERVAL = env.float("OUTBOX_RELAY_INTERVAL", default=0.5)
OUTBOX_BROKER_BACKOFF = env.float("OUTBOX_BROKER_BACKOFF", default=30.0)
# Pending reminders older than this are enqueued again (a worker died between deciding and sending).
REMINDERS_SWEEP_MINUTES = env.int("REMINDERS_SWEEP_MINUTES", default=30)

# ------------------------------------------------------------------------------
# Privacy (academy.privacy): retention jobs, each run logged as a RetentionRun
# ------------------------------------------------------------------------------
# Years after an event's last date until the personal data on its participant list is anonymised (the funder's
# evidence must be kept that long).
VAMOS_RETENTION_YEARS = env.int("VAMOS_RETENTION_YEARS", default=10)
for _job in ("unverified_accounts", "participant_lists", "data_exports"):
    CELERY_BEAT_SCHEDULE[f"retention-{_job.replace('_', '-')}"] = {
        "task": "academy.tasks.retention_run",
        "schedule": 24 * 60 * 60,
        "args": [_job],
        "options": {"expires": 6 * 60 * 60},
    }
# Days before an event's first date on which confirmed participants are reminded.
EVENTS_REMINDER_DAYS = (7, 1)
# Days before the first date on which people still on the waiting list are told.
EVENTS_WAITING_NOTICE_DAYS = 2
# A reminder that was not sent in this time after it became due is dropped (e.g. after a long outage).
EVENTS_THANKS_WITHIN_DAYS = 7
COACHING_REMINDER_HOURS = 24
# A person who has not continued a started module for this many days is reminded once.
ELEARNING_NUDGE_AFTER_DAYS = 14

# ------------------------------------------------------------------------------
# Certificates (academy.certificates): WeasyPrint in the worker
# ------------------------------------------------------------------------------
# WeasyPrint has leaked in some versions (a new FontConfiguration per PDF grew a worker by ~0.25 MB a PDF,
# docs/benchmarks.md; academy.certificates now keeps one per thread). As a safety belt each worker process
# is replaced after this many tasks; a new process starts in well under a second.
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
# WeasyPrint logs seven INFO lines per PDF; its warnings (a refused URL, a missing font) still show.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}

# ------------------------------------------------------------------------------
# Caching of pages read far more often than they change (issue 10, docs/benchmarks.md)
# ------------------------------------------------------------------------------
# The staff statistics of a period are served from the cache for this long (the page says as of when and
# offers to compute them now).
STATISTICS_CACHE_SECONDS = env.int("STATISTICS_CACHE_SECONDS", default=10 * 60)
# The catalogue's results (events.cache): refreshed at once when events, dates or bookings change; this
# bounds how long an event that has just ended stays listed.
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=60)
# The event page's event, dates, topics and trainers (events.cache): refreshed at once on every change made through
# the models; this bounds how long a page read while such a change was being committed can show the old ones.
EVENT_CACHE_SECONDS = env.int("EVENT_CACHE_SECONDS", default=60)
# A module with its topics, lessons and lesson texts (elearning.cache), likewise.
MODULE_CACHE_SECONDS = env.int("MODULE_CACHE_SECONDS", default=60)
