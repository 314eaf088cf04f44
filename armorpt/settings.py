"""Settings for the Armor Physical Therapy site, read from the environment.

With nothing set (and DEBUG=true, as `make run` does) the site runs on SQLite under
var/, runs Celery tasks in-process and writes emails to files under var/mail/.
With DEBUG off it refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Only ever used with DEBUG on; production must bring its own key.
_LOCAL_SECRET_KEY = "django-insecure-local-only-never-use-this-key-in-production-0123456789"


def _required(name, value):
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment when DEBUG is off.")
    return value


if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default=_LOCAL_SECRET_KEY)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = _required("SECRET_KEY", env("SECRET_KEY", default=""))
    if SECRET_KEY == _LOCAL_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY is the local development key; set a real one.")
    ALLOWED_HOSTS = _required("ALLOWED_HOSTS", env.list("ALLOWED_HOSTS", default=[]))

# Absolute links in emails are built from this, never from the request's Host header.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin: its translation-aware admin classes and the _en/_es fields of staff-written text.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "phonenumber_field",
    "axes",
    "armorpt",
    "clinics",
    "appointments",
    "content",
    "newsletter",
    "selfcheck",
    "practice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached public pages for visitors without a session, before the layers that have nothing
    # to do for them (armorpt.pagecache).
    "armorpt.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL alone (/es/ or none): a page's address says what it reads in.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs staff out after STAFF_SESSION_IDLE_MINUTES without a request (armorpt.staff_sessions).
    "armorpt.staff_sessions.StaffSessionIdleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "armorpt.middleware.PermissionsPolicyMiddleware",
    "armorpt.middleware.RejectNulInAdminMiddleware",
    # Last, so that it sees the authenticated user and the final response.
    "axes.middleware.AxesMiddleware",
    # Turns a rate-limited request into our friendly 429 page.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "armorpt.urls"
WSGI_APPLICATION = "armorpt.wsgi.application"

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
                "csp.context_processors.nonce",
                "armorpt.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two bookings
    # cannot both read "free" and then both write.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
else:
    # A restarted database costs no failed request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker, rate-limit store -------------------------------------

REDIS_URL = env("REDIS_URL", default="")
# A few seconds at most: a hung Redis must not hang a patient's request.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "armorpt.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "armorpt",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    # Free times are cached per clinic and day: Django's default of 300 entries would throw them
    # away as fast as they are made once there are more than a handful of clinics.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 50_000}}
    }

# --- Celery -----------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Without a broker the site still works: tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
# A task is acknowledged only once it finished, and requeued if its worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task sending mail when Redis drops carries on and marks its row sent; cancelling it mid-SMTP
# would widen the one window in which a patient could get a message twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Reconnects to a returning broker within seconds, and sweeps the outbox (armorpt.worker).
CELERY_WORKER_CONSUMER = "armorpt.worker:Consumer"
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    # Longer than any retry countdown, so a delayed task is not redelivered early.
    "visibility_timeout": 2 * 60 * 60,
    # A web request that queues a task tries the broker once, briefly; the outbox sweeper
    # catches up later. (Workers reconnect with their own, patient, retry settings.)
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = "UTC"
# Run exactly one beat process (see README, Deploying).
CELERY_BEAT_SCHEDULE = {
    "queue-reminders": {"task": "appointments.tasks.queue_reminders", "schedule": 15 * 60.0},
    "resume-newsletter-sends": {"task": "newsletter.tasks.resume_sending", "schedule": 5 * 60.0},
    "erase-expired-patient-details": {
        "task": "appointments.tasks.erase_expired_patient_details",
        "schedule": crontab(hour=3, minute=30),
    },
    # Waitlist offers not answered in time go to the next in line (appointments.waitlist).
    "refill-waitlist": {"task": "appointments.tasks.refill_waitlist", "schedule": 60.0},
}
# Days after which patient details are erased from appointment requests (see README, Privacy).
RETENTION_CANCELLED_DAYS = env.int("RETENTION_CANCELLED_DAYS", default=30)
RETENTION_PAST_DAYS = env.int("RETENTION_PAST_DAYS", default=365)
# Days after a waitlist entry ended (booked, left, dates passed) that its patient details are erased.
RETENTION_WAITLIST_DAYS = env.int("RETENTION_WAITLIST_DAYS", default=7)

# --- Email ------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default=f"filemail:///{VAR_DIR / 'mail'}"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Armor Physical Therapy <appointments@armorpt.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Newsletter issues may come from their own address, so that replies to them stay out of the
# appointments inbox; by default they share the appointments sender.
NEWSLETTER_FROM_EMAIL = env("NEWSLETTER_FROM_EMAIL", default="") or DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- The practice -----------------------------------------------------------------------

PRACTICE = {
    "name": "Armor Physical Therapy",
    "short_name": "Armor PT",
    # Printed in every email footer (CAN-SPAM); sample address, set the real one.
    "postal_address": env(
        "PRACTICE_POSTAL_ADDRESS", default="Armor Physical Therapy, 100 Main Street, Kalamazoo, MI 49007"
    ),
    "social_links": [
        ("Facebook", env("SOCIAL_FACEBOOK_URL", default="https://www.facebook.com/armorpt")),
        ("Instagram", env("SOCIAL_INSTAGRAM_URL", default="https://www.instagram.com/armorpt")),
        ("YouTube", env("SOCIAL_YOUTUBE_URL", default="https://www.youtube.com/@armorpt")),
    ],
}

# --- Auth, i18n -------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords lock that username from that address for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The same notion of "client address" as the rate limits (armorpt.net.client_ip).
AXES_CLIENT_IP_CALLABLE = "armorpt.net.client_ip"
# A staff user is signed out after this many minutes without a request (a working day by default),
# not after Django's two weeks: front-desk computers are shared (armorpt.staff_sessions).
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=480)

# English at the site's first URLs, Spanish under /es/ (armorpt.urls); the admin stays English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Staff-written text (guides, bios, questions...) has an _en and an _es column (the app's translation.py
# files); an empty Spanish one shows the English text, with a note (content.templatetags.translation_tags).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "America/Detroit"
USE_I18N = True
USE_TZ = True
# Dates and times in the admin read as on the front-desk pages: "Tue, Dec 1, 2026 at 9:30 AM EST".
FORMAT_MODULE_PATH = ["armorpt.formats"]

# --- Static and media files -------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DB_FORMAT = "E164"

# --- Security ---------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    },
}
# Requests per client address; past the limit the answer is 429 and nothing is saved.
RATE_LIMITS = {
    "booking": env("RATE_LIMIT_BOOKING", default="10/h"),
    "booking_change": env("RATE_LIMIT_BOOKING_CHANGE", default="30/h"),
    "slots_api": env("RATE_LIMIT_SLOTS_API", default="120/m"),
    "newsletter": env("RATE_LIMIT_NEWSLETTER", default="10/h"),
    "waitlist": env("RATE_LIMIT_WAITLIST", default="10/h"),
}
# A public form sent back sooner than this after it was shown, or later than the maximum age,
# is shown again to be checked and sent once more (armorpt.forms.BotTrapMixin).
FORM_MIN_SECONDS = 2
FORM_MAX_AGE_SECONDS = 2 * 60 * 60
RATELIMIT_IP_META_KEY = "armorpt.net.client_ip"
RATELIMIT_VIEW = "armorpt.views.rate_limited"
# If the cache (Redis) is down, let people book rather than refuse everyone.
RATELIMIT_FAIL_OPEN = True
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# Location only for our own pages: the clinic finder's "near me" asks the browser, nobody else.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)

# Set only by benchmarks/: serves /bench/baseline, a fixed response of this many bytes.
BENCHMARK_BASELINE_BYTES = env.int("BENCHMARK_BASELINE_BYTES", default=0)

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
