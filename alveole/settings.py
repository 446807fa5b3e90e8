"""Alvéole's settings, read from environment variables only (see docs/admin/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from alveole.core.env import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_choice("ALVEOLE_ENV", "development", ("development", "production", "test"))
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("ALVEOLE_DEBUG", default=ENVIRONMENT == "development")

DATA_DIR = Path(env_str("ALVEOLE_DATA_DIR", str(BASE_DIR / "var"))).resolve()

SECRET_KEY = env_str("ALVEOLE_SECRET_KEY")
ALLOWED_HOSTS = env_list("ALVEOLE_ALLOWED_HOSTS")
if PRODUCTION:
    if len(SECRET_KEY) < 50:
        raise ConfigurationError(
            "ALVEOLE_SECRET_KEY must be set to a random string of at least 50 characters "
            "in production"
        )
    if not ALLOWED_HOSTS:
        raise ConfigurationError("ALVEOLE_ALLOWED_HOSTS must list the host names in production")
    if DEBUG:
        raise ConfigurationError("ALVEOLE_DEBUG cannot be on in production")
else:
    SECRET_KEY = SECRET_KEY or "alveole-development-key-not-for-production-use-0123456789"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = env_list("ALVEOLE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "alveole.core",
    "alveole.coop",
    "alveole.people",
    "alveole.businesses",
    "alveole.ledger",
    "alveole.einvoicing",
    "alveole.purchases",
    "alveole.sales",
    "alveole.payroll",
    "alveole.support",
    "alveole.governance",
    "alveole.reports",
    "alveole.privacy",
    "alveole.demo",
]

MIDDLEWARE = [
    "alveole.core.logging.RequestIdMiddleware",  # first: every log line of a request has its id
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "alveole.core.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that its process_exception runs first: a lost database is a 503, not a 500.
    "alveole.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "alveole.urls"
WSGI_APPLICATION = "alveole.wsgi.application"
ASGI_APPLICATION = "alveole.asgi.application"

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
                "alveole.core.context_processors.alveole",
                "alveole.governance.context_processors.governance",
            ],
        },
    }
]

# Database: SQLite by default, PostgreSQL (or any URL dj-database-url knows) via DATABASE_URL.
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except ValueError as error:
        raise ConfigurationError(
            f"DATABASE_URL is not a database URL Alvéole knows: {error}"
        ) from None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("ALVEOLE_SQLITE_PATH", str(DATA_DIR / "alveole.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN: no read-then-write upgrade races,
                # the SQLite counterpart of select_for_update (see docs/adr/0002).
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("ALVEOLE_SQLITE_TIMEOUT", 20, minimum=1),
                # cache_size: 64 MB of pages per connection instead of 2 MB; on the
                # benchmark's million invoices, an import reads the open items' index
                # 25 % faster (docs/scaling.md).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA cache_size=-65536;"
                ),
            },
            "TEST": {"NAME": env_str("ALVEOLE_SQLITE_TEST_PATH") or None},
        }
    }
# Cache: the yearly report's figures and page, computed once per version of the data and
# of the code (alveole/reports/selectors.py). "database": one table (`alveole_cache`,
# created by the migrations) shared by every worker and every machine, kept across
# restarts; the default on PostgreSQL. "memory": each process its own; the default on
# SQLite, where writing to the table would wait for the file's one writer (an import), and
# what the tests use (see conftest.py).
ALVEOLE_CACHE = env_choice(
    "ALVEOLE_CACHE",
    "memory" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "database",
    ("database", "memory"),
)
CACHES = {
    "default": {
        **(
            {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "alveole_cache",
                # A cached page is about 130 KB in the table: at most 300 entries (Django's
                # default, about 40 MB); when full, the expired ones go, then a third of the
                # rest in the order of their keys (not their age).
                "OPTIONS": {"MAX_ENTRIES": 300},
            }
            if ALVEOLE_CACHE == "database"
            else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        ),
        # Every key carries the code's version: an upgrade never reads an older version's
        # entries (alveole/core/cache.py).
        "KEY_FUNCTION": "alveole.core.cache.make_key",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
# The first reads each page's account with its person; Django's own stays for the sessions
# opened before it (alveole/people/auth.py).
AUTHENTICATION_BACKENDS = [
    "alveole.people.auth.AccountBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
SESSION_COOKIE_AGE = env_int("ALVEOLE_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("ALVEOLE_SESSION_BROWSER_CLOSE", default=True)
CSRF_COOKIE_HTTPONLY = True
# Login throttling (alveole/core/throttling.py): failures before a lockout, lockout length.
ALVEOLE_LOGIN_MAX_FAILURES = env_int("ALVEOLE_LOGIN_MAX_FAILURES", 5, minimum=1)
ALVEOLE_LOGIN_LOCKOUT_SECONDS = env_int("ALVEOLE_LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
# Two-factor authentication (TOTP, django-otp): required for these roles, optional for others.
# "none" turns the requirement off (a local demo without phones), never in production.
ALVEOLE_2FA_REQUIRED_ROLES = [
    role
    for role in env_list("ALVEOLE_2FA_REQUIRED_ROLES", ["staff", "accountant", "director"])
    if role != "none"
]
if PRODUCTION and not ALVEOLE_2FA_REQUIRED_ROLES:
    raise ConfigurationError("ALVEOLE_2FA_REQUIRED_ROLES cannot be 'none' in production")
OTP_TOTP_ISSUER = env_str("ALVEOLE_OTP_ISSUER", "Alvéole")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "alveole" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "files"  # never served directly: files go through permission checks
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
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing

# E-mail: the console in development and the demo, SMTP in production (Django's MAILERS).
_mail_backend = env_str(
    "ALVEOLE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_mail_options: dict = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("ALVEOLE_EMAIL_HOST", "localhost"),
        "port": env_int("ALVEOLE_EMAIL_PORT", 25, minimum=1, maximum=65535),
        "username": env_str("ALVEOLE_EMAIL_USER"),
        "password": env_str("ALVEOLE_EMAIL_PASSWORD"),
        "use_tls": env_bool("ALVEOLE_EMAIL_TLS", default=False),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("ALVEOLE_FROM_EMAIL", "Alvéole <no-reply@alveole.localhost>")

# Background work: Django's tasks framework with the database-backed worker.
TASKS = {
    "default": {
        "BACKEND": env_str("ALVEOLE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers; the cookie and HSTS settings tighten in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django's own middleware): scripts only from Alvéole's static
# files, never inline; styles allow inline attributes (a few templates and HTMX use them).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("ALVEOLE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("ALVEOLE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs on standard error: plain text, or one JSON object per line (ALVEOLE_LOG_FORMAT=json,
# LOG_FORMAT also read), each line with the id of the request it belongs to.
LOG_FORMAT = env_choice("ALVEOLE_LOG_FORMAT", env_str("LOG_FORMAT", "plain"), ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "alveole.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "alveole.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("ALVEOLE_LOG_LEVEL", "INFO").upper()},
}

# Alvéole's own settings.
ALVEOLE_API_PAGE_SIZE = env_int("ALVEOLE_API_PAGE_SIZE", 50, minimum=1, maximum=500)
# The official e-invoicing validation artefacts (schematrons, XSD): see docs/einvoicing.md.
ALVEOLE_EINVOICE_ARTEFACTS = env_str(
    "ALVEOLE_EINVOICE_ARTEFACTS", str(BASE_DIR.parent / "shared" / "einvoice")
)
ALVEOLE_IMPORT_MAX_BYTES = env_int("ALVEOLE_IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# The cooperative's Plateforme Agréée (AFNOR XP Z12-013 Flow service): see docs/einvoicing.md.
ALVEOLE_PA_URL = env_str("ALVEOLE_PA_URL")
ALVEOLE_PA_TOKEN = env_str("ALVEOLE_PA_TOKEN")
ALVEOLE_PA_TIMEOUT = env_int("ALVEOLE_PA_TIMEOUT", 10, minimum=1)
