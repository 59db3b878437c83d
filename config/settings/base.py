"""Settings shared by every environment, read once from the environment.

With nothing set, the shop runs on SQLite with the console email backend,
Celery tasks run in the calling process, and payments go to a localstripe
server on 127.0.0.1 (offline test payments).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "localflavor",
    "simple_history",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "shop",
    "inventory",
    "orders",
    "shipping",
    "fulfillment",
    "accounting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the signed-in staff member on each history entry.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns a sign-in that django-axes rejected into the lockout page. It
    # acts on the response only, so it goes last.
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.storefront",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation." + name}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
# AxesStandaloneBackend rejects locked-out sign-ins before ModelBackend
# checks the password, so it must come first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "shop:login"
LOGIN_REDIRECT_URL = "shop:account"
LOGOUT_REDIRECT_URL = "shop:home"

LANGUAGE_CODE = "en-ca"
USE_I18N = True
USE_TZ = True
SHOP_TIME_ZONE = env("SHOP_TIME_ZONE", default="America/Halifax")
TIME_ZONE = SHOP_TIME_ZONE

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: the console backend unless EMAIL_URL names an SMTP server,
# for example smtp://user:password@127.0.0.1:1025.
EMAIL_URL = env("EMAIL_URL", default="consolemail://")
vars().update(env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Ledgerfront <shop@example.com>")
EMAIL_TIMEOUT = 10

# Celery: tasks run in the calling process unless a broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2}
CELERY_TIMEZONE = SHOP_TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "send-unsent-invoices": {
        "task": "accounting.tasks.send_unsent_invoices",
        "schedule": 300.0,
    },
    "send-unsent-credit-notes": {
        "task": "accounting.tasks.send_unsent_credit_notes",
        "schedule": 300.0,
    },
    "record-missing-processor-fees": {
        "task": "accounting.tasks.record_missing_processor_fees",
        "schedule": 3600.0,
    },
    "record-missing-payout-items": {
        "task": "accounting.tasks.record_missing_payout_items",
        "schedule": 3600.0,
    },
}

# Stripe. Without STRIPE_SECRET_KEY the shop takes offline test payments
# from a localstripe server at STRIPE_API_BASE.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_offline")
STRIPE_OFFLINE = not STRIPE_SECRET_KEY
STRIPE_API_BASE = env(
    "STRIPE_API_BASE",
    default="http://127.0.0.1:8420" if STRIPE_OFFLINE else "https://api.stripe.com",
)
if STRIPE_OFFLINE:
    STRIPE_SECRET_KEY = "sk_test_offline"
    STRIPE_PUBLISHABLE_KEY = "pk_test_offline"
STRIPE_JS_URL = (
    f"{STRIPE_API_BASE}/js.stripe.com/v3/"
    if STRIPE_OFFLINE
    else "https://js.stripe.com/v3/"
)

# The shop itself: seller details printed on invoices and packing slips.
SHOP_NAME = env("SHOP_NAME", default="Ledgerfront Demo Shop")
SHOP_ADDRESS = env.list(
    "SHOP_ADDRESS",
    default=["1500 Barrington Street", "Halifax NS B3J 1Z7", "Canada"],
)
SHOP_EMAIL = env("SHOP_EMAIL", default="shop@example.com")
SHOP_BUSINESS_NUMBER = env("SHOP_BUSINESS_NUMBER", default="123456789 RT0001")
# Provincial sales tax numbers by province, printed on invoices that charge
# that province's tax, e.g. "QC=1234567890TQ0001,BC=PST-1234-5678".
SHOP_TAX_REGISTRATION_NUMBERS = env.dict("SHOP_TAX_REGISTRATION_NUMBERS", default={})
SHOP_ORIGIN_POSTAL_CODE = env("SHOP_ORIGIN_POSTAL_CODE", default="B3J1Z7")
# Provinces whose own sales tax (PST, RST, QST) the shop is registered to
# collect; GST or HST applies everywhere.
SHOP_TAX_REGISTRATIONS = env.list("SHOP_TAX_REGISTRATIONS", default=[])
SHOP_BASE_URL = env("SHOP_BASE_URL", default="http://127.0.0.1:8000")
SHOP_LOW_STOCK_THRESHOLD = env.int("SHOP_LOW_STOCK_THRESHOLD", default=5)
SHOP_PAGE_SIZE = env.int("SHOP_PAGE_SIZE", default=24)
# Let webhook endpoints point at loopback addresses (127.0.0.0/8, ::1,
# localhost), for a receiver on a developer's machine. Always false in
# production, where a loopback URL would expose the shop's own services.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)

# Back-office history and CSV files (shop.admin_history, shop.admin_csv).
# History pages only show changes: a revert would skip the services that
# own each change.
SIMPLE_HISTORY_REVERT_DISABLED = True
# django-import-export's permission checks: import needs change, and the
# shop's admins also require add; export needs view.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Data rows one CSV import file may have. The preview runs every row inside
# the web request, so a larger file is rejected before any row is read.
SHOP_IMPORT_MAX_ROWS = env.int("SHOP_IMPORT_MAX_ROWS", default=2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # weasyprint logs each rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# ---------------------------------------------------------------------------
# Shipping: dimensional weight and the rate table (the shipping app).

# Canada Post's density factors, by service code: the parcel volume in cm³
# billed as 1 kg. Quotes for a service missing here raise ValueError.
SHIPPING_DIM_FACTORS = {
    "DOM.RP": 6000,
    "DOM.EP": 5000,
    "DOM.XP": 5000,
    "DOM.PC": 5000,
    "USA.EP": 5000,
    "USA.XP": 5000,
    "USA.PW.PARCEL": 5000,
    "INT.XP": 5000,
    "INT.IP.AIR": 5000,
    "INT.IP.SURF": 5000,
    "INT.PW.PARCEL": 5000,
}
# Folder with zones.csv, services.csv and rates.csv, priced for parcels sent
# from the shop's origin (the default table is for Halifax NS).
SHIPPING_RATE_TABLE_DIR = env.path(
    "SHIPPING_RATE_TABLE_DIR", default=BASE_DIR / "shipping" / "data"
)

# ---------------------------------------------------------------------------
# The shop counter (in-store sales).

# Province of the shop's till: counter sales are taxed at its rates, because
# the customer takes the goods in that province.
SHOP_STORE_PROVINCE = env("SHOP_STORE_PROVINCE", default="NS")

# ---------------------------------------------------------------------------
# Nightly stock reports (inventory.reports): backorders and reorders,
# emailed to staff as HTML with a CSV attached.

# Staff addresses the reports go to. With none, the nightly tasks log a
# warning and send nothing.
SHOP_STAFF_EMAILS = env.list("SHOP_STAFF_EMAILS", default=[])
# Time of day, HH:MM in the shop's time zone (CELERY_TIMEZONE), the reports
# are sent at.
SHOP_NIGHTLY_REPORT_TIME = env("SHOP_NIGHTLY_REPORT_TIME", default="02:00")


def _nightly_report_crontab(value: str) -> crontab:
    hour, _, minute = value.partition(":")
    if not (hour.isdigit() and minute.isdigit()) or not (
        int(hour) < 24 and int(minute) < 60
    ):
        raise ImproperlyConfigured(
            f"SHOP_NIGHTLY_REPORT_TIME is {value!r}; set it to a time of day "
            'as HH:MM on the 24-hour clock, for example "02:00".'
        )
    return crontab(hour=int(hour), minute=int(minute))


CELERY_BEAT_SCHEDULE["send-backorder-report"] = {
    "task": "inventory.tasks.send_backorder_report",
    "schedule": _nightly_report_crontab(SHOP_NIGHTLY_REPORT_TIME),
}
CELERY_BEAT_SCHEDULE["send-reorder-report"] = {
    "task": "inventory.tasks.send_reorder_report",
    "schedule": _nightly_report_crontab(SHOP_NIGHTLY_REPORT_TIME),
}

# ---------------------------------------------------------------------------
# Backorders on the storefront (inventory.selectors.expected_ship_date).

# Business days from today to the expected ship date of a backordered item
# whose stock has no supplier and no open purchase order.
SHOP_DEFAULT_LEAD_TIME_DAYS = env.int("SHOP_DEFAULT_LEAD_TIME_DAYS", default=10)

# ---------------------------------------------------------------------------
# Canada Post's REST API (shipping.canadapost).

# Development host by default: production calls are billed, so switch to
# https://soa-gw.canadapost.ca only with production API keys.
CANADAPOST_API_BASE = env(
    "CANADAPOST_API_BASE", default="https://ct.soa-gw.canadapost.ca"
)
# API key pair from the Canada Post developer program (user name and
# password of the key), and the 10-digit customer number it belongs to.
CANADAPOST_USERNAME = env("CANADAPOST_USERNAME", default="")
CANADAPOST_PASSWORD = env("CANADAPOST_PASSWORD", default="")
CANADAPOST_CUSTOMER_NUMBER = env("CANADAPOST_CUSTOMER_NUMBER", default="")
# Parcel contract number, for contract prices and contract shipping; empty
# for Solutions for Small Business accounts.
CANADAPOST_CONTRACT_ID = env("CANADAPOST_CONTRACT_ID", default="")
# Seconds to wait for each connection and each response before retrying.
CANADAPOST_TIMEOUT = env.float("CANADAPOST_TIMEOUT", default=10.0)

# ---------------------------------------------------------------------------
# Tracking of shipped parcels (fulfillment.tracking).

CELERY_BEAT_SCHEDULE["refresh-tracking"] = {
    "task": "fulfillment.tasks.refresh_tracking_all",
    "schedule": 3600.0,
}

# Shipment work whose task was lost because the broker was down at commit
# (fulfillment.sweeps): tracking emails and packing slips.
CELERY_BEAT_SCHEDULE["queue-owed-shipment-work"] = {
    "task": "fulfillment.tasks.queue_owed_shipment_work",
    "schedule": 300.0,
}

# Staff jobs (shop.jobs): queue again those a down broker lost at commit,
# and fail those whose worker died (shop.job_sweeps).
CELERY_BEAT_SCHEDULE["sweep-staff-jobs"] = {
    "task": "shop.tasks.sweep_staff_jobs",
    "schedule": 300.0,
}

# ---------------------------------------------------------------------------
# Outgoing webhooks (shop.webhooks; docs/webhooks.md for receivers).

# Celery's autodiscovery imports only each app's tasks module.
CELERY_IMPORTS = ["shop.webhook_tasks"]
# Deliveries a down broker missed at commit, and retries whose task was lost.
CELERY_BEAT_SCHEDULE["queue-due-webhook-deliveries"] = {
    "task": "shop.webhook_tasks.queue_due_webhook_deliveries",
    "schedule": 60.0,
}

# ---------------------------------------------------------------------------
# REST API for staff devices and other systems (config/api.py).

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["shop.api.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "shop.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "shop.api.filters.StrictOrderingFilter",
    ],
    # Documents the error responses of every operation.
    "DEFAULT_SCHEMA_CLASS": "shop.api.schema.ApiAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ledgerfront API",
    "DESCRIPTION": (
        "Catalog, stock, purchasing, fulfillment, orders, in-store sales and "
        "customers for staff devices and other systems. Send a staff token "
        "as `Authorization: Token <key>`; each call needs the same model "
        "permission the admin asks for, reads included."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's scripts are served by the shop, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field named "status" with its own choices.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "PurchaseOrderStatusEnum": "inventory.models.PurchaseOrder.Status",
        "ShipmentStatusEnum": "fulfillment.models.Shipment.Status",
    },
}

# ---------------------------------------------------------------------------
# Sign-in throttling with django-axes: the admin, the storefront login and
# the API token endpoint (shop/login_throttling.py).

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(
        f"AXES_FAILURE_LIMIT is {AXES_FAILURE_LIMIT} and AXES_COOLOFF_MINUTES is "
        f"{AXES_COOLOFF_MINUTES}; set both to 1 or more."
    )
# Failures older than this are forgotten, and a locked-out sign-in may try
# again. Each attempt during a lockout starts the cool-off again (axes'
# AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the lockout page can
# promise the whole period.
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
# Failures count per username and IP address together. Counting per
# username alone would let anyone lock a customer out from every device by
# typing wrong passwords for their email.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shop.login_throttling.lockout_response"
# Quiet: no banner at start-up, and log lines show only the lockout
# parameters, masked (AXES_SENSITIVE_PARAMETERS).
AXES_VERBOSE = False

# Reverse proxies in front of the shop that each append the address they
# received the request from to X-Forwarded-For (nginx alone is 1). With 0
# the header is ignored, because any client can send it.
SHOP_REVERSE_PROXY_COUNT = env.int("SHOP_REVERSE_PROXY_COUNT", default=0)
if SHOP_REVERSE_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        f"SHOP_REVERSE_PROXY_COUNT is {SHOP_REVERSE_PROXY_COUNT}; set it to the "
        "number of reverse proxies in front of the shop, or 0 for none."
    )
if SHOP_REVERSE_PROXY_COUNT:
    # The client's address is the entry the outermost proxy appended, the
    # SHOP_REVERSE_PROXY_COUNT-th from the right. Entries further left came
    # from the client and are skipped. django-ipware's proxy count leaves
    # out the nearest proxy, whose address is REMOTE_ADDR.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_PROXY_COUNT = SHOP_REVERSE_PROXY_COUNT - 1
    # In strict mode a header with extra entries, forged or from the
    # client's own proxy, yields the nearest proxy's address, so all such
    # clients would share one address and one failure count.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
