"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see `.env.example`); `local`, `production` and `test` only change defaults."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime files of the embedded default (SQLite, file cache, Celery's filesystem broker); git-ignored.
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "django_tables2",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "salesquota",  # the project's own system checks (salesquota/checks.py)
    "accounts",
    "activities",
    "quotas",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the signed-in user on every audited change (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Resolves request.organization / request.membership for every /o/<org_slug>/ URL.
    "accounts.middleware.TenancyMiddleware",
]

ROOT_URLCONF = "salesquota.urls"
WSGI_APPLICATION = "salesquota.wsgi.application"

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
                "accounts.context_processors.navigation",
                "csp.context_processors.nonce",  # CSP_NONCE, for the rare inline <script nonce="…">
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    # The embedded default runs the web process and a worker with two pool processes on one file. A transaction
    # takes the write lock when it begins and waits for it, instead of failing with "database is locked" when
    # two closes (or a close and a page) write at once (tests/integration/test_close_kill.py shows it).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # The entries' covering index (activities.models) is for PostgreSQL's index-only sums; SQLite builds the same
    # index without its extra columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# allauth's rate limits need a real cache: Redis when configured, else files under var/.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# Called with organization= right after an organization is created (in the same transaction).
ORGANIZATION_SETUP = [
    "activities.services.types.activity_types_create_defaults",
    "quotas.services.periods.periods_setup",
]
# Called (organization=, changed=[field names]) inside the update when the week start or the fiscal year's start
# changes; a ValidationError keyed by the field refuses the change.
ORGANIZATION_LAYOUT_CHANGED = ["quotas.services.periods.periods_relayout"]

# Each app's entries in the organization navigation bar, in this order.
ORGANIZATION_NAVIGATION = [
    "quotas.navigation.DASHBOARDS",  # managers' and admins' pages first
    "activities.navigation.NAV",
    "quotas.navigation.NAV",
    "accounts.navigation.NAV",
]
# Relations of the organization loaded with the member on every tenant request (one join, not a query per page):
# quotas' settings, which the navigation reads for the leaderboard's entry (quotas.navigation.leaderboard_shown).
ORGANIZATION_REQUEST_RELATED = ["quota_settings"]

# Where a member lands on choosing an organization (`/`, the switcher), by role; others land on its overview.
ORGANIZATION_LANDING = {
    "rep": "activities:today",
    "hr": "quotas:probation-list",
    "manager": "quotas:team-dashboard",
    "admin": "quotas:team-dashboard",
    "owner": "quotas:team-dashboard",
}

# Extra sections of the Today panel, in this order: callables taking organization=, rep=, day= and returning
# HTML (activities does not import the apps that depend on it; quotas adds the rep's progress).
TODAY_PANELS = ["quotas.views.progress.today_progress_panel"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the login; verification is mandatory (console e-mail in development).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.NameForm"  # the name colleagues see (optional; e-mail otherwise)
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# allauth's own limiter, kept in the cache: failed logins at most 10 a minute per IP address and
# 5 per 5 minutes per account; allauth's defaults for everything else (sign-up, password reset…).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SalesQuota"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"  # storage and server zone; business days use the organization's zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Absolute links in e-mails sent outside a request (invitations, digests).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SalesQuota <noreply@salesquota.example>")

# Celery: Redis in production; Celery's filesystem broker under var/ as the embedded default.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")  # a host, or kombu warns
if CELERY_BROKER_URL.startswith("redis"):
    # An unacknowledged message (acks_late) returns to the queue after this long: above every task's time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The broker needs its folders before the first message: `manage.py close_periods` on a fresh checkout too.
    for folder in ("queue", "processed"):
        (VAR_DIR / "celery" / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A static schedule, reviewed in code. UTC intervals, not local-time crontabs: every job is idempotent and
# works out each organization's own time zone itself.
CELERY_BEAT_SCHEDULE = {
    "ensure-periods": {"task": "quotas.tasks.ensure_periods_task", "schedule": timedelta(hours=6)},
    "close-due-periods": {"task": "quotas.tasks.close_due_periods_task", "schedule": timedelta(minutes=5)},
    # Each organization's reps who logged nothing by 16:00 local on a working day (when the organization wants it).
    "send-reminders": {"task": "quotas.tasks.send_reminders_task", "schedule": timedelta(minutes=5)},
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/semantic.html"

# The JSON API (activities/api) under /api/v1/: personal access tokens only — no session authentication, so
# no CSRF on it; JSON in and out; rate-limited per token in the cache (API_RATE_LIMIT, e.g. "120/minute").
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["activities.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["activities.api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env("API_RATE_LIMIT", default="120/minute")},
    "DEFAULT_PAGINATION_CLASS": "activities.api.pagination.ApiPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The API's OpenAPI schema (/api/v1/schema/) and docs (/api/v1/docs/): Swagger UI from drf-spectacular-sidecar's
# static files, never a CDN. Both are public: they describe the API, not anyone's data.
SPECTACULAR_SETTINGS = {
    "TITLE": "SalesQuota API",
    "DESCRIPTION": (
        "Push activity entries from a dialer or CRM, read them back, and read the closed periods' results. "
        "Authenticate with a personal access token (`Authorization: Bearer sq_…`) created on the *API* page of an "
        "organization: it acts as its member, with the member's role, in that organization only."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Security headers, in every environment (production adds HTTPS, HSTS and secure cookies). No inline script or
# style anywhere: scripts and styles come from static/ ('self'); an inline <script> needs nonce="{{ CSP_NONCE }}".
# htmx's own indicator <style> is switched off in base.html (htmx-config) and lives in app.css instead.
# salesquota/checks.py refuses to deploy without object-src / base-uri 'none'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for allauth's TOTP QR code and Swagger UI's icons
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Request sizes. Form posts are small: 2.5 MB of non-file data, 1,000 fields (a team form of 500 reps fits).
# Uploaded files above 2.5 MB go to a temporary file rather than memory; the CSV import itself refuses files over
# 5 MB and 50,000 rows (activities.services.imports). A body limit belongs in the proxy in front as well.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

FORMAT_MODULE_PATH = ["salesquota.formats"]
