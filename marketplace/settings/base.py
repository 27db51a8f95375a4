"""Settings shared by every environment. Every knob is read from one django-environ ``env``.

Defaults are chosen so that ``make demo`` works on a machine with neither PostgreSQL nor Redis:
a SQLite file and kombu's filesystem transport under ``var/``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="linli-insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # Linli's own apps come before Oscar's and Wagtail's so their templates win.
    "marketplace",
    "cms",
    "bookings",
    "payments",
    "repairs",
    "feedback",
    # Oscar, with the apps we change forked into marketplace/.
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "marketplace.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "marketplace.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "marketplace.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "marketplace.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    # Installed only because Oscar's customer app imports its models; its pages are closed
    # (marketplace/urls.py: a wishlist is not a thing Linli sells).
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "marketplace.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Celery beat's schedule lives in the database.
    "django_celery_beat",
    # Hardening: login lockout, audit history (see "Security" below).
    "axes",
    "simple_history",
    "django_prometheus",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request counts and latency
    "marketplace.observability.RequestIdMiddleware",  # first: every log line has the request id
    "marketplace.middleware.DatabaseUnavailableMiddleware",  # bench/drills: DB outage → 503
    "django.middleware.security.SecurityMiddleware",
    "marketplace.security.ContentSecurityPolicyMiddleware",  # CSP (nonces), Permissions-Policy
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # An anonymous visitor's shared page from the cache, before the rest runs (it reads the
    # session; what it serves was stored with the headers the inner middleware adds).
    "marketplace.page_cache.SharedPageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "marketplace.bad_input.RejectNullCharactersMiddleware",  # no NUL reaches a view
    # A user's profile language; after the NUL check, since it reads the session (a cookie
    # with a NUL in it would reach the database).
    "marketplace.preferences.PreferredLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "marketplace.staff_errors.StaffConstraintMiddleware",  # innermost: refused staff actions
    "simple_history.middleware.HistoryRequestMiddleware",  # who made a change, for its history
    "axes.middleware.AxesMiddleware",  # last but one, as django-axes asks: the lockout page
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.core.context_processors.metadata",
                "marketplace.context_processors.community",
                "marketplace.preferences.context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    # An empty DATABASE_URL counts as unset: the demo's SQLite file.
    "default": env.db_url_config(
        env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'linli.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy web process, a Celery worker and beat share one SQLite file in the demo:
    # wait for the write lock instead of failing, and take it at BEGIN (IMMEDIATE) so two
    # writers queue rather than deadlock on lock upgrade.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    VAR_DIR.mkdir(exist_ok=True)  # a fresh clone has no var/ yet: SQLite would not open its file
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Users ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "marketplace.User"
AUTHENTICATION_BACKENDS = (
    # First: refuses every login attempt of a locked-out account and address (django-axes).
    "marketplace.auth_backends.LoginLockoutBackend",
    "marketplace.auth_backends.EmailBackend",
    "marketplace.auth_backends.UsernameBackend",
)
# Django's validators, on Oscar's registration and password change forms too (their messages
# come translated with Django: zh-hans and en).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/shop/accounts/login/"
LOGIN_REDIRECT_URL = "/shop/accounts/start/"  # marketplace.views.after_login: by role

# --- Languages, time zone, money -----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
OSCAR_DEFAULT_CURRENCY = "CNY"
OSCAR_CURRENCY_FORMAT = {"CNY": {"format": "¥#,##0.00", "currency_digits": True}}

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "marketplace" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Serve static files straight from the apps' static folders (no collectstatic): the demo runs
# with DEBUG off and sets it (marketplace/demo.py); production collects them instead.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email and SMS ----------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Linli 邻里 <noreply@linli.example>")
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env("SMS_BACKEND", default="bookings.notify.channels.LoggingSMSBackend")
# The demo's logging backend also appends each text message to sms.jsonl in this folder.
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
# No SMS between these local hours (from, until); the policy's 22–8 (marketplace.policy).
LINLI_SMS_QUIET_HOURS = tuple(env.list("LINLI_SMS_QUIET_HOURS", cast=int, default=[22, 8]))
# Gateway template codes per notice kind, e.g. SMS_TEMPLATES=booked=SMS_123,cancelled=SMS_456
# (the default code is LINLI_<KIND>).
SMS_TEMPLATES = env.dict("SMS_TEMPLATES", default={})
# A reminder claimed by a worker that died is claimed again after this many seconds.
LINLI_REMINDER_LEASE_SECONDS = env.int("LINLI_REMINDER_LEASE_SECONDS", default=120)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: kombu's filesystem transport, no server needed (demo only).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection after every task unless told to reuse
# it: a new PostgreSQL backend per task was a third of a dispatch's cost. Connections now live
# as long as CONN_MAX_AGE says, as in the web; a broken or aged one is dropped before the next
# task (marketplace/celery.py), and the fixup still recycles them every 2000 tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat writes each entry's last_run_at after every task it sends (its default: every 3 min), so
# /healthz/dispatch/ can tell a silent beat within BEAT_SILENT_AFTER_SWEEPS sweeps.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker reconnects however long the broker is away: Celery's default gives up after 100
# attempts (about 45 minutes, 30 s apart) and the worker exits (README, "When Redis goes away").
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

# --- Stripe (localstripe in the demo and tests) ------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_linli_localstripe")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="pk_test_linli_localstripe")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_linli_localstripe")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_PAYMENT_METHOD_TYPES = env.list("STRIPE_PAYMENT_METHOD_TYPES", default=["card"])

# --- Oscar ------------------------------------------------------------------------------------
OSCAR_SHOP_NAME = _("Linli")
OSCAR_SHOP_TAGLINE = _("Home services for your community")
OSCAR_HOMEPAGE = "/shop/catalogue/"
OSCAR_ALLOW_ANON_CHECKOUT = False
# Wish lists are closed (marketplace/urls.py); this hides them from the account menu.
OSCAR_HIDDEN_FEATURES = ["wishlists"]
# A service titled only in Chinese keeps a readable address (/shop/catalogue/助浴服务_1/).
OSCAR_SLUG_ALLOW_UNICODE = True
OSCAR_SEND_REGISTRATION_EMAIL = False
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "line1")
OSCAR_INITIAL_ORDER_STATUS = "Pending"
OSCAR_INITIAL_LINE_STATUS = "Pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending": ("Confirmed", "Cancelled"),
    "Confirmed": ("In progress", "Completed", "Cancelled"),
    "In progress": ("Completed", "Cancelled"),
    "Completed": (),
    "Cancelled": (),
}
# No discounts are sold: a resident is charged only what the published fee board says
# (cms.pricing). Oscar's offer app applies none (marketplace/offer/applicator.py); its offer,
# range and voucher dashboards are closed (marketplace/urls.py) and left out of the menu.
_DISCOUNT_PAGES = {
    "dashboard:offer-list",
    "dashboard:range-list",
    "dashboard:voucher-list",
    "dashboard:voucher-set-list",
}
# Oscar's product reviews are switched off (feedback rates appointments, not products; its
# "Write a review" links sit in {% iffeature "reviews" %} blocks and its URLs go with the
# feature). The app stays installed only because Oscar's customer migration 0008 depends on
# its first migration; its dashboard pages are dropped (marketplace/dashboard/apps.py) and left
# out of the menu.
OSCAR_HIDDEN_FEATURES = [*OSCAR_HIDDEN_FEATURES, "reviews"]
_DISCOUNT_PAGES |= {"dashboard:reviews-list"}
OSCAR_DASHBOARD_NAVIGATION = [
    {**item, "children": [c for c in item["children"] if c["url_name"] not in _DISCOUNT_PAGES]}
    if "children" in item
    else item
    for item in OSCAR_DASHBOARD_NAVIGATION  # noqa: F405 (oscar.defaults)
    if item.get("url_name") not in _DISCOUNT_PAGES
]
OSCAR_DASHBOARD_NAVIGATION = [i for i in OSCAR_DASHBOARD_NAVIGATION if i.get("children", True)]
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
THUMBNAIL_DEBUG = False
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Linli 邻里"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "xlsx"]
# No Gravatar avatars in the admin: a third-party request per user, blocked in mainland China
# and broken offline (Wagtail shows initials); the Content-Security-Policy allows no foreign
# images.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

SITE_ID = 1

# --- Security: login lockout, rate limits, CSP ----------------------------------------------------
# django-axes: every login form (shop, Wagtail, Django's admin) goes through authenticate(), so
# axes counts its failures. After AXES_FAILURE_LIMIT failures of one account from one address,
# that pair is refused (marketplace.auth_backends.LoginLockoutBackend; 429 and
# templates/axes/lockout.html, marketplace/logins.py) until the cool-off
# has passed or staff unlock it (Django's admin, "Access attempts", or `manage.py axes_reset_username`).
# The pair, not the account alone: a stranger cannot lock a resident out from elsewhere, and a
# whole community behind one NAT address is not locked out by one neighbour.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Every login form hands authenticate() the account as ``username`` (our User's USERNAME_FIELD,
# axes' default here, is ``email``).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "marketplace.logins.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "marketplace.logins.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The request header that holds the client's address: REMOTE_ADDR, or behind a proxy the one
# header it sets to the client's address alone (e.g. HTTP_X_REAL_IP). Axes and the rate limits.
CLIENT_IP_META_KEY = env("CLIENT_IP_META_KEY", default="REMOTE_ADDR")
AXES_IPWARE_META_PRECEDENCE_ORDER = [CLIENT_IP_META_KEY]
AXES_VERBOSE = False

# Rate limits (django-ratelimit through marketplace.ratelimits.rate_limited): "<count>/<period>"
# per key, period s, m, h or d. A request over its limit gets 429 with Retry-After.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = CLIENT_IP_META_KEY
LINLI_RATE_LIMITS = {
    # The slot picker: each call searches every qualified worker's calendar.
    "slots": env("RATE_LIMIT_SLOTS", default="60/m"),
    # One-click booking and the basket: each holds a worker and writes an order.
    "booking": env("RATE_LIMIT_BOOKING", default="20/m"),
    # Card setup: each call creates a SetupIntent at Stripe.
    "card_setup": env("RATE_LIMIT_CARD_SETUP", default="10/h"),
    # The boards' public exports (board.json, board.csv), per address.
    "exports": env("RATE_LIMIT_EXPORTS", default="120/m"),
    # For the views other branches add (complaints, repairs, the appointment conversation).
    "complaint": env("RATE_LIMIT_COMPLAINT", default="10/h"),
    "repair": env("RATE_LIMIT_REPAIR", default="10/h"),
    "conversation": env("RATE_LIMIT_CONVERSATION", default="30/m"),
}

# Content-Security-Policy (django-csp; marketplace/security.py). Scripts only from this site, Stripe.js
# and (demo, tests) localstripe's stand-in, inline ones only with the page's nonce
# (`nonce="{{ request.csp_nonce }}"`). Wagtail's admin, Django's admin and Oscar's dashboard
# carry inline scripts and handlers of their own, so under LINLI_CSP_ADMIN_PREFIXES (staff-only
# pages) inline scripts are allowed without a nonce; everything else in the policy still holds.
# Oscar's own templates keep three inline handlers ("cancel" links, "print this page", a
# popup's close): allowed by their exact hashes, nothing else inline runs without the nonce.
OSCAR_INLINE_HANDLERS = [
    "'sha256-NqaPugiVKFsqU2P8L2sjJSLsiSKaQB+C9S5V0ZiRxfc='",  # window.history.go(-1);return false
    "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='",  # window.print()
    "'sha256-KfMr/znHoNXbaysXJVVD9BDDdgwELnZLrjgLxMfySJE='",  # window.close();return false;
]
STRIPE_ORIGINS = ["https://js.stripe.com", "https://*.stripe.com", "https://*.stripecdn.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE, *STRIPE_ORIGINS, "'unsafe-hashes'", *OSCAR_INLINE_HANDLERS],
        # Stripe's card element and Oscar's widgets set style attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *STRIPE_ORIGINS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", "https://api.stripe.com", *STRIPE_ORIGINS],
        "frame-src": ["'self'", "https://js.stripe.com", "https://hooks.stripe.com"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'", "https://hooks.stripe.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    },
}
# Prefixes whose pages run the admins' own inline scripts (see above); Oscar's dashboard is one.
LINLI_CSP_ADMIN_PREFIXES = ("/cms/", "/django-admin/", "/shop/dashboard/")
# No page of Linli uses these browser features; Stripe.js's frames may ask for payment.
PERMISSIONS_POLICY = env(
    "PERMISSIONS_POLICY",
    default=(
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), usb=(), interest-cohort=(), "
        'payment=(self "https://js.stripe.com")'
    ),
)

# Logs: one line per record on the console (systemd's journal, or the process manager, keeps
# them). LOG_FORMAT=json writes JSON objects (python-json-logger) for a log collector; text is
# the demo's default. Every record carries request_id: the request's, or the one of the request
# that started the Celery task (marketplace/observability.py).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "marketplace.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "linli": {
            "handlers": ["console"],
            "level": env("LINLI_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}

# /metrics (marketplace/metrics.py): readable with "Authorization: Bearer <METRICS_TOKEN>" or
# from these networks (CIDR; default this machine only).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
PROMETHEUS_EXPORT_MIGRATIONS = False

# Error reports to Sentry (or a self-hosted Sentry, which works in mainland China) when
# SENTRY_DSN is set: web requests and Celery tasks. No personal data is sent.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# Haystack's simple backend (Oscar's default search) does not index; it warns on every save.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="update is not implemented in this backend")
warnings.filterwarnings("ignore", message="remove is not implemented in this backend")

# --- the one beat schedule: every periodic task -------------------------------------------------
# Beat's DatabaseScheduler (CELERY_BEAT_SCHEDULER) copies these entries into its tables at start,
# by name; no migration creates schedule rows (bookings' 0008 removes the ones 0004 made).
# Due times are columns these scans read: no countdowns (STYLE.md, Celery).
CELERY_BEAT_SCHEDULE = {
    # bookings: outbox rounds whose on-commit kick never arrived, and lapsed job offers.
    "linli: dispatch outbox sweep": {"task": "bookings.tasks.dispatch_sweep", "schedule": 30.0},
    "linli: expire offers": {"task": "bookings.tasks.dispatch_expire_offers", "schedule": 30.0},
    # bookings: due reminders and notices go out at most ~15 s late (one indexed query).
    "linli: due reminders": {"task": "bookings.tasks.notify_due_reminders", "schedule": 15.0},
    # payments: far-date authorisations, hourly reconciliation.
    "payments-authorise-due": {"task": "payments.tasks.authorise_due_payments", "schedule": 300.0},
    "payments-reconcile": {"task": "payments.tasks.reconcile_payments", "schedule": 3600.0},
    # bookings: card captures that failed; holds whose payment never finished (after 30 min).
    "bookings-capture-finished-jobs": {
        "task": "bookings.tasks.capture_finished_jobs",
        "schedule": 300.0,
    },
    "bookings-release-abandoned-holds": {
        "task": "bookings.payment_flow.release_abandoned_holds",
        "schedule": 300.0,
    },
    # repairs: lapsed offers, lost kicks, breached clocks, captures of finished repairs.
    "repairs: sweep": {"task": "repairs.tasks.repairs_sweep", "schedule": 30.0},
    # bookings: series visits the moving booking horizon now reaches (idempotent).
    "linli: extend series": {"task": "bookings.tasks.series_extend", "schedule": 3600.0},
    # bookings: prepaid packages past their validity expire (their unused share refunded).
    "linli: expire packages": {"task": "bookings.tasks.packages_expire", "schedule": 3600.0},
    "linli: waiting lists": {"task": "bookings.tasks.waitlist_sweep", "schedule": 60.0},
    "linli: series prices": {"task": "bookings.tasks.series_price_check", "schedule": 600.0},
    # cms: Wagtail's scheduled publishing and expiry (go-live times are minutes).
    "cms: publish scheduled": {"task": "cms.tasks.publish_scheduled", "schedule": 60.0},
    # feedback: complaints whose clock is breached escalate within a minute; last month's
    # credit stars (idempotent, so the daily run only ever repeats the same grades).
    "feedback: escalate complaints": {
        "task": "feedback.tasks.escalate_complaints",
        "schedule": 60.0,
    },
    "feedback: credit stars": {"task": "feedback.tasks.grade_last_month", "schedule": 86400.0},
}
