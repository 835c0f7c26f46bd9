"""Settings, read from the environment only (see the configuration table in README.md).

With nothing set the portal runs for development: SQLite, Celery tasks run eagerly in-process,
e-mail goes to the console. Production (DEBUG off) refuses to start without SECRET_KEY.
"""

import os
import socket
import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# The test runner imports settings before any conftest can set variables, so it is recognised
# here: it gets a throwaway key and probes the local services (see _service_url below).
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY is not set. Set it (and DEBUG=0) for production, or DEBUG=1 to develop.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _service_url(var: str, *, local_url: str, host: str, port: int) -> str:
    """The URL of a service: from the environment; under tests, the local server when it answers."""
    url = env.str(var, default="")
    if url or not TESTING:
        return url
    if _reachable(host, port):
        return local_url
    if REQUIRE_SERVICES:
        raise ImproperlyConfigured(f"REQUIRE_SERVICES=1 but {var} is unset and nothing answers on {host}:{port}.")
    return ""


DATABASE_URL = _service_url(
    "DATABASE_URL", local_url="postgres://postgres@127.0.0.1:5432/ta_portal", host="127.0.0.1", port=5432
)
REDIS_URL = _service_url("REDIS_URL", local_url="redis://127.0.0.1:6379/0", host="127.0.0.1", port=6379)
# The role the web server and workers connect as when migrations run as another, the owner (README,
# "Security"): every migrate grants it the new tables, and only reading and adding on the audit trail.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")

# The portal's own apps, in dependency order: each may import only those before it. Navigation,
# URLs, the API router and the demo data are gathered from them in this order.
PORTAL_APPS = [
    "accounts", "audit", "notifications", "engagements", "reports", "assessments", "trainings", "network",
    "followups", "surveys", "finance", "outcomes", "history", "search",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    *PORTAL_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: oversized requests are refused unread (ta_portal/bodylimit.py).
    "ta_portal.bodylimit.BodyLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.middleware.AuditMiddleware",
    "accounts.otp.OTPRequiredMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ta_portal.urls"
WSGI_APPLICATION = "ta_portal.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
            "libraries": {"figures": "ta_portal.figure_tags"},
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
# A new PostgreSQL connection costs ~20 ms; keep connections between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A worker whose machine vanishes leaves its connection open on the server, and with it the
    # locks that mark its work in progress (reports/services.py, followups/reminders.py): the server
    # probes idle connections so that such locks go within two minutes rather than hours.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c tcp_keepalives_idle=60 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=6"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The first backend refuses locked (username, address) pairs before any password is checked.
AUTHENTICATION_BACKENDS = ["accounts.lockout.LockoutGuardBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates test time with the default iteration count.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "ta_portal.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("pt", _("Portuguese")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files are private: never served under a public URL, only through access-checked views.
MEDIA_URL = "/private-media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development and tests files come straight from the finders; production serves the
# collected, compressed, hashed copies.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# E-mail: EMAIL_URL such as smtp+tls://user:pass@host:587 (STARTTLS), smtp+ssl://…:465, smtp://host:25,
# or consolemail:// (the default). An option the parser would silently drop (e.g. ?tls=True) is an error.
_email = env.email_url_config(env.str("EMAIL_URL", default="consolemail://"))
if _email.get("OPTIONS"):
    raise ImproperlyConfigured(
        f"EMAIL_URL has options that are not understood: {', '.join(_email['OPTIONS'])}. "
        "Use smtp+tls:// for STARTTLS or smtp+ssl:// for TLS."
    )
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TA Portal <no-reply@ta-portal.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured tasks run eagerly in-process, so the portal works alone.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Our tasks are idempotent, so a task is acknowledged only once it has run: a worker that dies
# mid-task leaves it on the queue for another worker instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that then vanished (killed, machine lost) goes back on the queue
# once it has been unacknowledged this long. It must exceed CELERY_TASK_TIME_LIMIT, or a slow
# task still running would be handed to a second worker too. Workers look for such messages at
# start-up and then every CELERY_UNACKED_RESTORE_INTERVAL seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=60),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_DEFAULT_QUEUE = "default"
# WeasyPrint is single-threaded and memory-hungry: PDFs render on their own queue.
CELERY_TASK_ROUTES = {"*.render_*": {"queue": "pdf"}}
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=100)
# Only one beat may schedule, however many are started: the others wait for its Redis lock, which
# it renews every third of CELERY_BEAT_LOCK_TTL seconds and which a beat that dies gives up by expiry.
CELERY_BEAT_SCHEDULER = "ta_portal.beat:LockedScheduler"
CELERY_BEAT_LOCK_TTL = env.int("CELERY_BEAT_LOCK_TTL", default=60)
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "open-followup-rounds": {"task": "followups.tasks.open_followup_rounds", "schedule": crontab(hour=5, minute=7)},
    "send-followup-reminders": {
        "task": "followups.tasks.send_followup_reminders",
        "schedule": crontab(hour=7, minute=13),
    },
    "run-surveys": {"task": "surveys.tasks.run_surveys", "schedule": crontab(hour=6, minute=23)},
    # After the morning's reminders and round openings, so the digest reports them.
    "send-notification-digests": {
        "task": "notifications.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=43),
    },
    # Reports requested while the broker was down stay pending; this queues them again.
    "redispatch-pending-reports": {
        "task": "reports.tasks.redispatch_pending_reports",
        "schedule": timedelta(minutes=1),
    },
    # Certificates whose e-mail was lost (the broker was down when they were issued) are sent by this.
    "email-pending-certificates": {
        "task": "reports.tasks.email_pending_certificates",
        "schedule": timedelta(minutes=10),
    },
}

# Follow-up reminders: e-mails this many days before a round is due, once it is overdue, and to
# the engagement's managers after FOLLOWUP_ESCALATION_DAYS overdue. Evidence files are limited in size.
FOLLOWUP_REMINDER_DAYS_BEFORE = sorted(
    env.list("FOLLOWUP_REMINDER_DAYS_BEFORE", cast=int, default=[14, 3]), reverse=True
)
FOLLOWUP_ESCALATION_DAYS = env.int("FOLLOWUP_ESCALATION_DAYS", default=30)
FOLLOWUP_EVIDENCE_MAX_BYTES = env.int("FOLLOWUP_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)

# Certificates of sessions and events without a programme (or whose programme names no issuer): the
# issuing organisation (empty: the portal's name, in the certificate's language), the signatories as
# "Name|Title;Name|Title" (at most three) and a PNG or JPEG logo file.
CERTIFICATE_ISSUER = env.str("CERTIFICATE_ISSUER", default="")
CERTIFICATE_SIGNATORIES = [
    tuple((part.split("|", 1) + [""])[:2])
    for part in env.str("CERTIFICATE_SIGNATORIES", default="").split(";")
    if part.strip()
][:3]
CERTIFICATE_LOGO = env.str("CERTIFICATE_LOGO", default="")
# The IATI activity file (outcomes/iati.py, README "IATI"): who reports it. The reference is the
# organisation's IATI identifier (e.g. XM-DAC-47066); the type an IATI OrganisationType code
# (40 multilateral, 10 government, 21 international NGO…). The funder's reference is optional.
IATI_REPORTING_ORG_REF = env.str("IATI_REPORTING_ORG_REF", default="XM-EXAMPLE-TAPORTAL")
IATI_REPORTING_ORG_NAME = env.str("IATI_REPORTING_ORG_NAME", default="TA Portal")
IATI_REPORTING_ORG_TYPE = env.str("IATI_REPORTING_ORG_TYPE", default="40")
IATI_FUNDING_ORG_REF = env.str("IATI_FUNDING_ORG_REF", default="")
CERTIFICATE_LOGO_MAX_BYTES = env.int("CERTIFICATE_LOGO_MAX_BYTES", default=1024 * 1024)

# Evaluation surveys: how long a personal link works, the days after opening when those who have not
# answered are reminded (the second is the last), and whether the surveys created automatically
# are anonymous.
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=60)
SURVEY_REMINDER_DAYS = sorted(env.list("SURVEY_REMINDER_DAYS", cast=int, default=[7, 21]))
SURVEY_ANONYMOUS_BY_DEFAULT = env.bool("SURVEY_ANONYMOUS_BY_DEFAULT", default=True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ta_portal.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "ta_portal.schema.AutoSchema",
    "EXCEPTION_HANDLER": "ta_portal.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # ISO 8601 (the default) also for years before 1000: strftime would give "126-04-28".
    "DATE_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TA Portal API",
    "DESCRIPTION": "Technical assistance on drug-precursor chemical control: engagements, "
    "assessments, trainings, follow-up and outcomes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The groups of the API docs, in this order (ta_portal.schema.APP_TAGS names each view's).
    "TAGS": [
        {"name": "Accounts", "description": "Tokens and the caller's own account."},
        {
            "name": "Engagements",
            "description": "Countries, controlled substances, agencies, people, programmes and engagements.",
        },
        {
            "name": "Assessments",
            "description": "Assessments, their scores, findings and recommendations, roundtables and the PDF report.",
        },
        {"name": "Trainings", "description": "Courses, training sessions, enrolments, exams and results."},
        {
            "name": "Network",
            "description": "Networks, events, the document library, experts and external recommendations.",
        },
        {"name": "Follow-up", "description": "Measures, follow-up rounds, status updates and indicators."},
        {"name": "Surveys", "description": "Evaluation surveys and their answers."},
        {"name": "Money", "description": "Budgets and transactions of programmes and engagements."},
        {"name": "Outcomes", "description": "Programme results: figures by programme and country, exports."},
        {"name": "History", "description": "Imports of a programme's past records."},
        {"name": "Reports", "description": "The status and download of rendered PDFs."},
        {"name": "Notifications", "description": "The caller's notifications and calendar address."},
        {"name": "Search", "description": "One search across what the caller may see."},
    ],
    # Choice sets of the network layer share field names (kind, status, role, source) with other apps.
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "network.models.Document.Kind",
        "DocumentAudienceEnum": "network.models.Document.Audience",
        "DocumentLanguageEnum": "django.conf.global_settings.LANGUAGES",
        "NetworkEventKindEnum": "network.models.NetworkEvent.Kind",
        "RegistrationStatusEnum": "network.models.Registration.Status",
        "ParticipantRoleEnum": "network.models.Registration.ParticipantRole",
        "ExternalRecommendationSourceEnum": "network.models.ExternalRecommendation.Source",
        "AgencyKindGroupEnum": "network.models.AgencyGroup",
        # Measures and status updates share one status set (a check --deploy warning otherwise).
        "MeasureStatusEnum": "followups.models.MeasureStatus",
        "HistoryImportStatusEnum": "history.models.HistoryImport.Status",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Production (DEBUG off) gets HTTPS-only cookies, HSTS and redirects.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: sessions expire when idle
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # load balancers probe over plain HTTP inside the network
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Content-Security-Policy (django-csp): scripts only from our origin or with the per-response
# nonce, never inline; no framing; no plugins. Styles allow inline attributes (Bootstrap's
# style="width: …" on progress bars); script injection is what the policy has to stop.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Sign-in brute force (accounts/lockout.py): this many failures of one username from one address
# within the window lock that pair (not the account) for LOGIN_LOCKOUT_SECONDS.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=15 * 60)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Password-reset requests (accounts/lockout.py): e-mails to one address, and requests from one client
# network, within the window; over the first nothing is mailed, over the second the page refuses.
PASSWORD_RESET_WINDOW = env.int("PASSWORD_RESET_WINDOW", default=60 * 60)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=10)
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: clients connect directly).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT and not DEBUG and not TESTING:
    # Only a proxy of ours may say the client came over HTTPS; with none, a client could claim it
    # over plain HTTP and dodge the redirect and the secure-cookie checks.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Two-factor authentication (accounts/otp.py): roles that must use it. Empty under DEBUG and tests,
# so the demo users and the test suite sign in with a password; tests of 2FA turn it on.
OTP_REQUIRED_ROLES = [
    role for role in env.list("OTP_REQUIRED_ROLES", default=[] if DEBUG or TESTING else ["admin", "manager"]) if role
]
OTP_TOTP_ISSUER = "TA Portal"
# The audit trail (audit/registry.py) covers every model with a scoping queryset by itself; these
# models hold no country of their own but must be covered too.
AUDITED_MODELS = ["trainings.ItemScore", "assessments.RoundtableAttendance"]
# Outcome figures, dashboards and the API engagement list are cached in Redis until the data they come
# from changes (ta_portal/datacache.py); this bounds how long a write that nobody announced can go unseen.
# 0 turns it off, as under tests, whose transactions roll back instead of committing.
DATA_CACHE_SECONDS = env.int("DATA_CACHE_SECONDS", default=0 if TESTING else 3600)
# API tokens (accounts/apitokens.py) expire this long after they are issued.
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=7 * 24))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO; keep its warnings (missing fonts, bad CSS).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Where the portal finds Chromium for browser tests (never a fixed path).
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "")
