"""Settings shared by every environment.

Everything that differs between machines comes from the environment: DATABASE_URL, REDIS_URL,
SHEQU_SECRET_KEY, SHEQU_DATA_DIR, SHEQU_TILE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from shequ.core.csp import tile_image_sources
from shequ.core.filemodes import make_private_dir

PACKAGE_DIR = Path(__file__).resolve().parents[2]
PROJECT_DIR = PACKAGE_DIR.parents[1]
DATA_DIR = Path(os.environ.get("SHEQU_DATA_DIR", PROJECT_DIR / "var"))

SECRET_KEY = os.environ.get("SHEQU_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("SHEQU_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "shequ.core",
    "shequ.classifier",
    "shequ.territory",
    "shequ.accounts",
    "shequ.organisations",
    "shequ.registry",
    "shequ.notifications",
    "shequ.cases",
    "shequ.notices",
    "shequ.votes",
    "shequ.deliberation",
    "shequ.volunteers",
    "shequ.party",
    "shequ.coordination",
    "shequ.analysis",
    "shequ.disputes",
    "shequ.open311",
    "shequ.portal",
    "shequ.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files included (see CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses NUL characters and deeply nested JSON (400) before CSRF, the session user or a view reads them.
    "shequ.core.hostile_input.HostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shequ.accounts.middleware.SecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shequ.core.middleware.AuditContextMiddleware",
    # Answers core.ratelimit.RateLimited with 429 in the path's dialect (page, API JSON, Open311).
    "shequ.core.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "shequ.config.urls"
WSGI_APPLICATION = "shequ.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shequ.web.context.workbench",
            ],
        },
    },
]


def database_from_env(default_sqlite: Path) -> dict:
    """Return the default database: DATABASE_URL if set, else SQLite in WAL mode."""
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60)
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (shequ runs on SQLite or PostgreSQL)")
        db.setdefault("TEST", {})
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(default_sqlite),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": database_from_env(DATA_DIR / "shequ.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["shequ.accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "shequ.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shequ.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# JSON nested deeper than this (request bodies, JSON form fields) is refused with 400 before it is parsed
# (core.hostile_input); the deepest legitimate document, a GeoJSON MultiPolygon feature, nests 6 levels.
SHEQU_MAX_JSON_DEPTH = int(os.environ.get("SHEQU_MAX_JSON_DEPTH", "32"))

# Cipher suite of new personal-information keys (`shequ pii-key init|rotate` without --suite, see core.crypto):
# "aes256gcm-hmacsha256" (AES-256-GCM, HMAC-SHA256) or "sm4gcm-hmacsm3" (SM4-GCM, HMAC-SM3; GB/T 39786-2021).
SHEQU_PII_SUITE = os.environ.get("SHEQU_PII_SUITE", "aes256gcm-hmacsha256")
# Each process checks the key file for a rotation at most this often (seconds).
SHEQU_PII_KEY_RELOAD_SECONDS = float(os.environ.get("SHEQU_PII_KEY_RELOAD_SECONDS", "2"))

# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDR ranges; empty: trust
# REMOTE_ADDR only). core.middleware.client_ip takes the right-most address that is not one of them.
SHEQU_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("SHEQU_TRUSTED_PROXIES", "").split(",") if p.strip()]
if os.environ.get("SHEQU_TRUSTED_PROXY_HOPS"):
    raise ImproperlyConfigured(
        "SHEQU_TRUSTED_PROXY_HOPS is no longer read: set SHEQU_TRUSTED_PROXIES to the addresses or CIDR ranges "
        "of your reverse proxies (e.g. SHEQU_TRUSTED_PROXIES=10.0.0.5 or 10.0.0.0/24)"
    )

# Limits on guessing and flooding (core.ratelimit), shared by all worker processes through the cache:
# scope -> (requests allowed, window in seconds). Open311 clients may carry their own limit (ApiClient).
SHEQU_RATE_LIMITS = {
    "login.ip": (30, 300),  # login page attempts per client address
    "login.account": (10, 300),  # login page and token endpoint attempts per username typed (both counted)
    "token.ip": (20, 60),  # token endpoint requests per client address
    "portal.case_submit": (10, 3600),  # portal case submissions per resident
    "portal.case_submit.ip": (30, 3600),  # ... per client address
    "open311.submit": (120, 3600),  # Open311 POST requests per API key (default; per-key override)
}

# Audit log (DESIGN R12): the HMAC key that seals the chain lives outside the database (docs/security.md):
# a key file (default var/keys/audit-keyring.json) or the same JSON in SHEQU_AUDIT_KEYRING. The chain's head is
# appended every minute to the anchor file (opened append-only; make it append-only for the OS too, chattr +a)
# and, when SHEQU_AUDIT_ANCHOR_SYSLOG is set ("/dev/log" or "host:514"), sent to syslog as well.
SHEQU_AUDIT_KEY_FILE = os.environ.get("SHEQU_AUDIT_KEY_FILE", "")
SHEQU_AUDIT_ANCHOR_FILE = os.environ.get("SHEQU_AUDIT_ANCHOR_FILE", "")
SHEQU_AUDIT_ANCHOR_SYSLOG = os.environ.get("SHEQU_AUDIT_ANCHOR_SYSLOG", "")
# Anchoring counts as stopped (and alerts the auditor and security admin) when the newest anchor is older.
SHEQU_AUDIT_ANCHOR_MAX_AGE_SECONDS = int(os.environ.get("SHEQU_AUDIT_ANCHOR_MAX_AGE_SECONDS", "300"))

# Security policy (DESIGN R12): lockout, idle timeout.
# A service marked @write_service that returns without calling require() raises (core.permissions): on by default.
SHEQU_ENFORCE_ACTOR_CHECKS = os.environ.get("SHEQU_ENFORCE_ACTOR_CHECKS", "1") == "1"
SHEQU_LOCKOUT_THRESHOLD = 5
SHEQU_LOCKOUT_MINUTES = 15
SHEQU_IDLE_TIMEOUT_SECONDS = 30 * 60
SHEQU_TOKEN_TTL_HOURS = 12
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PROJECT_DIR / "static_vendor"] if (PROJECT_DIR / "static_vendor").exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Uploads and generated documents (case photos, agreements) are readable by the service user only; see also
# shequ.core.filemodes, which keeps the data directory, databases and key files the same way.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shequ.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "shequ.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shequ.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "shequ API",
    "DESCRIPTION": "社区发展治理平台 REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "shequ.web.api_docs.add_error_schema"],
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "shequ", "url": REDIS_URL, "immediate": False}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    make_private_dir(DATA_DIR)  # SqliteHuey opens its file as soon as the app loads
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "shequ",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": False,
    }
    # Shared by every worker process (rate limits): a table in the database, made by `shequ createcachetable`.
    # MAX_ENTRIES is high so that a flood of keys cannot cull the counters it is being counted by.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shequ_cache",
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# Map tiles: empty means no base map (offline intranets); grid boundaries are drawn on a blank canvas.
SHEQU_TILE_URL = os.environ.get("SHEQU_TILE_URL", "")

# Strict Content-Security-Policy (django-csp): no inline script, no eval, no inline style. Page behaviour
# lives in static files (shequ/web/static/shequ/behaviours.js, Alpine's CSP build); docs/security.md.
# SHEQU_CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only instead.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *tile_image_sources(SHEQU_TILE_URL)],
        "connect-src": [SELF],
        "font-src": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
    }
}
if os.environ.get("SHEQU_CSP_REPORT_ONLY", "") == "1":
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
SHEQU_TILE_ATTRIBUTION = os.environ.get("SHEQU_TILE_ATTRIBUTION", "")
SHEQU_DEMO_PASSWORD = os.environ.get("SHEQU_DEMO_PASSWORD", "shequ-demo-2026")

DEFAULT_EXCEPTION_REPORTER_FILTER = "shequ.core.error_reports.MaskingExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "shequ.core.error_reports.MaskingExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal": {"()": "shequ.core.masking.MaskPersonalFilter"}},
    "formatters": {"brief": {"format": "[%(asctime)s] %(levelname)s %(name)s: %(message)s", "datefmt": "%H:%M:%S"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal"], "formatter": "brief"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    # fontTools logs every table it subsets (agreement PDFs) at INFO.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The worker's log: huey's run_huey adds a handler of its own to a "huey" logger without one, and the
        # record then reached the root handler as well, so every worker line printed twice.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# SMS gateway for residents' login codes and staff notifications: a dotted path to a backend (see
# shequ.notifications.sms; the old shequ.portal.sms paths still work).
SHEQU_SMS_BACKEND = os.environ.get("SHEQU_SMS_BACKEND", "shequ.notifications.sms.ConsoleBackend")

# Email notifications over SMTP; without SHEQU_EMAIL_HOST messages are printed to the console.
EMAIL_HOST = os.environ.get("SHEQU_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "SHEQU_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("SHEQU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SHEQU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SHEQU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("SHEQU_EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("SHEQU_EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("SHEQU_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("SHEQU_EMAIL_FROM", "shequ@localhost")
# Base URL put before the link path in emails and SMS (e.g. https://shequ.example.gov.cn); empty: path only.
SHEQU_SITE_URL = os.environ.get("SHEQU_SITE_URL", "")
# Approaching-deadline notices go out this long before a running stage deadline (cases.reminders).
SHEQU_DEADLINE_REMINDER_WINDOW = timedelta(hours=float(os.environ.get("SHEQU_DEADLINE_REMINDER_HOURS", "24")))
# An import batch validating or applying without a heartbeat for this long was left by a dead worker and is
# recovered (registry.import_recovery); after SHEQU_IMPORT_MAX_RECOVERIES recoveries it is marked failed.
SHEQU_IMPORT_STALE_AFTER = timedelta(minutes=float(os.environ.get("SHEQU_IMPORT_STALE_MINUTES", "5")))
SHEQU_IMPORT_MAX_RECOVERIES = int(os.environ.get("SHEQU_IMPORT_MAX_RECOVERIES", "3"))
# Below this confidence of the category suggestion a case without a chosen category goes to triage (待分拣).
SHEQU_CLASSIFIER_MIN_CONFIDENCE = float(os.environ.get("SHEQU_CLASSIFIER_MIN_CONFIDENCE", "0.6"))
# The shortest period of a public notice (公示), in calendar days with both ends included (notices app).
SHEQU_NOTICE_MIN_DAYS = int(os.environ.get("SHEQU_NOTICE_MIN_DAYS", "5"))
# Party-member hub households (党员中心户, party app): local practice, so exceeding these gives a warning, never a
# refusal: at most this many Party members linked to one hub, each keeping in touch with at most this many households.
SHEQU_HUB_MAX_MEMBERS = int(os.environ.get("SHEQU_HUB_MAX_MEMBERS", "5"))
SHEQU_HUB_MAX_HOUSEHOLDS = int(os.environ.get("SHEQU_HUB_MAX_HOUSEHOLDS", "15"))
# Disclosure in bulk (registry.disclosures): per user and day, values revealed in clear, elderly birthday lists
# shown or exported, and full (unmasked) export requests; a full export lists at most SHEQU_FULL_EXPORT_MAX_ROWS
# residents and is downloadable once, within SHEQU_FULL_EXPORT_DOWNLOAD_HOURS of its approval. Reaching
# SHEQU_DISCLOSURE_ALERT_SHARE of a daily limit (or being refused at it) alerts the security admins once a day.
SHEQU_REVEAL_DAILY_LIMIT = int(os.environ.get("SHEQU_REVEAL_DAILY_LIMIT", "50"))
SHEQU_BIRTHDAY_LIST_DAILY_LIMIT = int(os.environ.get("SHEQU_BIRTHDAY_LIST_DAILY_LIMIT", "30"))
SHEQU_FULL_EXPORT_DAILY_LIMIT = int(os.environ.get("SHEQU_FULL_EXPORT_DAILY_LIMIT", "2"))
SHEQU_FULL_EXPORT_MAX_ROWS = int(os.environ.get("SHEQU_FULL_EXPORT_MAX_ROWS", "2000"))
SHEQU_FULL_EXPORT_DOWNLOAD_HOURS = float(os.environ.get("SHEQU_FULL_EXPORT_DOWNLOAD_HOURS", "24"))
SHEQU_DISCLOSURE_ALERT_SHARE = float(os.environ.get("SHEQU_DISCLOSURE_ALERT_SHARE", "0.8"))
