"""Production: every secret from the environment, nothing insecure by default."""

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL, env


def _is_local_host(host: str) -> bool:
    """localhost, a loopback address, or a bare container name such as "web" (no dot, no wildcard)."""
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return "." not in host and "*" not in host


DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production (Celery broker and cache).")

DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", default=False):
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost; for the portal's short
    # queries the compiling costs more than it saves (100 ms of 175 ms for the organisation home's bookings
    # at academy scale, docs/benchmarks.md). Off for the portal's connections only.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# HTTPS everywhere; the proxy in front terminates TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Behind the proxy every request arrives from the proxy's address. allauth's rate limits count per
# client address, so say how many proxies of ours append to X-Forwarded-For (0: trust no such header).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Staff set up two-factor authentication (TOTP) before the admin opens to them (academy.mfa).
VAMOS_STAFF_MFA_REQUIRED = env.bool("VAMOS_STAFF_MFA_REQUIRED", default=True)

# ------------------------------------------------------------------------------
# ONLY for the local docker-compose stack (docker-compose.yml), which has no TLS:
# INSECURE_LOCAL_HTTP=true turns off the HTTPS redirect, HSTS and the Secure flag on
# cookies, so that a browser can sign in over http://localhost:8000. Never set it on a
# server: it refuses to start unless every allowed host is this machine or a container name.
# ------------------------------------------------------------------------------
INSECURE_LOCAL_HTTP = env.bool("INSECURE_LOCAL_HTTP", default=False)
if INSECURE_LOCAL_HTTP:
    _public = [host for host in ALLOWED_HOSTS if not _is_local_host(host)]
    if _public:
        raise ImproperlyConfigured(
            f"INSECURE_LOCAL_HTTP is only for the local compose stack, but ALLOWED_HOSTS names {_public}."
        )
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
    LANGUAGE_COOKIE_SECURE = False

# Files may live in S3-compatible storage: set STORAGE_BACKEND and its OPTIONS by configuration.
STORAGES["default"] = {
    "BACKEND": env("STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env.json("STORAGE_OPTIONS", default={}),
}

# ------------------------------------------------------------------------------
# Celery queues (docs/operations.md). With CELERY_SEPARATE_QUEUES=true, mails and PDFs go to queues of their
# own, so that a bulk issue of certificates (CPU-bound, ~0.15 s each) never holds up a booking confirmation
# and each kind of work can get its own worker processes or hosts:
#   celery -A vamos worker -Q celery,mail --concurrency=4    # short tasks: mails, reminders, beat's jobs
#   celery -A vamos worker -Q pdf --concurrency=<cores>       # certificates and data exports
# Off by default, so a single `celery worker` (which consumes only the default queue) keeps doing everything.
# ------------------------------------------------------------------------------
CELERY_TASK_DEFAULT_QUEUE = "celery"
if env.bool("CELERY_SEPARATE_QUEUES", default=False):
    CELERY_TASK_ROUTES = {
        "academy.tasks.issue_certificate": {"queue": "pdf"},
        "academy.tasks.render_certificate": {"queue": "pdf"},
        "academy.tasks.build_data_export": {"queue": "pdf"},
        "academy.tasks.notify_team_of_contact_message": {"queue": "mail"},
        "academy.tasks.reminders_send": {"queue": "mail"},
        "academy.tasks.reminder_send": {"queue": "mail"},
        "events.tasks.*": {"queue": "mail"},
        "coaching.tasks.*": {"queue": "mail"},
        "organisations.tasks.*": {"queue": "mail"},
    }
