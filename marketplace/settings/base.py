"""Settings shared by every environment. Every knob is read from one django-environ ``env``.

Defaults are chosen so that ``make demo`` works on a machine with neither PostgreSQL nor Redis:
a SQLite file and kombu's filesystem transport under ``var/``.
"""

from pathlib import Path

import environ
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
]

MIDDLEWARE = [
    "marketplace.middleware.DatabaseUnavailableMiddleware",  # bench/drills: DB outage → 503
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "marketplace.bad_input.RejectNullCharactersMiddleware",  # no NUL reaches a view
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "marketplace.staff_errors.StaffConstraintMiddleware",  # innermost: refused staff actions
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
    CACHES = {"default": {"BACKEND": "marketplace.cache.LinliRedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Users ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "marketplace.User"
AUTHENTICATION_BACKENDS = (
    "marketplace.auth_backends.EmailBackend",
    "marketplace.auth_backends.UsernameBackend",
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/shop/accounts/login/"
LOGIN_REDIRECT_URL = "/shop/accounts/"

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

SITE_ID = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "linli": {
            "handlers": ["console"],
            "level": env("LINLI_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}

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
    # bookings: series visits the moving booking horizon now reaches (idempotent).
    "linli: extend series": {"task": "bookings.tasks.series_extend", "schedule": 3600.0},
    # bookings: prepaid packages past their validity expire (their unused share refunded).
    "linli: expire packages": {"task": "bookings.tasks.packages_expire", "schedule": 3600.0},
    "linli: waiting lists": {"task": "bookings.tasks.waitlist_sweep", "schedule": 60.0},
    "linli: series prices": {"task": "bookings.tasks.series_price_check", "schedule": 600.0},
    # cms: Wagtail's scheduled publishing and expiry (go-live times are minutes).
    "cms: publish scheduled": {"task": "cms.tasks.publish_scheduled", "schedule": 60.0},
}
