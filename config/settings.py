"""Settings, read from the environment (12-factor).

Nothing set: a development profile on SQLite, local-memory cache and eager Celery tasks.
``DEBUG=false`` plus ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``:
the production profile, which passes ``manage.py check --deploy``.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The profile, fixed when the settings load (test runners turn DEBUG off by themselves; this stays).
PRODUCTION_PROFILE = not DEBUG
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key-do-not-deploy")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required: no default outside development
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The project's apps come first so that their templates (registration/ pages) win.
    "articles",
    "reviewboard",
    "identity",
    "transparency",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_fsm",
    "rest_framework",
    # API tokens: hashed, expiring, several per person (identity's token page lists and revokes them).
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    # Sign-in: allauth's accounts, second factors (TOTP, WebAuthn, recovery codes), single sign-on
    # through OpenID Connect, and the list of a person's sessions.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
]

MIDDLEWARE = [
    # A request id first, so that every later log line carries it (config.metrics's timer goes before it when on).
    "config.logging.RequestIdMiddleware",
    # A GET that met a database connection the database had dropped is answered again on a new one.
    "config.middleware.RetryOnNewConnectionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # whitenoise serves CSS, JS and fonts from the app itself: nothing comes from a CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content Security Policy header on every page (static files, answered above, need none).
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Readers' article and list pages answer here, with the headers above, skipping the layers below.
    "articles.middleware.ReaderPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A staff member without a second factor is sent to set one up (identity.policy decides).
    "identity.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
LOGIN_URL = "workspaces:login"
LOGIN_REDIRECT_URL = "workspaces:home"
LOGOUT_REDIRECT_URL = "workspaces:login"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs more than it saves on a web workload's short queries (it added about
    # 300 ms to the dashboard's larger plans); random_page_cost for SSDs lets the planner use the
    # search's GIN index when many articles match (25 ms -> 10 ms on 2,000 articles).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c random_page_cost=1.1")
    # The reader queries compiled once (articles.compiled) are prepared on their connection at their second run;
    # Django's own queries bind on the client and are never prepared, whatever this says.
    # DB_PREPARE_THRESHOLD=off turns it off (PgBouncer in transaction mode without max_prepared_statements).
    _prepare = env.str("DB_PREPARE_THRESHOLD", default="1")
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", None if _prepare == "off" else int(_prepare))
    if env.bool("DB_POOL", default=False):
        # psycopg 3's connection pool; Django requires persistent connections off with it.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": env.int("DB_POOL_SIZE", default=10),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        # No round trip before each request to ask whether the kept connection still works: a GET that meets one the
        # database dropped is answered again on a new one (config.middleware), anything else answers 503 once.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_HEALTH_CHECKS", default=False)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: absent means local-memory cache and eager tasks (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # The server part of the URL; the database number (its path) is chosen per use below.
    _redis_base = urlunsplit(urlsplit(REDIS_URL)._replace(path="", query="", fragment=""))
    CACHES = {
        "default": {
            # Redis (django-redis: one client kept per process), failing open while Redis is unreachable
            # (config.cache): no 500 for a lost cache.
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": env.str("CACHE_URL", default=f"{_redis_base}/1"),
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"{_redis_base}/0")
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A request must not hang on a dead broker: the outbox keeps the event and the sweep sends it. A short connect
# timeout and no retries when publishing (kombu otherwise retries for CELERY_BROKER_CONNECTION_TIMEOUT: 2 s a nudge).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=0.5)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "max_retries": 0,
}
CELERY_TIMEZONE = "UTC"
CELERY_TASK_PUBLISH_RETRY = False
# One scheduler: beat sends the schedule only while it holds a lock in Redis (config.beat); a second stands by.
CELERY_BEAT_SCHEDULER = "config.beat:LockedScheduler"
BEAT_LOCK_SECONDS = env.float("BEAT_LOCK_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "notifications.relay", "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0)},
    "review-reminders": {"task": "reviewboard.review_reminders", "schedule": crontab(hour=7, minute=0)},
    "rereview-due": {"task": "reviewboard.rereview_due", "schedule": crontab(hour=6, minute=30)},
    "notification-digest": {"task": "notifications.send_digests", "schedule": crontab(hour=8, minute=0)},
}

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

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
WHITENOISE_AUTOREFRESH = DEBUG
if not DEBUG:
    # Hashed, compressed files need collectstatic; development and tests serve the sources.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Mail: the console in development; SMTP from EMAIL_URL in production.
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes (the cluster topology counts deliveries there).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="editorial@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The workflow: approving decisions needed on the revision under review, review deadlines,
# reminders and escalation, and the age at which an approved article is reviewed again.
REVIEW_QUORUM = env.int("REVIEW_QUORUM", default=2)
REVIEW_DUE_DAYS = env.int("REVIEW_DUE_DAYS", default=14)
REVIEW_REMIND_DAYS_BEFORE = env.int("REVIEW_REMIND_DAYS_BEFORE", default=2)
REVIEW_ESCALATE_AFTER_DAYS = env.int("REVIEW_ESCALATE_AFTER_DAYS", default=3)
REREVIEW_AFTER_DAYS = env.int("REREVIEW_AFTER_DAYS", default=365)
# How references are cited to readers: "ama" (AMA 11th edition) or "vancouver" (articles.citations).
CITATION_STYLE = env.str("CITATION_STYLE", default="ama")
# The publisher's name in the professional disclaimer.
SITE_NAME = env.str("SITE_NAME", default="Medically reviewed answers")
NOTIFICATIONS_SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A message whose sending fails this many times is set aside as failed, with its error (admin: retry now).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# Readers: how long a staff preview link stays valid (seconds); follow-up questions a client
# address may send per window (seconds); proxies in front that append to X-Forwarded-For.
PREVIEW_LINK_MAX_AGE = env.int("PREVIEW_LINK_MAX_AGE", default=24 * 60 * 60)
FOLLOWUP_RATE_LIMIT = env.int("FOLLOWUP_RATE_LIMIT", default=5)
FOLLOWUP_RATE_WINDOW = env.int("FOLLOWUP_RATE_WINDOW", default=60 * 60)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Anonymous readers' article and list pages are cached this long (seconds; 0 turns the cache off),
# and kept this much longer to answer readers while the database is unreachable.
READER_CACHE_SECONDS = env.int("READER_CACHE_SECONDS", default=300)
READER_CACHE_STALE_SECONDS = env.int("READER_CACHE_STALE_SECONDS", default=3600)
# With Redis, each web process keeps a copy of this many cached reader pages, retired with them (articles.local_pages).
READER_LOCAL_PAGES = env.int("READER_LOCAL_PAGES", default=256)

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Logs: plain text in development; LOG_FORMAT=json for one JSON object per line. Both carry the
# request id.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The REST API (reviewboard.api): DRF with token and session authentication, throttling,
# pagination, and an OpenAPI schema by drf-spectacular with its docs served from the sidecar.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "identity.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["reviewboard.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # Keyed by articles.followups.client_address (TRUSTED_PROXY_COUNT), open while Redis is down.
    "DEFAULT_THROTTLE_CLASSES": [
        "reviewboard.api.throttles.AnonymousClientThrottle",
        "reviewboard.api.throttles.UserClientThrottle",
    ],
    # For any part of DRF that reads the client's address itself: the same count of trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
    "EXCEPTION_HANDLER": "reviewboard.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Editorial review API",
    "DESCRIPTION": "Approved medical articles for readers, and the review workflow for authors, "
    "board members and editors.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Hardening: a Content Security Policy (django-csp 4), login throttling and lockout (django-axes),
# session expiry, and timeouts so that a dead database or Redis fails a request (and /readyz)
# quickly instead of hanging it.
# No inline script or style anywhere: scripts and stylesheets are files served by whitenoise.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Five failed logins for one username from one address lock that pair out for an hour (429).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# allauth's sign-in form names its field "login", the API's token exchange "username": axes counts both.
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "identity.lockout.attempted_username"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True


def _axes_client_address(request):
    """The follow-up rate limit's client address (REMOTE_ADDR, or what TRUSTED_PROXY_COUNT proxies appended)."""
    from articles.followups import client_address

    address = client_address(request)
    return None if address == "unknown" else address  # axes stores an IP address or nothing


AXES_CLIENT_IP_CALLABLE = _axes_client_address

# A session lasts a working day at most, and ends when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Load balancers probe over plain HTTP: the health endpoints answer without the HTTPS redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)  # seconds, per check
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _connect_timeout = env.int("DB_CONNECT_TIMEOUT", default=5)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", _connect_timeout)
if CACHES["default"]["BACKEND"] == "config.cache.FailOpenRedisCache":
    _redis_timeout = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("SOCKET_CONNECT_TIMEOUT", _redis_timeout)
    CACHES["default"]["OPTIONS"].setdefault("SOCKET_TIMEOUT", _redis_timeout)

# A streaming replica for anonymous readers' reads (articles.replica): with DATABASE_REPLICA_URL set, the router
# sends an anonymous reader's reads of the reader views there while it has replayed every change readers can see
# (a watermark in Redis), and everything else to the primary. Needs PostgreSQL for both and Redis for the mark.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5.0)  # after the replica failed to answer
if DATABASE_REPLICA_URL:
    from copy import deepcopy

    from django.core.exceptions import ImproperlyConfigured

    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    if (
        DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or _replica["ENGINE"] != DATABASES["default"]["ENGINE"]
    ):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL for DATABASE_URL and the replica")
    if not REDIS_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs REDIS_URL: the replica's watermark lives in Redis")
    for _key in ("OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if _key in DATABASES["default"]:
            _replica[_key] = deepcopy(DATABASES["default"][_key])  # its own pool, when DB_POOL is on
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["articles.replica.ReaderReplicaRouter"]
    REPLICA_WATERMARK_URL = env.str("REPLICA_WATERMARK_URL", default=CACHES["default"]["LOCATION"])

# Telemetry, each off unless configured (docs/operations.md, "Telemetry"). Prometheus (config.metrics): /metrics
# answers a scraper with METRICS_TOKEN as a bearer token, or from an address in METRICS_ALLOWED_NETWORKS (CIDRs);
# a Celery worker serves its task series on CELERY_METRICS_PORT. OpenTelemetry tracing (config.tracing) reads
# the standard OTEL_* variables. Sentry: SENTRY_DSN.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0) or None
CELERY_METRICS_ADDRESS = env.str("CELERY_METRICS_ADDRESS", default="127.0.0.1")
if METRICS_TOKEN or METRICS_ALLOWED_NETWORKS:
    MIDDLEWARE.insert(0, "config.metrics.RequestMetricsMiddleware")
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config import sentry

    sentry.start(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        release=env.str("SENTRY_RELEASE", default=""),
    )

# Identity (docs/identity.md): sign-in by allauth, second factors, single sign-on, API tokens.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "identity.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "identity.forms.LoginForm"}
ACCOUNT_LOGOUT_REDIRECT_URL = "workspaces:login"
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE)
# Password-reset mail: at most PASSWORD_RESET_PER_ADDRESS requests an hour from one client address and
# PASSWORD_RESET_PER_ACCOUNT an hour for one account (allauth's rate limits, in the cache). Failed sign-ins
# are counted by django-axes alone, per username and address.
ACCOUNT_RATE_LIMITS = {
    "reset_password": "{}/h/ip,{}/h/key".format(
        env.int("PASSWORD_RESET_PER_ADDRESS", default=10), env.int("PASSWORD_RESET_PER_ACCOUNT", default=3)
    ),
    "login_failed": False,
}
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # a security key on http://127.0.0.1 in development
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Medically reviewed answers")
MFA_ADAPTER = "identity.adapters.MfaAdapter"
# The roles that must have a second factor before any workspace, the admin or the token page opens:
# any of "editor", "board_member", "admin", "author" (identity.policy).
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=["editor", "board_member", "admin"])
# Sessions are recorded at sign-in (address, browser, time), not touched on every request.
USERSESSIONS_TRACK_ACTIVITY = False
# load_demo gives the demo's staff authenticator-app secrets and prints them (the development profile only).
DEMO_TOTP = env.bool("DEMO_TOTP", default=DEBUG)

# Single sign-on through OpenID Connect: on when OIDC_SERVER_URL names the institution's issuer.
SOCIALACCOUNT_ADAPTER = "identity.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # identity.adapters matches by verified email itself
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="")
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env.str("OIDC_PROVIDER_ID", default="institution"),
            "name": env.str("OIDC_NAME", default="Institution sign-in"),
            "client_id": env.str("OIDC_CLIENT_ID"),
            "secret": env.str("OIDC_CLIENT_SECRET", default=""),
            "settings": {"server_url": OIDC_SERVER_URL, "token_auth_method": "client_secret_post"},
        }
    )

# API tokens (django-rest-knox): stored as a digest, expiring after API_TOKEN_TTL_HOURS, at most
# API_TOKENS_PER_USER a person; all revoked when the password changes (identity.services).
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105  (a model name: knox's own, for its swappable reference)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 30)),
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKENS_PER_USER", default=10),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
