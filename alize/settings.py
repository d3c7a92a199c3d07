"""Settings for Alizé, read from the environment.

One module for every place the app runs: the demo, the tests and production differ only
by environment variables (see the README's table). PostgreSQL is the only engine: with
DATABASE_URL unset, an embedded server from the pgserver wheel is started under var/.
"""

import os
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from alize.database import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ALIZE_VAR_DIR", BASE_DIR / "var"))
NODE_MODULES = BASE_DIR / "node_modules"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} doit être un nombre entier (reçu : {value!r})."
        ) from exc


def env_required(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} est obligatoire quand DJANGO_DEBUG est désactivé "
            f"({why})."
        )
    return value


DEBUG = env_bool("DJANGO_DEBUG", False)

if DEBUG:
    SECRET_KEY = (
        os.environ.get("DJANGO_SECRET_KEY") or "demo-only-insecure-key-never-use-in-production"
    )
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or ["localhost", "127.0.0.1", "[::1]"]
else:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY", "clé secrète de signature des sessions")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or env_required(
        "DJANGO_ALLOWED_HOSTS", "noms d'hôte servis, séparés par des virgules"
    )

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Its French messages (an address list's "L'élément n°1 du tableau n'est pas valide").
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "csp",
    # django-ninja's own Swagger UI files, served locally (its docs page needs no CDN).
    "ninja",
    "phonenumber_field",
    "alize",
    "pme",
    "grandes_entreprises",
    "comites",
    "avances",
    "pilotage",
    "rgpd",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control and Permissions-Policy on every response but the static files.
    "alize.middleware.SecurityHeadersMiddleware",
    # Before the session, the user and the views read the database (see the module).
    "alize.middleware.ControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and the messages: an idle session is signed out with a message.
    "alize.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alize.urls"
WSGI_APPLICATION = "alize.wsgi.application"
ASGI_APPLICATION = "alize.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alize.context_processors.navigation",
            ],
            "builtins": ["alize.templatetags.alize_tags"],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------
DATABASES = {"default": database_settings(os.environ.get("DATABASE_URL"), VAR_DIR / "pgdata")}
# Production: the app connects as a role that owns nothing (DATABASE_URL) and migrations run
# as the owner (`migrate --database owner`), so that the audit trail is out of the app's reach
# (alize/audit.py). Unset, migrations run as DATABASE_URL's role.
if os.environ.get("DATABASE_OWNER_URL"):
    DATABASES["owner"] = {
        **database_settings(os.environ["DATABASE_OWNER_URL"], VAR_DIR / "pgdata"),
        "TEST": {"MIRROR": "default"},
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and authentication ----------------------------------------------------------
AUTH_USER_MODEL = "alize.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling: five failures for one address and one account lock them for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# The sign-in form posts the email address as "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Failures are counted under the address lower-cased and trimmed, as accounts are matched:
# « LOCKA@ALIZE.DEMO » is the same account as « locka@alize.demo », with the same budget.
AXES_USERNAME_CALLABLE = "alize.auth_forms.axes_username"
# Password-reset requests: per address, and per client (IP address), before no more message
# leaves; the page answers the same whatever happens.
PASSWORD_RESET_RATE_PER_ADDRESS = os.environ.get("PASSWORD_RESET_RATE_PER_ADDRESS") or "3/h"
PASSWORD_RESET_RATE_PER_CLIENT = os.environ.get("PASSWORD_RESET_RATE_PER_CLIENT") or "10/h"

# --- Cache: the throttles' counters. Redis when configured (shared by every web worker),
# otherwise the process's memory (the demo, the tests).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- The indicators API ---------------------------------------------------------------
# A token works this many days after it is issued or rotated.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 365)
# Requests per token ("<count>/<s|m|h|d>"), counted on the shared cache; past it, 429.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT") or "120/m"

# --- The accessibility statement (/accessibilite/) --------------------------------------
ACCESSIBILITY_CONTACT_EMAIL = (
    os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "").strip() or "accessibilite@alize.example"
)
ACCESSIBILITY_STATEMENT_DATE = "4 décembre 2026"

# --- Internationalisation: French interface, French formats --------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["alize.formats"]
# Phone numbers: typed the French way (or with +country), stored in E.164 (+33327513131),
# shown the French way (03 27 51 31 31; a foreign number keeps its international form).
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# --- Static and uploaded files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"  # never served directly: documents go through views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Forms -----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email: SMTP when configured, otherwise one .eml file per message under var/mail ---
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "Alizé <ne-pas-repondre@alize.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "alize.mail.EmlFileBackend"
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
# Test only (tests/alize/test_outbox_worker.py): "<object>@<stage>,…" makes the process
# kill itself (SIGKILL) the first time it reaches that stage of sending that object, each
# point once (marked in ALIZE_KILL_MARKS). Empty in every real deployment.
ALIZE_KILL_POINTS = os.environ.get("ALIZE_KILL_POINTS", "")
ALIZE_KILL_MARKS = os.environ.get("ALIZE_KILL_MARKS", "")

# --- Celery: a real broker when configured, otherwise tasks run in-process ---------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker dies whole (no one left to hand the message back) is unacknowledged:
# Redis gives it to another worker once `visibility_timeout` has passed, a few minutes
# rather than the hour by default; the sweep that looks for such tasks runs every 10 s.
# Tasks wait in a worker no longer than this (the retries' backoff is capped below it),
# else Redis would hand a waiting task out a second time.
TASK_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": TASK_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": min(10, TASK_VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": TASK_VISIBILITY_TIMEOUT}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic tasks (celery beat). Times are Europe/Paris (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    "send-due-funder-reports": {
        "task": "pilotage.tasks.send_due_reports",
        # Every morning; the task only sends what is due and not sent yet.
        "schedule": crontab(hour=6, minute=30),
    },
    "verify-audit-trail": {
        "task": "alize.tasks.verify_audit_trail",
        # Every night; the administrators are told when a chain is broken.
        "schedule": crontab(hour=3, minute=15),
    },
    "rescan-pending-files": {
        "task": "alize.tasks.rescan_pending_files",
        # Files stored while clamd was unreachable wait for this scan to be downloadable.
        "schedule": crontab(minute="*/10"),
    },
    "apply-retention": {
        "task": "rgpd.tasks.apply_retention",
        # Every night; lists what it would do unless RGPD_RETENTION_APPLY (docs/rgpd.md).
        "schedule": crontab(hour=3, minute=45),
    },
}
# --- GDPR: retention of personal data (rgpd/policy.py; the defaults are explained in
# docs/rgpd.md). Durations in days per kind, e.g. {"contacts_closed": 1826}.
RGPD_RETENTION_DAYS: dict[str, int] = {}
RGPD_RETENTION_APPLY = env_bool("RGPD_RETENTION_APPLY", False)

# --- Antivirus: every upload is scanned by ClamAV's daemon (alize/antivirus.py) ---------
# "clamd" (default) or "off": development only, every file then counts as clean unscanned;
# `check --deploy` refuses it.
ANTIVIRUS = (os.environ.get("ANTIVIRUS") or "clamd").strip().lower()
if ANTIVIRUS not in {"clamd", "off"}:
    raise ImproperlyConfigured(
        f"La variable d'environnement ANTIVIRUS vaut « clamd » ou « off » (reçu : {ANTIVIRUS!r})."
    )
# A unix socket (Debian's clamav-daemon default), or a host and port (the clamav service).
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "").strip() or "/var/run/clamav/clamd.ctl"
CLAMD_HOST = os.environ.get("CLAMD_HOST", "").strip()
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
# Seconds before clamd counts as unreachable (the file then stays pending).
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)

# --- Audit trail: every insert, update and delete, append-only -------------------------
PGHISTORY_APPEND_ONLY = True
# Triggers on auto-created many-to-many tables (roles, basins of a user) live in no
# migration: install every registered trigger after each migrate.
PGTRIGGER_INSTALL_ON_MIGRATE = True

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# A session lasts 10 hours after its sign-in at most, and ends after 30 minutes without a
# request; the operators' and administrators' sessions also end with the browser
# (alize/sessions.py).
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Browser features no page of Alizé uses are switched off for the site and any frame; the
# Web Authentication API (passkeys) stays open to the site itself.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "pgtrigger": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
