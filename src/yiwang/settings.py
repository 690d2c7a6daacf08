"""Django settings for Yiwang, read from environment variables with safe defaults.

Development needs no variable at all: SQLite under ./var, DEBUG off, a generated secret kept in
./var/secret_key. Production sets YIWANG_ENV=production, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
REDIS_URL (see .env.example and README.md).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from yiwang.env import env_bool, env_float, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("YIWANG_DATA_DIR", str(Path.cwd() / "var"))).resolve()

PRODUCTION = env_str("YIWANG_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when YIWANG_ENV=production")
    # Development: one random key per data directory, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "yiwang.workbench.admin_site.YiwangAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",
    "mozilla_django_oidc",
    "yiwang.core",
    "yiwang.regions",
    "yiwang.notify",
    "yiwang.accounts",
    "yiwang.catalog",
    "yiwang.reporting",
    "yiwang.cases",
    "yiwang.bookings",
    "yiwang.reviews",
    "yiwang.portal",
    "yiwang.workbench",
    "yiwang.api",
    "yiwang.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No django-otp middleware: it read the staff member's device on every request, and the
    # second factor is the session's own mark (`workbench.auth`), set once at sign-in.
    "yiwang.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yiwang.core.middleware.YiwangErrorMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiwang.core.context_processors.site",
            ],
        },
    },
]

# Form widgets rendered by Jinja2 (Django's own widget templates, in their Jinja2 versions), the
# admin's by Django templates: the same HTML, with a fifth less CPU on a case page with its
# action forms (docs/performance.md).
FORM_RENDERER = "yiwang.core.renderers.FormRenderer"

# --- Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL -------------------------
_default_sqlite = f"sqlite:///{DATA_DIR / 'yiwang.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_sqlite)
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if not DATABASE_URL.startswith("sqlite://:memory:"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    # The planner's cost of reading a page at random. PostgreSQL's stock 4.0 is for spinning
    # disks; with the working set in memory and on SSD, 1.1 is the usual value. With 4.0 the
    # officers' to-do list hashed the whole matter table (5,184 rows, about 4 ms) for a page of
    # 20 cases instead of reading those by key (docs/performance.md). Set for each connection,
    # so it holds whatever the server's configuration; 0 leaves the server's own (a pooler in
    # transaction mode, such as PgBouncer, refuses options at connect).
    _random_page_cost = env_float("DB_RANDOM_PAGE_COST", 1.1)
    if _random_page_cost:
        _db["OPTIONS"] = {"options": f"-c random_page_cost={_random_page_cost:g}"}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache and sessions: Redis when REDIS_URL is set, else the database ------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "yiwang"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Public pages are also kept in each process for this long after the shared generation was
# last read (0: off): a hit then costs no cache round trip; another process's change shows
# here at most this much later (the writing process sees its own at once).
PUBLIC_CACHE_LOCAL_MS = env_int("PUBLIC_CACHE_LOCAL_MS", 1000)

# --- Background work: Django's task API (django-tasks backport), database backend -------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Identity: argon2 passwords, lockout, session timeouts -------------------------------------
PASSWORD_HASHERS = [
    "yiwang.core.hashers.YiwangArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "yiwang.accounts.backends.IdentifierBackend",
]
LOGIN_URL = "/login/"
STAFF_LOGIN_URL = "/workbench/login/"
LOGIN_REDIRECT_URL = "/me/"
# Lockout after repeated failures, keyed on the account and the address together.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "yiwang.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "yiwang.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Successful logins and logouts are in the audit chain (auth.login / auth.logout); axes' own
# access log would write a second row per login.
AXES_DISABLE_ACCESS_LOG = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Sessions end after this much idleness, and in any case this long after login.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# SMS one-time codes.
OTP_CODE_TTL_SECONDS = env_int("OTP_CODE_TTL_SECONDS", 300)
OTP_CODE_MAX_ATTEMPTS = env_int("OTP_CODE_MAX_ATTEMPTS", 5)
OTP_SEND_INTERVAL_SECONDS = env_int("OTP_SEND_INTERVAL_SECONDS", 60)
OTP_SEND_DAILY_LIMIT = env_int("OTP_SEND_DAILY_LIMIT", 10)
OTP_TOTP_ISSUER = "庆阳一网通办"
# REST API tokens for app / WeChat / Alipay clients.
# Cases: when a case's light turns yellow (at most N working days or X % of its limit left), how
# often a progress query may fail per case number, and the upload size limit.
CASES_WARNING_DAYS = env_int("CASES_WARNING_DAYS", 2)
CASES_WARNING_PERCENT = env_int("CASES_WARNING_PERCENT", 20)
CASES_QUERY_FAILURE_LIMIT = env_int("CASES_QUERY_FAILURE_LIMIT", 5)
# Wrong booking codes a kiosk (or anyone posting to it) may enter per 15 minutes per address.
BOOKINGS_CHECK_IN_FAILURE_LIMIT = env_int("BOOKINGS_CHECK_IN_FAILURE_LIMIT", 30)
CASES_UPLOAD_MAX_MB = env_int("CASES_UPLOAD_MAX_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = (CASES_UPLOAD_MAX_MB + 2) * 1024 * 1024

# Reviews (好差评): default rating after N days unrated, its level (GB/T 39046 code), the
# rectification deadline of a bad review in working days, how long an SMS invitation works.
REVIEWS_DEFAULT_AFTER_DAYS = env_int("REVIEWS_DEFAULT_AFTER_DAYS", 5)
REVIEWS_DEFAULT_LEVEL = env_str("REVIEWS_DEFAULT_LEVEL", "2")
REVIEWS_RECTIFY_DAYS = env_int("REVIEWS_RECTIFY_DAYS", 15)
REVIEWS_INVITATION_DAYS = env_int("REVIEWS_INVITATION_DAYS", 30)
# The platform's public address, for links sent by SMS (the review invitation).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

API_ACCESS_TOKEN_SECONDS = env_int("API_ACCESS_TOKEN_SECONDS", 2 * 3600)
API_REFRESH_TOKEN_SECONDS = env_int("API_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600)
# Wrong client id or secret (department systems) per address per 15 minutes, then 429.
API_CLIENT_FAILURE_LIMIT = env_int("API_CLIENT_FAILURE_LIMIT", 20)

# --- notify (SMS outbox) ------------------------------------------------------------------------
# (owned by the notify app: its backends and gateway settings go here; see docs/sms.md)
# Development and tests write messages to a JSON-lines file (the "local phone"); production
# talks to the HTTP SMS gateway and needs its URL, app key and secret.
NOTIFY = {
    "SMS_BACKEND": env_str(
        "SMS_BACKEND",
        "yiwang.notify.backends.HttpGatewayBackend"
        if PRODUCTION
        else "yiwang.notify.backends.FileBackend",
    ),
    "SMS_FILE": env_str("SMS_FILE", str(DATA_DIR / "sms" / "outbox.jsonl")),
    "GATEWAY_URL": env_str("SMS_GATEWAY_URL", ""),
    "GATEWAY_APP_KEY": env_str("SMS_GATEWAY_APP_KEY", ""),
    "GATEWAY_APP_SECRET": env_str("SMS_GATEWAY_APP_SECRET", ""),
    "GATEWAY_TIMEOUT_SECONDS": env_int("SMS_GATEWAY_TIMEOUT_SECONDS", 10),
    "SIGN_NAME": env_str("SMS_SIGN_NAME", "庆阳政务"),
    # Delivery: attempts before giving up, exponential backoff between them, and how long a
    # worker may hold a message in "sending" before the retry sweep takes it over.
    "MAX_ATTEMPTS": env_int("SMS_MAX_ATTEMPTS", 5),
    "BACKOFF_SECONDS": env_int("SMS_BACKOFF_SECONDS", 60),
    "BACKOFF_MAX_SECONDS": env_int("SMS_BACKOFF_MAX_SECONDS", 3600),
    "SENDING_LEASE_SECONDS": env_int("SMS_SENDING_LEASE_SECONDS", 120),
    # Platform-side flood guard, counted from the outbox table.
    "PER_PHONE_PER_MINUTE": env_int("SMS_PER_PHONE_PER_MINUTE", 5),
    "PER_PHONE_PER_HOUR": env_int("SMS_PER_PHONE_PER_HOUR", 30),
}

# --- OIDC: the platform as provider, and as client of the provincial provider ------------------
# (owned by accounts.oidc: django-oauth-toolkit and mozilla-django-oidc settings; docs/sso.md)
from typing import cast  # noqa: E402

from yiwang.accounts.oidc import config as oidc_config  # noqa: E402 (settings-safe, no models)

# The issuer is fixed in production (one public URL, whatever Host a request carries); in
# development it is derived from the request, e.g. http://127.0.0.1:8000/o.
OIDC_ISSUER = env_str("OIDC_ISSUER", "").rstrip("/")
if PRODUCTION and not OIDC_ISSUER:
    raise ImproperlyConfigured(
        "OIDC_ISSUER must be set when YIWANG_ENV=production, e.g. https://zwfw.example.cn/o"
    )
# Clients (department systems) that may ask for the `idcard` scope, i.e. the resident ID number.
OIDC_IDCARD_CLIENTS = env_list("OIDC_IDCARD_CLIENTS", [])
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": OIDC_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": oidc_config.signing_key(data_dir=DATA_DIR, production=PRODUCTION),
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": oidc_config.inactive_keys(),
    "OAUTH2_VALIDATOR_CLASS": "yiwang.accounts.oidc.provider.ClaimsValidator",
    "SCOPES_BACKEND_CLASS": "yiwang.accounts.oidc.provider.ClientScopes",
    "SCOPES": oidc_config.SCOPES,
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ACCESS_TOKEN_SECONDS", 3600),
    "ID_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ID_TOKEN_SECONDS", 3600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": env_int("OIDC_CODE_SECONDS", 60),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OIDC_REFRESH_TOKEN_SECONDS", 7 * 24 * 3600),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Ask for consent again only when a system wants more than the user already granted it.
    "REQUEST_APPROVAL_PROMPT": "auto",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # A logout carrying a valid ID token of the signed-in user needs no confirmation page.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    # RFC 9700 (OAuth 2.0 security best current practice), all enforced: no implicit or
    # password grant, S256 only, no tokens in query strings, tokens stored as hashes. The
    # RFC 9207 `iss` response parameter needs the fixed issuer.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": bool(OIDC_ISSUER),
}
# The consent and logout pages, in Chinese.
cast("list[Path]", TEMPLATES[0]["DIRS"]).append(PACKAGE_DIR / "accounts" / "oidc" / "templates")

# The provincial identity provider, through mozilla-django-oidc: only when its variables are set.
_oidc_upstream = oidc_config.upstream_settings()
OIDC_UPSTREAM_ENABLED = bool(_oidc_upstream)
OIDC_UPSTREAM_ISSUER = _oidc_upstream.get("OIDC_UPSTREAM_ISSUER", "")
if OIDC_UPSTREAM_ENABLED:
    OIDC_RP_CLIENT_ID = _oidc_upstream["OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = _oidc_upstream["OIDC_RP_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc_upstream["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = _oidc_upstream["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = _oidc_upstream["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = _oidc_upstream["OIDC_OP_JWKS_ENDPOINT"]
    OIDC_RP_SIGN_ALGO = _oidc_upstream["OIDC_RP_SIGN_ALGO"]
    OIDC_RP_SCOPES = _oidc_upstream["OIDC_RP_SCOPES"]
    AUTHENTICATION_BACKENDS = [
        *AUTHENTICATION_BACKENDS,
        "yiwang.accounts.oidc.upstream.UpstreamOIDCBackend",
    ]
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:upstream_callback"
OIDC_TIMEOUT = env_int("OIDC_UPSTREAM_TIMEOUT_SECONDS", 10)

# --- catalog sync -------------------------------------------------------------------------------
# (owned by catalog.sync: the provincial catalog's change feed; docs/catalog.md, "Provincial sync")
# No URL, no sync: the periodic job does nothing. `yiwang provincial_catalog_server` is a local
# feed for development.
CATALOG_SYNC = {
    "URL": env_str("CATALOG_SYNC_URL", ""),  # base, e.g. https://zwfw.example.cn/catalog/v1
    "APP_KEY": env_str("CATALOG_SYNC_APP_KEY", ""),
    "APP_SECRET": env_str("CATALOG_SYNC_APP_SECRET", ""),
    "TIMEOUT_SECONDS": env_int("CATALOG_SYNC_TIMEOUT_SECONDS", 10),
    "BATCH_LIMIT": env_int("CATALOG_SYNC_BATCH_LIMIT", 20),  # batches per request
}

# --- reporting (upward reporting of case data to the provincial platform) -----------------------
# (owned by the reporting app; docs/reporting.md) Development and tests write records to a
# JSON-lines file; production posts them to the provincial platform and needs its URL and keys.
REPORTING = {
    "BACKEND": env_str(
        "REPORTING_BACKEND",
        "yiwang.reporting.backends.HttpReportingBackend"
        if PRODUCTION
        else "yiwang.reporting.backends.FileReportingBackend",
    ),
    "FILE": env_str("REPORTING_FILE", str(DATA_DIR / "reporting" / "outbox.jsonl")),
    "URL": env_str("REPORTING_URL", ""),  # e.g. https://zwfw.example.cn/report/v1/records
    "APP_ID": env_str("REPORTING_APP_ID", ""),
    "APP_SECRET": env_str("REPORTING_APP_SECRET", ""),
    "CONNECT_TIMEOUT_SECONDS": env_int("REPORTING_CONNECT_TIMEOUT_SECONDS", 5),
    "TIMEOUT_SECONDS": env_int("REPORTING_TIMEOUT_SECONDS", 15),
    "MAX_ATTEMPTS": env_int("REPORTING_MAX_ATTEMPTS", 20),
    "BACKOFF_SECONDS": env_int("REPORTING_BACKOFF_SECONDS", 60),
    "BACKOFF_MAX_SECONDS": env_int("REPORTING_BACKOFF_MAX_SECONDS", 3600),
    "SENDING_LEASE_SECONDS": env_int("REPORTING_SENDING_LEASE_SECONDS", 120),
}
# --- end of reporting ---------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; filled by collectstatic
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler masks ID numbers and phone numbers: logs carry no personal data.
    "filters": {"mask_pii": {"()": "yiwang.core.masking.MaskingLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_pii"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- Yiwang -------------------------------------------------------------------------------------
YIWANG = {
    "CITY_NAME": env_str("YIWANG_CITY_NAME", "庆阳市"),
    "CITY_CODE": env_str("YIWANG_CITY_CODE", "621000000000"),
    "HOTLINE": env_str("YIWANG_HOTLINE", "12345"),
    "PLATFORM_NAME": env_str("YIWANG_PLATFORM_NAME", "庆阳市一体化在线政务服务平台"),
}
