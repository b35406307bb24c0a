"""Traveloure settings, driven by the environment.

With no environment the project runs embedded: SQLite, the in-memory channel layer and
the django-q2 ORM broker. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL,
channels-redis and the django-q2 Redis broker; nothing else changes.
"""
import os
from pathlib import Path

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
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
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
    "django_htmx",
    "django_q",
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
    "apps.integrations",
    "apps.portals",
    "apps.api",
    "apps.demo",
]

MIDDLEWARE = [
    "apps.core.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
elif env_bool("DB_POOL", False):
    # Under ASGI each request runs in a thread of its own, so persistent connections
    # (DB_CONN_MAX_AGE) are never reused but pile up; psycopg's pool is shared by the
    # threads of a process (Django requires CONN_MAX_AGE=0 with it).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": int(os.environ.get("DB_POOL_SIZE", "10"))}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
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
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
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

# Security: strict in production (DEBUG=0), relaxed for local development.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
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
    "hotels": {"backend": os.environ.get("HOTELS_PROVIDER", "offline"),
               "url": os.environ.get("AMADEUS_URL", "https://test.api.amadeus.com"),
               "client_id": os.environ.get("AMADEUS_CLIENT_ID", ""),
               "client_secret": os.environ.get("AMADEUS_CLIENT_SECRET", "")},
}

# The itinerary's slippy map (Leaflet, vendored in static/vendor/): a tile URL template and
# the attribution its licence asks for. Blank: the drawn map only (it is also what shows
# whenever no tile loads, e.g. offline).
MAP_TILES = {
    "url": os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    "attribution": os.environ.get(
        "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'),
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
