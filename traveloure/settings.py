"""Traveloure settings, driven by the environment.

With no environment the project runs embedded: SQLite, the in-memory channel layer and
the django-q2 ORM broker. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL,
channels-redis and the django-q2 Redis broker; nothing else changes.
"""
import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG=0.")
# django-q2 signs queued tasks; with their own stable key a SECRET_KEY rotation (or a web and a
# worker started with different ones) no longer drops queued tasks as "BadSignature".
# apps.core hands it to django-q2. Web and worker must share it.
Q_SIGNING_KEY = os.environ.get("Q_SIGNING_KEY", SECRET_KEY)
if not DEBUG and Q_SIGNING_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set Q_SIGNING_KEY (or SECRET_KEY) when DEBUG=0.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# No "daphne" app: it only serves ``runserver`` (the web is served by the daphne command,
# see run_all) and would load Twisted into every process, the workers included (~15 MB).
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    "apps.core",
    "apps.accounts",
    "apps.requests",
    "apps.experts",
    "apps.vendors",
    "apps.itineraries",
    "apps.exports",
    "apps.coordination",
    "apps.insights",
    "apps.imports",
    "apps.integrations",
    "apps.portals",
    "apps.api",
    "apps.demo",
    # After the apps: apps.coordination's ``qcluster`` (task code loaded before the fork) replaces its own.
    "django_q",
]

MIDDLEWARE = [
    "apps.core.requestlog.RequestLogMiddleware",
    "apps.core.querystring.NulQueryStringMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.accounts.cached_user.CachedUserAuthenticationMiddleware",
    "apps.portals.pagecache.PostTicksUserClockMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.headers.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a locked-out login (axes) into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "traveloure.urls"
WSGI_APPLICATION = "traveloure.wsgi.application"
ASGI_APPLICATION = "traveloure.asgi.application"

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
                "apps.core.context_processors.map_tiles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if os.environ.get("TEST_DB_NAME"):
    # Lets several test runs share one PostgreSQL server without clobbering each other.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent commands queue
    # up instead of failing with "database is locked" when they upgrade a read lock.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    DATABASES["default"]["ENGINE"] = "apps.core.sqlite"
elif env_bool("DB_POOL", False):
    # Under ASGI each request runs in a thread of its own, so persistent connections
    # (DB_CONN_MAX_AGE) are never reused but pile up; psycopg's pool is shared by the
    # threads of a process (Django requires CONN_MAX_AGE=0 with it).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": int(os.environ.get("DB_POOL_SIZE", "10"))}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before the password is checked.
    "apps.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/home/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not env_bool("TESTING", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    # Redis Pub/Sub: a group event is one PUBLISH that each server process receives once and
    # hands to its sockets in memory. The list-based core layer costs four Redis round trips
    # per socket (pop, back-up, clean-up), which made a 500-socket fan-out wait on Redis.
    # A socket that misses an event while its process reconnects sees the version gap on
    # the next one and resyncs (see apps.coordination.consumers).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNELS_PREFIX", "traveloure")},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

Q_CLUSTER = {
    "name": os.environ.get("Q_NAME", "traveloure"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 120,
    # A worker whose resident memory passed this after a task (a PDF, a plan) is replaced by
    # a fresh fork of the preloaded sentinel (apps.coordination's qcluster): memory returns.
    "max_rss": int(os.environ.get("Q_MAX_RSS_MB", "200")) * 1024,
    # A task that fails (or whose worker dies) is not acknowledged, so the broker hands it
    # out again "retry" seconds after it was taken, up to "max_attempts" runs; then it stays
    # in the admin's failed tasks. Safe because every task is idempotent (STYLE.md); the
    # periodic sweeps retry the work again on a slower clock.
    "retry": int(os.environ.get("Q_RETRY_SECONDS", "180")),
    "max_attempts": int(os.environ.get("Q_MAX_ATTEMPTS", "3")),
    "catch_up": False,
    "sync": env_bool("Q_SYNC", False),
    "poll": 0.5,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Proxies in front of the web processes that append to X-Forwarded-For (nginx: 1). The client
# address (rate limits, login lockout) is the entry the last of them appended; with 0 it is
# REMOTE_ADDR and X-Forwarded-For is ignored (it is the client's to forge).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
# Bodies (JSON or form fields, not uploaded files) larger than this are refused: 413 under /api/.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024)))
# An uploaded booking confirmation (.eml, .ics, .pdf): larger files get 413.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
# Any request body larger than this is refused with 413 by the ASGI entry point before
# Django reads it (Django would spool it whole to disk first): the largest upload plus its
# multipart envelope.
MAX_REQUEST_BYTES = IMPORT_MAX_BYTES + 256 * 1024

# API rate limits, "<n>/<second|minute|hour|day>" on the default cache (Redis with REDIS_URL,
# so shared by all web processes); an empty value turns one off. Burst and sustained per user
# and per anonymous address; signed vendor webhooks per vendor.
API_RATES = {
    scope: os.environ.get(f"API_RATE_{scope.upper()}", default) or None
    for scope, default in {"user_burst": "120/minute", "user_sustained": "10000/day",
                           "anon_burst": "30/minute", "anon_sustained": "1000/day",
                           "vendor_hook": "120/minute"}.items()
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "apps.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttles.UserBurstThrottle",
        "apps.api.throttles.UserSustainedThrottle",
        "apps.api.throttles.AnonBurstThrottle",
        "apps.api.throttles.AnonSustainedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_RATES,
    "NUM_PROXIES": TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Traveloure API",
    "DESCRIPTION": "Coordination hub for trips, weddings and events.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies are documented as JSON (forms and multipart are still parsed) with
    # separate request components, so a non-blank string field says minLength 1.
    "PARSER_WHITELIST": ["apps.api.parsers.JSONParser"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its 400/401/403/404/405/409/413/415/429 in the error shape.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "apps.api.schema.document_errors"],
    "ENUM_NAME_OVERRIDES": {
        "VendorActionEnum": ["accept", "decline", "propose"],
        "ReviewActionEnum": ["approve", "reject", "modify"],
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Traveloure <no-reply@traveloure.local>")

# Web Push (VAPID). Without both keys browser push is disabled; in-app and e-mail still work.
# Make a pair with `vapid --gen` (py-vapid); the public key goes to the browser's subscribe().
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:ops@traveloure.local")

# Sessions are read on every request: from the cache (Redis with REDIS_URL), the database
# only on a miss; written through to both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Security: strict in production (DEBUG=0), relaxed for local development.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# The itinerary's slippy map (Leaflet, vendored in static/vendor/): a tile URL template and
# the attribution its licence asks for. Blank: the drawn map only (it is also what shows
# whenever no tile loads, e.g. offline).
MAP_TILES = {
    "url": os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    "attribution": os.environ.get(
        "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'),
}

# Content-Security-Policy (django-csp): scripts only from our own static files, no inline
# script or event handler. Styles allow 'unsafe-inline' (style attributes of meters, the
# exports' <style> block shared with the PDF); script injection is what CSP must stop.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # The map's tile server (its origin, from MAP_TILES) and any extra image hosts.
        "img-src": ["'self'", "data:"] + ([urlsplit(MAP_TILES["url"])._replace(path="", query="").geturl()]
                                          if MAP_TILES["url"] else []) + env_list("CSP_IMG_SRC", ""),
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Features no page uses, off for every page (apps.core.headers).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Responses under these paths are personal or capability-bearing (API, share pages, webcal
# feeds, exports): "Cache-Control: private, no-store" (apps.core.headers).
PRIVATE_PATH_PREFIXES = ("/api/", "/share/", "/exports/")

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failures for one username, or from
# one address, logins (portal and API token) answer 429 with Retry-After until the cool-off
# has passed; staff unlock earlier by deleting the attempt in the admin (Axes → Access attempts).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_VERBOSE = False
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Probes talk to the process directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Traveloure domain settings
TRAVELOURE = {
    "EXPERT_RATING_FLOOR": float(os.environ.get("EXPERT_RATING_FLOOR", "3.5")),
    "BOOKING_DEFAULT_DEADLINE_HOURS": 24,
    "OUTBOX_RELAY_MAX_ATTEMPTS": 20,
    # A request feed reconnecting with ?since= gets at most this many missed events replayed,
    # else a fresh snapshot.
    "LIVE_CATCH_UP_EVENTS": int(os.environ.get("LIVE_CATCH_UP_EVENTS", "200")),
    # Retention (apps.coordination.retention, daily): rows older than this many days are
    # pruned. The event log is never pruned: it is the audit trail.
    "RETENTION_OUTBOX_DAYS": int(os.environ.get("RETENTION_OUTBOX_DAYS", "7")),
    "RETENTION_NOTIFICATION_DAYS": int(os.environ.get("RETENTION_NOTIFICATION_DAYS", "180")),
    "RETENTION_SLOT_DAYS": int(os.environ.get("RETENTION_SLOT_DAYS", "30")),
    # The demo's fake OCTO supplier (apps/demo/octo_supplier.py): on this loopback port,
    # run_all starts it as a third child and seed_demo adds the Tokyo tour operator whose
    # inventory lives there. 0 (the default): neither.
    "OCTO_FAKE_PORT": int(os.environ.get("OCTO_FAKE_PORT", "0")),
}

# External data (apps.integrations.registry): "offline" = shipped data, no network (default);
# otherwise the HTTP adapter's name. "options" override apps.integrations.http.DEFAULTS.
TRAVELOURE_PROVIDERS = {
    "travel": {"backend": os.environ.get("TRAVEL_PROVIDER", "offline"),
               "url": os.environ.get("OSRM_URL", "https://router.project-osrm.org")},
    "weather": {"backend": os.environ.get("WEATHER_PROVIDER", "offline"),
                "url": os.environ.get("OPEN_METEO_URL", "https://api.open-meteo.com")},
    "currency": {"backend": os.environ.get("CURRENCY_PROVIDER", "offline"),
                 "url": os.environ.get("ECB_URL", "https://www.ecb.europa.eu")},
    "events": {"backend": os.environ.get("EVENTS_PROVIDER", "offline"),
               "url": os.environ.get("TICKETMASTER_URL", "https://app.ticketmaster.com"),
               "api_key": os.environ.get("TICKETMASTER_API_KEY", "")},
    # Vendors on their own OCTO system (each vendor holds its URL and key): HTTP options,
    # holds of an instant vendor last hold_minutes, the sync looks sync_days ahead, the
    # expert is told after give_up_after failed reconciles in a row.
    "octo": {"options": {"timeout": 6.0, "retries": 1}, "hold_minutes": 30, "sync_days": 60, "give_up_after": 5},
    "hotels": {"backend": os.environ.get("HOTELS_PROVIDER", "offline"),
               "url": os.environ.get("AMADEUS_URL", "https://test.api.amadeus.com"),
               "client_id": os.environ.get("AMADEUS_CLIENT_ID", ""),
               "client_secret": os.environ.get("AMADEUS_CLIENT_SECRET", ""),
               # Destination → IATA city code the hotel search asks for (others: platform hotels only).
               "city_codes": {"Tokyo": "TYO", "Kyoto": "UKY", "Osaka": "OSA", "Lisbon": "LIS", "Porto": "OPO",
                              "Florence": "FLR", "Tuscany": "FLR", "Rome": "ROM", "Paris": "PAR", "London": "LON",
                              "New York": "NYC", "Barcelona": "BCN"},
               "offer_minutes": 30},
}

# Logs go to stderr, one line per record with the request id; LOG_FORMAT=json for one JSON
# object per line. Each request is logged once by apps.core.requestlog (LOG_REQUESTS=0 to
# silence those lines).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.requestlog.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "apps.core.requestlog.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": os.environ.get("LOG_FORMAT", "text")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"traveloure.request": {"level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"}},
}
