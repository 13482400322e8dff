"""Settings shared by every environment. Everything deployment-specific comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("JICENG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Field-level encryption key for personal data (身份证号, 手机号). Separate from SECRET_KEY so that
# rotating sessions never makes stored personal data unreadable.
JICENG_FIELD_KEY = os.environ.get("JICENG_FIELD_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jiceng.core",
    "jiceng.accounts",
    "jiceng.audit",
    "jiceng.territory",
    "jiceng.notices",
    "jiceng.attachments",
    "jiceng.party",
    "jiceng.orgs",
    "jiceng.people",
    "jiceng.tickets",
    "jiceng.brands",
    "jiceng.committee",
    "jiceng.needs",
    "jiceng.cobuild",
    "jiceng.members",
    "jiceng.open311",
    "jiceng.dashboards",
    "jiceng.imports",
    "jiceng.exports",
    "jiceng.periodic",
    "jiceng.api",
    "jiceng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiceng.core.middleware.HostileInputMiddleware",
    "jiceng.accounts.middleware.HtmxRedirectMiddleware",
    "jiceng.accounts.middleware.AccountSecurityMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Refusals before a view runs (jiceng.core.middleware, handler400) in the shape of each part of the site.
JICENG_ERROR_RESPONDERS = [
    ("/api/", "jiceng.api.exceptions.error_response"),
    ("/open311/", "jiceng.open311.formats.error_response"),
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiceng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiceng.accounts.context_processors.jiceng",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Concurrent writers (several server processes, the task worker): every transaction takes the write
    # lock when it begins (BEGIN IMMEDIATE) and waits up to ``timeout`` seconds for it. With SQLite's
    # deferred default a transaction that read first and then wrote failed at once with "database is
    # locked" when another process had written in between (no busy wait can help a stale snapshot).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"].pop("CONN_HEALTH_CHECKS", None)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Accounts and login security (等保 2.0, GB/T 22239-2019 level 3: 身份鉴别, 三员) ---------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jiceng.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "jiceng.accounts.validators.CharacterClassValidator"},
    {"NAME": "jiceng.accounts.validators.NotUsernameValidator"},
    {"NAME": "jiceng.accounts.validators.PasswordHistoryValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jiceng.accounts.backends.AccountBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"

JICENG_PASSWORD_MAX_AGE_DAYS = 90
JICENG_PASSWORD_HISTORY = 5
# TOTP is always required for administrator roles; the demo (DEBUG on) may skip it, and every page
# then says so (see jiceng.core.roles.admin_otp_satisfied).
JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = False
# A one-time code (动态口令绑定码) issued by the security administrator binds an account's first TOTP device.
JICENG_OTP_ENROLMENT_CODE_HOURS = 24

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jiceng.accounts.views.lockout_response"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# Lock the account, not the IP: a whole street office often shares one NAT address (docs/decisions).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Idle timeout ≤ 30 minutes: a session ends 30 minutes after it was last renewed, and a session in use is
# renewed at most once a minute (SessionRenewalMiddleware), not saved on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
JICENG_SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "jiceng.accounts.sessions"  # Django's db sessions, the per-request read in plain SQL

# --- Internationalisation: Chinese first ----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "jiceng" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "jiceng" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# "progress": what a worker publishes while its own transaction is still open (an all-or-nothing import's
# progress bar) and the web processes read, so every process must share it — files under var/ on one host
# (the embedded SQLite demo), Redis when REDIS_URL is set. A per-process memory cache would never show the
# web process a worker's progress.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "progress"),
    },
}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]},
        "progress": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "progress",
        },
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "jiceng.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jiceng.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "jiceng 基层治理平台 API",
    "DESCRIPTION": "党建引领城市基层治理平台的 REST API。所有数据按调用者的管辖范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Offline: Swagger UI would otherwise send the schema URL to validator.swagger.io for its badge.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several serializers have a field called "kind"; name each choice set explicitly.
    "ENUM_NAME_OVERRIDES": {
        "AreaKindEnum": "jiceng.territory.choices.AreaKind",
        "ImportKindEnum": "jiceng.imports.importers.KIND_CHOICES",
        "NeedCategoryEnum": "jiceng.needs.choices.NeedCategory",
        "PostCategoryEnum": "jiceng.members.choices.PostCategory",
    },
}

# --- Security headers -------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        # No <base> may re-point relative URLs; forms post only to jiceng; no site may frame a page
        # (the CSP twin of X_FRAME_OPTIONS). Swagger UI under /api/v1/docs/ needs nothing more: its
        # scripts are files (SpectacularSwaggerSplitView), and "Try it out" uses fetch, not forms.
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# Grid codes: 12-digit community code + a serial of this width (2 or 3 digits in practice, so configurable).
JICENG_GRID_SERIAL_WIDTH = 2
# Map tiles: none by default (no tiles reachable on an intranet). Set to e.g. a 天地图 URL with a key.
JICENG_MAP_TILE_URL = os.environ.get("JICENG_MAP_TILE_URL", "")
JICENG_TERM_ALERT_DAYS = 90
# Visitors without an account (jiceng.core.ratelimit; counted in the shared cache): (attempts, seconds).
JICENG_RATE_LIMITS = {
    "followup_ticket": (10, 3600),  # wrong 查询码 per ticket number
    "followup_client": (30, 3600),  # wrong 查询码 per client address
    "anonymous_report": (10, 3600),  # 我要反映 without an account, per client address
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
