"""Settings for the employment-initiatives knowledge base.

Every environment variable is read here, at the top, through helpers that refuse bad
values: a typo in production should stop the process, not silently change behaviour.
With nothing set, the site runs in debug mode on a SQLite file in the project directory.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}")


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name, default, minimum=0):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_database(name, default):
    return database_config(name, os.environ.get(name) or default)


def database_config(name, raw):
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # the library raises several types for a malformed URL
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {raw!r} ({exc})") from exc
    if config.get("ENGINE") not in (
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    ):
        raise ImproperlyConfigured(f"{name} must point at SQLite or PostgreSQL, not {raw!r}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = sqlite_options(env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1))
    return config


def sqlite_options(busy_timeout):
    """Readers and writers side by side (Django 5.2's SQLite OPTIONS).

    Write-ahead logging lets pages read while an ingest writes (with the rollback journal a
    writer locks readers out, and they answered 503). Every transaction begins IMMEDIATE:
    it takes the write lock at BEGIN, waiting up to ``busy_timeout`` seconds for another
    writer, instead of failing with "database is locked" when a read turns into a write
    half-way (SQLite cannot wait there without risking a deadlock). ``synchronous=NORMAL``
    is the documented safe pairing with WAL: a power cut may lose the last commits, never
    the file.
    """
    return {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": busy_timeout,
    }


_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Read replicas of a PostgreSQL primary, comma-separated URLs: each process reads from one of
# them, every write goes to DATABASE_URL (config.routers.ReplicaRouter; README "Scale-out").
DATABASE_REPLICAS = []
for _n, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_n}"] = database_config("DATABASE_REPLICA_URLS", _url)
    DATABASE_REPLICAS.append(f"replica{_n}")
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"] if DATABASE_REPLICAS else []

if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 32 characters "
        "when DJANGO_DEBUG is off."
    )

# Security (docs/RELIABILITY.md). `manage.py check --deploy` is clean with DJANGO_DEBUG=false,
# a random DJANGO_SECRET_KEY of 50+ characters, DJANGO_ALLOWED_HOSTS and DJANGO_HTTPS=true.
# DJANGO_HTTPS=true: the site is reached over TLS only — redirect http to https, HSTS for a
# year (with includeSubDomains and preload), cookies marked Secure. Behind a proxy that
# terminates TLS, also set DJANGO_PROXY_SSL_HEADER=true (the proxy must set
# X-Forwarded-Proto and strip it from clients).
HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (config.middleware.ContentSecurityPolicyMiddleware): no inline
# script or style on the site's pages. The admin (Django's change list, our change forms)
# has <style> blocks, so /admin/ alone also allows inline styles; never inline scripts.
CSP_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
CSP_RELAXED_POLICY = {**CSP_POLICY, "style-src": "'self' 'unsafe-inline'"}
CSP_RELAXED_PREFIXES = ["/admin/"]

# Admin login throttle (config.middleware.AdminLoginThrottleMiddleware): failures per
# client address + user name, and per address, within the window → 429.
ADMIN_LOGIN_MAX_FAILURES = env_int("ADMIN_LOGIN_MAX_FAILURES", 5, minimum=1)
ADMIN_LOGIN_MAX_FAILURES_PER_IP = env_int("ADMIN_LOGIN_MAX_FAILURES_PER_IP", 30, minimum=1)
ADMIN_LOGIN_WINDOW = env_int("ADMIN_LOGIN_WINDOW", 15 * 60, minimum=1)
ADMIN_LOGIN_THROTTLE_CACHE = "throttle"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by all gunicorn workers on the host, so the limit is not per process.
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("DJANGO_THROTTLE_DIR", str(BASE_DIR / ".cache" / "throttle")),
    },
}

# Seconds a client is told to wait (Retry-After) when the database is unavailable (503).
DATABASE_RETRY_AFTER = env_int("DATABASE_RETRY_AFTER", 30, minimum=1)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tasks",  # the Tasks API (django.tasks from Django 6.0)
    "django_tasks_db",  # its queue in the site's own database: nothing else to run or back up
    "regions",
    "initiatives",
    "ingest",
]

MIDDLEWARE = [
    "config.middleware.RequestLogMiddleware",  # first: its status and time cover the rest
    # Second: every response below it gets the header, 400 and 429 included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.InvalidCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.languages.LanguageMiddleware",  # /en/… English, Chinese at the root
    "django.middleware.common.CommonMiddleware",
    "config.middleware.AdminLoginThrottleMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",  # last: sees view errors first
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "config.languages.language_urls",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The public pages' repeated fragments (facet lists, tile map, chart, result list),
        # drawn through initiatives.templatetags.fragments: compiled Jinja2 templates are
        # several times faster than the Django template language for hundreds of links.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "initiatives.pictures.fragments.environment"},
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Exports (CSV url columns, the full download, manage.py export) build absolute links from
# SITE_URL, never from the request's Host header: a download is then the same whichever name
# reached the site, and command-line exports match the web ones.
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
# The licence declared for the published data (an SPDX identifier); datapackage.json and
# README.txt in the full download name it.
DATA_LICENSE = env_str("DATA_LICENSE", "CC-BY-4.0")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Documents above this size are refused by ingest (command and admin upload alike).
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# ...and so are documents whose text comes to more characters than this (a compressed or
# crafted file can expand far beyond its bytes; 3 M is about 9 MB of Chinese text).
INGEST_MAX_CHARS = env_int("INGEST_MAX_CHARS", 3_000_000, minimum=1000)
# Word, PDF and HTML files are read in a child process with these limits per document
# (ingest.isolation): a hostile file costs one refusal, not the worker or the batch.
INGEST_READ_SECONDS = env_int("INGEST_READ_SECONDS", 120, minimum=1)
INGEST_READ_MEMORY_MB = env_int("INGEST_READ_MEMORY_MB", 1024, minimum=64)

# Uploads are read and extracted by a worker (`manage.py db_worker`, started by bin/serve), so
# the request returns at once; the queue lives in the site's database. Tests and a one-off
# shell may set django_tasks.backends.immediate.ImmediateBackend to run tasks in-process.
TASKS = {
    "default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")},
}

# jieba writes its dictionary cache here; the default (/tmp) is not always writable.
JIEBA_CACHE_DIR = Path(env_str("JIEBA_CACHE_DIR", str(BASE_DIR / ".cache")))

# One line per request on the `requests` logger (config.middleware.RequestLogMiddleware);
# errors with their stack traces on `django.request` / `config.errors`, never to the user
# (with DEBUG off the pages are templates/500.html and 503.html). DJANGO_REQUEST_LOG=false
# silences the request lines (e.g. behind a proxy that logs them already).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "requests": {"level": "INFO" if env_bool("DJANGO_REQUEST_LOG", True) else "WARNING"},
        # The request line already says 404/400; django.request would repeat it as a warning.
        "django.request": {"level": "ERROR"},
        # Requests for other host names (scanners) are answered 400 and logged as a request
        # line; Django would add a full stack trace for each.
        "django.security.DisallowedHost": {"level": "CRITICAL"},
    },
}
