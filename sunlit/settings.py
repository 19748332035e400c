"""Settings, read from the environment with strict helpers (see `.env.example`).

SQLite under `var/` by default so that a fresh checkout runs at once; DATABASE_URL
selects PostgreSQL. SUNLIT_PRODUCTION=True refuses to start with unsafe values.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from sunlit.lib.env import envbool, envchoice, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("SUNLIT_VAR_DIR", str(BASE_DIR / "var")))

# The default key is public (it is in this file): production mode refuses it.
DEFAULT_SECRET_KEY = "sunlit-development-key-not-for-production"  # noqa: S105
PRODUCTION = envbool("SUNLIT_PRODUCTION", False)
SECRET_KEY = envstr("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = envbool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    _problems = []
    if DEBUG:
        _problems.append("DEBUG must be False")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        _problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if not ALLOWED_HOSTS:
        _problems.append("ALLOWED_HOSTS must name the host(s) this server answers for")
    if _problems:
        raise ImproperlyConfigured("SUNLIT_PRODUCTION=True refuses to start: " + "; ".join(_problems))

# The rooms of the platform, one line each: a room is installed as a Django app and brings
# what its manifest (`<room>/room.py`) declares — actions, desks, published kinds, jobs,
# demo data, URLs. See docs/rooms.md.
SUNLIT_ROOMS = [
    "sunlit.audit",
    "sunlit.regions",
    "sunlit.accounts",
    "sunlit.transparency",
    "sunlit.workdays",
    "sunlit.powers",
    "sunlit.cases",
    "sunlit.finance",
    "sunlit.projects",
    "sunlit.welfare",
    "sunlit.reports",
    "sunlit.bulletins",
    "sunlit.jobs",
    "sunlit.portal",
    "sunlit.demo",
    "sunlit.ops",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Not a room: the table of shared rate-limit counters (sunlit/lib/ratelimit.py).
    "sunlit.lib",
    *SUNLIT_ROOMS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF reads its token from the body: a form body that is not UTF-8 is a 400.
    "sunlit.lib.formbody.FormBodyEncodingMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sunlit.audit.middleware.RequestContextMiddleware",
    "sunlit.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The one mapping from a service's refusal (ApplicationError) to a response.
    "sunlit.lib.errors.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sunlit.urls"
WSGI_APPLICATION = "sunlit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sunlit" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sunlit.portal.context_processors.layout",
            ],
            # `in_layout` for every template: links that stay in the kiosk under /kiosk/.
            "builtins": ["sunlit.lib.layout"],
        },
    }
]

# --- Database -----------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except Exception as e:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} cannot be parsed: {e}") from e
    if DATABASES["default"]["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured(
            f"DATABASE_URL selects {DATABASES['default']['ENGINE']}: "
            "Sunlit supports PostgreSQL (postgres://…) and SQLite (sqlite:///…)"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "sunlit.sqlite3"),
            # Under gunicorn a worker keeps its connection (and its PRAGMAs and page cache)
            # between requests; the development server starts a thread per request, where
            # a kept connection would only linger, so only production keeps them.
            "CONN_MAX_AGE": 60 if PRODUCTION else 0,
            "OPTIONS": {
                # WAL lets villagers read while the worker writes; IMMEDIATE avoids
                # "database is locked" upgrades inside write transactions.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("TEST", {"NAME": ""})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory by default; Redis when REDIS_URL is set (production) --------
# Rate limits never count in a per-process cache: under gunicorn each worker would keep its
# own count and a limit of 20 would let 20 x workers through (issue #14). They count in
# Redis when REDIS_URL is set (the "redis" package must be installed), otherwise in the
# database (sunlit.lib's RateCounter table), which every worker shares.
REDIS_URL = envstr("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SUNLIT_RATELIMIT_STORE = envchoice(
    "SUNLIT_RATELIMIT_STORE", "redis" if REDIS_URL else "database", ("redis", "database")
)

# --- Authentication -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:office"
LOGOUT_REDIRECT_URL = "portal:home"

# Sessions end after SUNLIT_SESSION_IDLE_MINUTES without a request (sliding expiry).
SESSION_IDLE_MINUTES = envint("SUNLIT_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS in production: redirect plain http, and tell browsers to use https only (HSTS, a
# year by default). Behind a TLS-terminating proxy, set SUNLIT_BEHIND_TLS_PROXY=True so
# the proxy's X-Forwarded-Proto says the request was https (and the redirect does not loop),
# or SUNLIT_SSL_REDIRECT=False when the proxy redirects itself.
SECURE_SSL_REDIRECT = envbool("SUNLIT_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("SUNLIT_BEHIND_TLS_PROXY", False) else None
SECURE_HSTS_SECONDS = envint("SUNLIT_HSTS_SECONDS", 365 * 86400 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SUNLIT_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = envbool("SUNLIT_HSTS_PRELOAD", PRODUCTION)
X_FRAME_OPTIONS = "DENY"

# Lockout: 5 failures for one account from one IP locks that pair for 15 minutes.
AXES_FAILURE_LIMIT = envint("SUNLIT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("SUNLIT_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind nginx, the client's address arrives in a header that nginx sets (X-Real-IP);
# without a proxy, trust only the socket's address. Used by the lockout and the audit log.
SUNLIT_CLIENT_IP_HEADER = envstr("SUNLIT_CLIENT_IP_HEADER", "REMOTE_ADDR")
AXES_IPWARE_META_PRECEDENCE_ORDER = [SUNLIT_CLIENT_IP_HEADER]
AXES_VERBOSE = False

OTP_TOTP_ISSUER = envstr("SUNLIT_OTP_ISSUER", "Sunlit 阳光村务")

# --- Content Security Policy: everything from our own origin -----------------------
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Mermaid and ECharts set inline style attributes on the SVG they draw.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "sunlit" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files: our CSS/JS plus vendor packages copied from node_modules ---------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "sunlit" / "static", BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- Background tasks -----------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": envchoice(
            "SUNLIT_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            ("django_tasks_db.DatabaseBackend", "django_tasks.backends.immediate.ImmediateBackend"),
        ),
        "QUEUES": ["default"],
    }
}

# --- Sunlit ----------------------------------------------------------------------------
# The Ed25519 key that signs Merkle roots of the publication log. Created on first use;
# back it up with the database (docs/deploy.md): losing it means new roots are signed by
# a new key that villagers have not seen before.
SUNLIT_SIGNING_KEY_PATH = Path(envstr("SUNLIT_SIGNING_KEY_PATH", str(VAR_DIR / "keys" / "signing-ed25519.pem")))
# How often the scheduler signs a new root (seconds). Daily by default.
SUNLIT_ROOT_SIGNING_INTERVAL = envint("SUNLIT_ROOT_SIGNING_INTERVAL", 24 * 3600, minimum=60)
# The name of the deployment's top region shown on the portal (the demo: Lianyuan).
SUNLIT_SITE_NAME = envstr("SUNLIT_SITE_NAME", "阳光村务")
# Kiosk: seconds without a touch before returning to the kiosk home.
SUNLIT_KIOSK_IDLE_SECONDS = envint("SUNLIT_KIOSK_IDLE_SECONDS", 90, minimum=10)
# Roles that must use a second factor (TOTP) to reach the back office.
SUNLIT_OTP_REQUIRED_ROLES = envlist(
    "SUNLIT_OTP_REQUIRED_ROLES", ["township_official", "inspector", "operator", "admin"]
)
# Cases: reminders of overdue steps go out through this notifier ("console" logs them;
# "email" mails people who have an address); the sweep runs this often (seconds).
SUNLIT_NOTIFIER = envchoice("SUNLIT_NOTIFIER", "console", ("console", "email"))
SUNLIT_CASES_REMIND_INTERVAL = envint("SUNLIT_CASES_REMIND_INTERVAL", 24 * 3600, minimum=60)
# Attachments (minutes, photos, scans): the largest file accepted, in megabytes.
SUNLIT_MAX_UPLOAD_MB = envint("SUNLIT_MAX_UPLOAD_MB", 10, minimum=1)
# Village finance: a month's books are on time if published by this day of the next
# month (a day past the end of a short month means its last day).
SUNLIT_FINANCE_PUBLISH_BY_DAY = envint("SUNLIT_FINANCE_PUBLISH_BY_DAY", 15, minimum=1)
# An expense above this many yuan needs its authorising case (0: never required).
SUNLIT_FINANCE_CASE_REQUIRED_ABOVE_YUAN = envint("SUNLIT_FINANCE_CASE_REQUIRED_ABOVE_YUAN", 5000, minimum=0)
# Seconds a public finance page is kept rendered in the cache (as long as browsers may
# keep it); 0 renders every request.
SUNLIT_FINANCE_PAGE_CACHE_SECONDS = envint("SUNLIT_FINANCE_PAGE_CACHE_SECONDS", 60, minimum=0)
# The largest book-keeping export accepted by the upload page, in megabytes.
SUNLIT_FINANCE_IMPORT_MAX_MB = envint("SUNLIT_FINANCE_IMPORT_MAX_MB", 200, minimum=1)
# Identity numbers (sunlit/lib/idnumbers.py): 32 random bytes, base64, that seal ID
# numbers at rest and key their lookup fingerprints. Required in production; back it up
# with the database and never change it. Empty: derived from SECRET_KEY (development).
SUNLIT_ID_KEY = envstr("SUNLIT_ID_KEY", "")
SUNLIT_ID_KEY_IS_DERIVED = not SUNLIT_ID_KEY
if SUNLIT_ID_KEY_IS_DERIVED:  # production refuses this (sunlit/welfare/apps.py)
    import base64 as _base64
    import hashlib as _hashlib

    SUNLIT_ID_KEY = _base64.b64encode(_hashlib.sha256(b"sunlit-id-key:" + SECRET_KEY.encode()).digest()).decode()
# Reports (sunlit/reports): the installation secret mixed into every receipt's hash
# (argon2) — set it (or SUNLIT_REPORTS_SECRET_FILE) in production and never change it:
# a new secret makes every receipt already given out unusable. Empty: derived from
# SECRET_KEY (development only; production refuses to start without it).
SUNLIT_REPORTS_SECRET = envstr("SUNLIT_REPORTS_SECRET", "")
# Working days a discipline office has to accept a report, and then to reply.
SUNLIT_REPORTS_ACCEPT_DAYS = envint("SUNLIT_REPORTS_ACCEPT_DAYS", 5, minimum=1)
SUNLIT_REPORTS_REPLY_DAYS = envint("SUNLIT_REPORTS_REPLY_DAYS", 10, minimum=1)
# Remind handlers this many working days before a deadline; the sweep's interval (s).
SUNLIT_REPORTS_REMIND_DAYS = envint("SUNLIT_REPORTS_REMIND_DAYS", 1, minimum=0)
SUNLIT_REPORTS_SWEEP_INTERVAL = envint("SUNLIT_REPORTS_SWEEP_INTERVAL", 3600, minimum=60)
# Imports (finance, projects, welfare): how often to look for, and after how long to end, an
# import still "running" whose worker was killed (a million-row file takes about a minute).
SUNLIT_IMPORT_STALLED_INTERVAL = envint("SUNLIT_IMPORT_STALLED_INTERVAL", 3600, minimum=60)
SUNLIT_IMPORT_STALLED_AFTER = envint("SUNLIT_IMPORT_STALLED_AFTER", 6 * 3600, minimum=600)
# Membership titles that make an inspector the head of a discipline office.
SUNLIT_REPORTS_HEAD_TITLES = envlist("SUNLIT_REPORTS_HEAD_TITLES", ["纪委书记", "纪委副书记", "监委主任"])
# Wrong receipts allowed per hour: per IP, per device cookie, and for the whole site.
SUNLIT_REPORTS_GUESSES_PER_IP = envint("SUNLIT_REPORTS_GUESSES_PER_IP", 20, minimum=1)
SUNLIT_REPORTS_GUESSES_PER_DEVICE = envint("SUNLIT_REPORTS_GUESSES_PER_DEVICE", 10, minimum=1)
SUNLIT_REPORTS_GUESSES_GLOBAL = envint("SUNLIT_REPORTS_GUESSES_GLOBAL", 1000, minimum=1)
# On a kiosk (one device and one address for a village): per visit, and a kiosk's ceiling.
SUNLIT_REPORTS_GUESSES_PER_VISIT = envint("SUNLIT_REPORTS_GUESSES_PER_VISIT", 5, minimum=1)
SUNLIT_REPORTS_GUESSES_PER_KIOSK = envint("SUNLIT_REPORTS_GUESSES_PER_KIOSK", 60, minimum=1)
# New reports allowed per hour from one IP or device (a village kiosk serves many people).
SUNLIT_REPORTS_FILINGS_PER_IP = envint("SUNLIT_REPORTS_FILINGS_PER_IP", 30, minimum=1)
# Argon2id cost of a receipt's hash (memory in KiB).
SUNLIT_REPORTS_ARGON2_TIME = envint("SUNLIT_REPORTS_ARGON2_TIME", 2, minimum=1)
SUNLIT_REPORTS_ARGON2_MEMORY_KIB = envint("SUNLIT_REPORTS_ARGON2_MEMORY_KIB", 19456, minimum=8)
# Welfare (sunlit/welfare): how public payment lists show names — "surname" (张*, the
# default), "full" (where the village's practice publishes full names) or "none".
SUNLIT_WELFARE_NAME_MASK = envchoice("SUNLIT_WELFARE_NAME_MASK", "surname", ("surname", "full", "none"))
# "Has my subsidy arrived?": look-ups that find nothing, allowed per hour per device / IP.
SUNLIT_WELFARE_CHECKS_PER_DEVICE = envint("SUNLIT_WELFARE_CHECKS_PER_DEVICE", 10, minimum=1)
SUNLIT_WELFARE_CHECKS_PER_IP = envint("SUNLIT_WELFARE_CHECKS_PER_IP", 30, minimum=1)
SUNLIT_WELFARE_CHECKS_PER_NUMBER = envint("SUNLIT_WELFARE_CHECKS_PER_NUMBER", 5, minimum=1)
SUNLIT_WELFARE_CHECKS_PER_VISIT = envint("SUNLIT_WELFARE_CHECKS_PER_VISIT", 5, minimum=1)
SUNLIT_WELFARE_CHECKS_PER_KIOSK = envint("SUNLIT_WELFARE_CHECKS_PER_KIOSK", 100, minimum=1)
# Projects (sunlit/projects): the OCDS ocid prefix registered with the Open Contracting
# Partnership (ocds-xxxxxx); until one is registered, a local placeholder.
SUNLIT_OCDS_PREFIX = envstr("SUNLIT_OCDS_PREFIX", "ocds-sunlit")
# The SMS gateway for confirming a named reporter's phone: "console" (logs the code) or
# the dotted path of a class with send(phone, text) (docs/guides/reporting.md).
SUNLIT_SMS_BACKEND = envstr("SUNLIT_SMS_BACKEND", "console")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "sunlit@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envchoice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
}

os.makedirs(VAR_DIR, exist_ok=True)
