"""Settings for the studio, read from environment variables.

Every variable is listed in `.env.example`. The typed helpers below fail loudly on a
value they cannot read, so a typo in a deployment stops the process at start-up instead
of running with a silently different configuration.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# Everything the studio writes (the SQLite database, media, the generated secret key and
# the local engine's development key) lives under one folder.
DATA_DIR = Path(env_str("STUDIO_DATA_DIR", str(BASE_DIR / "var"))).resolve()


def _secret_key() -> str:
    """The configured key, or one generated once and kept in the data folder."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key)
    os.replace(tmp, path)
    return key


SECRET_KEY = _secret_key()
# The one debug switch, read here only; everything else asks `settings.DEBUG`.
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The operators' admin at /admin/, for staff accounts only (not a team role).
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "studio.workers",
    "studio.accounts",
    "studio.teams",
    "studio.generations",
    "studio.composer",
    "studio.review",
    "studio.api",
    "studio.previews",
    "studio.notifications",
    "studio.health",
    "studio.core",
    "axes",  # sign-in throttling (studio/accounts/throttle.py)
]

ENGINE_ENABLED = env_bool("ENGINE_ENABLED", True)
if ENGINE_ENABLED:
    INSTALLED_APPS.append("studio.engine")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files (an SVG opened on its own) carry the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After the CSRF check: refuses control characters in URLs and NULs in forms.
    "studio.middleware.RefuseUnstorableText",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Bearer tokens on the pages that take them (exports): after the session's user.
    "studio.api.middleware.PageTokens",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out sign-in page into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"
ASGI_APPLICATION = "studio.asgi.application"

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
                "studio.teams.context.current_team",
                "studio.notifications.context.unread",
                "studio.contract.browser.context_processor",
            ],
        },
    },
]

# SQLite in the data folder unless DATABASE_URL points elsewhere (PostgreSQL for teams).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'studio.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server, the poller and the engine's worker
    # share one SQLite file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: an in-memory database is one connection shared by every
    # thread, so a live server answering a browser's parallel requests trips over itself.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-studio.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Checked wherever a password is chosen: an invite's sign-up, the change-password page, the
# first account's STUDIO_ADMIN_PASSWORD, and Django's createsuperuser/changepassword.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # The username is the email (named first, so a refusal says "email address"); the
        # name is kept in first_name.
        "OPTIONS": {"user_attributes": ("email", "username", "first_name", "last_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "studio.accounts.passwords.NotOnlyWhitespaceValidator"},
]
# The throttle first: it refuses a locked-out (email, address) before any password is checked.
AUTHENTICATION_BACKENDS = [
    "studio.accounts.throttle.SignInThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
# Serving straight from the source folders keeps a fresh clone working without a
# collectstatic step; deployments may still collect and compress.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
MEDIA_URL = "/media/"

# Where uploads, outputs and derived media live: "disk" (MEDIA_ROOT) or "s3" (a bucket,
# through django-storages, configured by its standard AWS_* variables). With s3 nothing
# of the media stays on the web or worker machines (see studio/mediastore.py).
STUDIO_STORAGE = env_str("STUDIO_STORAGE", "disk").strip().lower() or "disk"
if STUDIO_STORAGE not in {"disk", "s3"}:
    raise ImproperlyConfigured(f"STUDIO_STORAGE must be disk or s3, not {STUDIO_STORAGE!r}")
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
# Objects are private: every link is a presigned one, minted after the studio's own check.
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
# A link lives long enough to start playback or a download, not to be passed around.
AWS_QUERYSTRING_EXPIRE = env_int("STUDIO_STORAGE_LINK_SECONDS", 300)
# Names are chosen by the studio (one folder per generation); a save keeps the name.
AWS_S3_FILE_OVERWRITE = True
if STUDIO_STORAGE == "s3" and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("STUDIO_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
STORAGES = {
    "default": {
        "BACKEND": (
            "storages.backends.s3.S3Storage"
            if STUDIO_STORAGE == "s3"
            else "django.core.files.storage.FileSystemStorage"
        )
    },
    # The local engine's uploads and outputs: ENGINE_MEDIA_ROOT on disk, or the engine/
    # prefix of the same bucket, so engine workers and /v1/ servers share no disk either.
    "engine": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"location": "engine"}}
        if STUDIO_STORAGE == "s3"
        else {"BACKEND": "studio.engine.storage.EngineDiskStorage"}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True

# Served over HTTPS (directly, or behind a proxy that terminates TLS): one switch turns on
# everything that depends on it, so `manage.py check --deploy` is clean with it alone.
if env_str("SESSION_COOKIE_SECURE"):
    # Dropping it silently would send a deployment's cookies over plain HTTP again.
    raise ImproperlyConfigured("SESSION_COOKIE_SECURE is replaced by STUDIO_HTTPS=true")
STUDIO_HTTPS = env_bool("STUDIO_HTTPS", False)
SESSION_COOKIE_SECURE = STUDIO_HTTPS
CSRF_COOKIE_SECURE = STUDIO_HTTPS
SECURE_SSL_REDIRECT = STUDIO_HTTPS
# The studio's own processes call the local engine on the address runstudio binds, in plain
# HTTP behind any proxy; a redirect there would send them to a port that speaks no TLS.
# Load balancers and orchestrators probe /healthz and /readyz in plain HTTP too.
SECURE_REDIRECT_EXEMPT = [r"^v1/", r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if STUDIO_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = STUDIO_HTTPS
SECURE_HSTS_PRELOAD = STUDIO_HTTPS


def _proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """The header a TLS-terminating proxy sets to `https`, as Django's META key.

    Trusted only when configured: a client could send it itself to a studio reached directly.
    """
    raw = env_str(name).strip()
    if not raw:
        return None
    if not raw.replace("-", "").isalnum() or not raw.isascii():
        raise ImproperlyConfigured(
            f"{name} must be a header name like X-Forwarded-Proto, not {raw!r}"
        )
    return ("HTTP_" + raw.upper().replace("-", "_"), "https")


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header("STUDIO_PROXY_SSL_HEADER")
X_FRAME_OPTIONS = "DENY"


def _origins(name: str) -> list[str]:
    """Origins (`https://host[:port]`); anything else could add words to the policy."""
    origins = env_list(name)
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise ImproperlyConfigured(
                f"{name} must list origins like https://media.example.com, not {origin!r}"
            )
    return origins


# Content Security Policy: scripts and styles only from the studio's own files, so markup
# that slipped through escaping cannot run code or restyle a page. Pages therefore have
# no inline <script>, on* handler or style attribute (scripts set styles through the
# CSSOM, which the policy allows); `json_script` data blocks are never executed.
# STUDIO_MEDIA_ORIGINS adds origins that images and video may come from (a storage
# service's links).
STUDIO_MEDIA_ORIGINS = _origins("STUDIO_MEDIA_ORIGINS")
if STUDIO_STORAGE == "s3":
    # Pages play and show media from the bucket's presigned links (a redirect from the
    # studio's own file URLs): the store's origin must be allowed to serve them.
    if AWS_S3_ENDPOINT_URL:
        _endpoint = re.match(r"^(https?://[^/]+)", AWS_S3_ENDPOINT_URL)
        if _endpoint is None:
            raise ImproperlyConfigured(
                f"AWS_S3_ENDPOINT_URL must be a URL like https://s3.example.com, "
                f"not {AWS_S3_ENDPOINT_URL!r}"
            )
        STUDIO_MEDIA_ORIGINS.append(_endpoint.group(1))
    else:
        STUDIO_MEDIA_ORIGINS.append("https://*.amazonaws.com")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, *STUDIO_MEDIA_ORIGINS],
    "media-src": [CSP.SELF, *STUDIO_MEDIA_ORIGINS],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The first account, created by `runstudio` on a fresh database.
STUDIO_ADMIN_EMAIL = env_str("STUDIO_ADMIN_EMAIL", "admin@studio.local")
STUDIO_ADMIN_PASSWORD = env_str("STUDIO_ADMIN_PASSWORD")

# Sign-in throttling (django-axes, see studio/accounts/throttle.py): after this many failed
# sign-ins for one email from one address, that pair is refused for the cool-off.
STUDIO_SIGNIN_FAILURE_LIMIT = env_int("STUDIO_SIGNIN_FAILURE_LIMIT", 5)
STUDIO_SIGNIN_COOLOFF_MINUTES = env_int("STUDIO_SIGNIN_COOLOFF_MINUTES", 15)
if STUDIO_SIGNIN_FAILURE_LIMIT < 1 or STUDIO_SIGNIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(
        "STUDIO_SIGNIN_FAILURE_LIMIT and STUDIO_SIGNIN_COOLOFF_MINUTES must be at least 1"
    )
# Reverse proxies in front of the studio that append to X-Forwarded-For; 0 (reached
# directly) counts sign-ins by the connection's address and ignores that header.
STUDIO_PROXY_COUNT = env_int("STUDIO_PROXY_COUNT", 0)
if STUDIO_PROXY_COUNT < 0:
    raise ImproperlyConfigured("STUDIO_PROXY_COUNT must be 0 or more")
AXES_FAILURE_LIMIT = STUDIO_SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=STUDIO_SIGNIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "studio.accounts.throttle.client_ip"
AXES_USERNAME_CALLABLE = "studio.accounts.throttle.client_username"
AXES_LOCKOUT_CALLABLE = "studio.accounts.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Failures are kept (to count them); successful sign-ins need no log of addresses.
AXES_DISABLE_ACCESS_LOG = True
# A failure's form data is kept with it, and logged: never the passwords of any of our
# forms (nor, in the log, the email and address: axes' own default).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
]

# The generation API the studio talks to. Left empty, the local engine's base URL and
# development key are used (runstudio passes them to the processes it starts).
LUMA_BASE_URL = env_str("LUMA_BASE_URL")
LUMA_AGENTS_API_KEY = env_str("LUMA_AGENTS_API_KEY")
LUMA_TIMEOUT = env_float("LUMA_TIMEOUT", 30.0)
# The sender's limits per API key (the API allows about 10 running jobs and 30 creates a
# minute per key); a team's own API may set its own on the team page.
LUMA_MAX_CONCURRENT = env_int("LUMA_MAX_CONCURRENT", 10)
LUMA_MAX_RPM = env_int("LUMA_MAX_RPM", 30)
# The sliding window (seconds) that creates per key are counted over, by the sender and
# by the local engine alike. The API's is 60 s (contract §5); only tests shorten it.
RATE_WINDOW_S = env_float("RATE_WINDOW_S", 60.0)

# Addresses the studio is handed (a team's API, output and upload links, image URLs) are
# fetched only when public, except these host:port pairs an administrator allows (an
# internal gateway, say); LUMA_BASE_URL and AWS_S3_ENDPOINT_URL are allowed as well.
STUDIO_ALLOWED_API_HOSTS = env_list("STUDIO_ALLOWED_API_HOSTS")
# Caps on each answer fetched from such an address: its size, and the time to its end.
STUDIO_FETCH_MAX_BYTES = env_int("STUDIO_FETCH_MAX_BYTES", 8 * 1024**3)
STUDIO_FETCH_MAX_SECONDS = env_float("STUDIO_FETCH_MAX_SECONDS", 900.0)

# The poller.
POLLER_CONCURRENCY = env_int("POLLER_CONCURRENCY", 16)
# Renewed while a pass works on a row, so a dead poller's rows are free again within it.
POLLER_LEASE_SECONDS = env_int("POLLER_LEASE_SECONDS", 45)
POLLER_BATCH = env_int("POLLER_BATCH", 200)

# The trash: a trashed generation's files are purged after this many days. The purge and
# the teams' retention rules run in the poller's loop, in one poller at a time, every
# STUDIO_HOUSEKEEPING_SECONDS.
STUDIO_TRASH_DAYS = env_int("STUDIO_TRASH_DAYS", 30)
STUDIO_HOUSEKEEPING_SECONDS = env_int("STUDIO_HOUSEKEEPING_SECONDS", 300)

# Health and metrics (studio/health). /readyz wants a heartbeat from each expected role
# younger than its limit: the poller and sender beat every few seconds; an engine worker
# beats between renders, so its limit outlasts a long render.
STUDIO_HEARTBEAT_LIMIT_S = env_float("STUDIO_HEARTBEAT_LIMIT_S", 120.0)
STUDIO_ENGINE_HEARTBEAT_LIMIT_S = env_float("STUDIO_ENGINE_HEARTBEAT_LIMIT_S", 600.0)
# /metrics answers only with this bearer token; unset, it is not there at all (404).
STUDIO_METRICS_TOKEN = env_str("STUDIO_METRICS_TOKEN")

# The local engine.
ENGINE_RPM_LIMIT = env_int("ENGINE_RPM_LIMIT", 30)
ENGINE_CONCURRENT_LIMIT = env_int("ENGINE_CONCURRENT_LIMIT", 10)
ENGINE_BALANCE_ENABLED = env_bool("ENGINE_BALANCE_ENABLED", False)
ENGINE_LINK_TTL = env_int("ENGINE_LINK_TTL", 3600)
ENGINE_MODERATION_WORDS = env_list("ENGINE_MODERATION_WORDS", "gore,beheading")
ENGINE_FAULT_RENDER_RATE = env_float("ENGINE_FAULT_RENDER_RATE", 0.0)
ENGINE_FAULT_GET_RATE = env_float("ENGINE_FAULT_GET_RATE", 0.0)
ENGINE_WORKERS = env_int("ENGINE_WORKERS", 1)
# A render's claim, renewed while it renders: a killed worker's job is retaken after it.
ENGINE_LEASE_SECONDS = env_int("ENGINE_LEASE_SECONDS", 60)
# The engine's uploads and outputs on disk (STORAGES["engine"]); unused with a bucket.
ENGINE_MEDIA_ROOT = Path(env_str("ENGINE_MEDIA_ROOT", str(DATA_DIR / "engine"))).resolve()

# Email (notifications), through Django's mailers: EMAIL_URL such as
# `smtp://user:password@host:587/?tls=True`, or else the usual EMAIL_BACKEND, EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS and EMAIL_USE_SSL. By
# default emails are printed by the worker that sends them (the console backend).
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _mailer(name: str) -> dict[str, object]:
    raw = env_str(name)
    config: dict[str, object] = dj_email_url.parse(raw) if raw else {}
    if raw and "EMAIL_BACKEND" not in config:
        raise ImproperlyConfigured(
            f"{name} must be like smtp://user:password@host:587/?tls=True or console:, "
            f"not {raw.split(':', 1)[0]!r}:…"
        )
    backend = str(
        config.get("EMAIL_BACKEND")
        or env_str("EMAIL_BACKEND")
        or "django.core.mail.backends.console.EmailBackend"
    )
    if backend != SMTP_BACKEND:
        return {"BACKEND": backend}
    options: dict[str, object] = {
        "host": config.get("EMAIL_HOST") or env_str("EMAIL_HOST") or "localhost",
        "port": config.get("EMAIL_PORT") or env_int("EMAIL_PORT", 25),
        "username": config.get("EMAIL_HOST_USER") or env_str("EMAIL_HOST_USER"),
        "password": config.get("EMAIL_HOST_PASSWORD") or env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": bool(config.get("EMAIL_USE_TLS")) or env_bool("EMAIL_USE_TLS"),
        "use_ssl": bool(config.get("EMAIL_USE_SSL")) or env_bool("EMAIL_USE_SSL"),
        # Never a connection without a timeout.
        "timeout": env_float("EMAIL_TIMEOUT", 20.0),
    }
    if options["use_tls"] and options["use_ssl"]:
        raise ImproperlyConfigured("Choose one of TLS and SSL for email, not both")
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer("EMAIL_URL")}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Studio <studio@localhost>")
# The hour (0–23, in TIME_ZONE) after which each person's daily digest is sent.
NOTIFY_DIGEST_HOUR = env_int("NOTIFY_DIGEST_HOUR", 8)
if not 0 <= NOTIFY_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("NOTIFY_DIGEST_HOUR must be an hour from 0 to 23")

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "studio": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
