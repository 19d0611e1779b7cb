"""Settings for the Assister Portal, read from the environment.

Defaults make a bare checkout work (`make run`): the local PostgreSQL server, tasks run
in-process, files under var/media, email to the console. Production sets the
variables listed in README.md ("Configuration"); a bad value fails at start-up.
"""

import base64
import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# HTTPS on: redirect to https, secure cookies, HSTS. On by default outside DEBUG.
HTTPS = env.bool("HTTPS", default=not DEBUG)

# The dev key is prefixed so that `check --deploy` (W009) rejects it in production.
DEV_SECRET_KEY = "django-insecure-dev-only-never-use-this-key-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_htmx",
    "template_partials",
    "accounts",
    "audit",
    "core",
    "notices",
    "plans",
    "certification",
    "directory",
    "clients",
    "associations",
    "applications",
    "verifications",
    "changes",
    "worklist",
    "guardian",
    "assister_portal",  # the project's own start-up (deploy checks); above every app
    "demo",  # seed_demo: the top layer, last
]

MIDDLEWARE = [
    "assister_portal.lib.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the session, the user or the body: see assister_portal/lib/request_guard.py.
    "assister_portal.lib.request_guard.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After the CSRF check, so a forged multipart post is refused before its files are parsed.
    "assister_portal.lib.request_guard.MultipartGuardMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.HtmxLoginRedirectMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "assister_portal.urls"
WSGI_APPLICATION = "assister_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.audience",
                "accounts.context_processors.session_policy",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
# PostgreSQL only: the directory's search and the append-only triggers are PostgreSQL's
# (check assister_portal.E003 refuses anything else).
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/assister_portal_dev")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication -------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutAuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors never hold object permissions
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.signup.SignupLanguageForm"  # + the language of notices and emails
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True  # every session ends, this one included
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
# One prefix on every email: ours (assister_portal.lib.email), allauth's and Django's error emails.
EMAIL_SUBJECT_PREFIX = "[MNsure Assister Portal] "
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
# The per-account lockout (accounts.lockout) replaces allauth's per-email limit and its
# per-user limit on second-factor codes (both are "login_failed" keys), counting passwords
# and codes together (MFA_FORMS below); the per-IP limits stay as a second line against
# spraying many accounts.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}

MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# Wrong second factors (codes and security keys, at sign-in and reauthentication) count toward
# the same lockout as wrong passwords; while locked, a right one is refused too.
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
    "authenticate_webauthn": "accounts.forms.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "accounts.forms.ReauthenticateWebAuthnForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "MNsure Assister Portal"
# Accept the code of the neighbouring 30-second step too: phones' clocks drift, and a code typed
# as the step turns would otherwise fail. A used code is refused the second time either way.
MFA_TOTP_TOLERANCE = 1
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Session policy (accounts.middleware.SessionPolicyMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
SESSION_IDLE_TIMEOUT_CONSUMER = timedelta(minutes=30)
SESSION_IDLE_WARNING = timedelta(minutes=2)
SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIMIT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Lockout (accounts.lockout).
LOCKOUT_MAX_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=30)

# Identifying a person for an assister (clients.identification): failures per searcher, and per person
# searched for however many search, each pause the searching; the second limit is looser and longer.
IDENTIFY_MAX_FAILURES = env.int("IDENTIFY_MAX_FAILURES", default=5)
IDENTIFY_WINDOW = timedelta(minutes=15)
IDENTIFY_LOCK = timedelta(minutes=30)
IDENTIFY_PERSON_MAX_FAILURES = env.int("IDENTIFY_PERSON_MAX_FAILURES", default=10)
IDENTIFY_PERSON_WINDOW = timedelta(hours=24)
IDENTIFY_PERSON_LOCK = timedelta(hours=24)
# Consent recorded offline: an assister recording more than this many in a day is flagged for staff.
OFFLINE_CONSENT_DAILY_FLAG = env.int("OFFLINE_CONSENT_DAILY_FLAG", default=5)
# Where alerts for exchange staff go (identification limits, flagged consents); empty: every active staff user.
SECURITY_ALERT_EMAILS = env.list("SECURITY_ALERT_EMAILS", default=[])

# --- Security headers ------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_PROXY", default=False):  # the proxy sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
USWDS_DIST = BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("uswds/css", USWDS_DIST / "css"),
    ("uswds/js", USWDS_DIST / "js"),
    ("uswds/fonts", USWDS_DIST / "fonts"),
    ("uswds/img", USWDS_DIST / "img"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

# Private files never sit under a URL: there is no MEDIA_URL route, and every
# file is served through an authorized view. Local folder by default, S3 in production.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = None
STORAGE = env.str("STORAGE", default="local")
if STORAGE == "local":
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "file_permissions_mode": 0o600},
    }
elif STORAGE == "s3":
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    raise ImproperlyConfigured(f"STORAGE must be 'local' or 's3', not {STORAGE!r}.")

STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600

# --- Upload safety (assister_portal.lib.uploads) ----------------------------------
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_PAGES = env.int("UPLOAD_MAX_PAGES", default=50)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
# Small files in memory as Django does; larger ones to a temporary file that never holds more than the limit.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "assister_portal.lib.uploads.handlers.CappedTemporaryFileUploadHandler",
]
# Pillow's own decompression-bomb check (PIL.Image.MAX_IMAGE_PIXELS, 89,478,485) stays on underneath.
if UPLOAD_MAX_BYTES <= 0 or UPLOAD_MAX_PAGES <= 0 or not 0 < UPLOAD_MAX_PIXELS <= 89_478_485:
    raise ImproperlyConfigured(
        "UPLOAD_MAX_BYTES and UPLOAD_MAX_PAGES must be positive, UPLOAD_MAX_PIXELS between 1 and 89478485."
    )
# Virus scanning through clamd: tcp://HOST:PORT or unix:///path/to/clamd.ctl; empty = no scanner
# (files are then marked "not scanned", never "clean").
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=60.0)  # seconds; below the Celery soft time limit
if CLAMD_ADDRESS and not re.fullmatch(r"tcp://[^\s:/]+:\d{1,5}|unix:///\S+", CLAMD_ADDRESS):
    raise ImproperlyConfigured(
        f"CLAMD_ADDRESS must look like tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl, not {CLAMD_ADDRESS!r}."
    )

# --- Certification (certification.services) ---------------------------------------
# Open enrollment starts on this (month, day) each year; a certification runs to the day before.
OPEN_ENROLLMENT_START = tuple(env.list("OPEN_ENROLLMENT_START", cast=int, default=[11, 1]))
# Renewal for the next period opens on this (month, day).
RENEWAL_OPENS = tuple(env.list("RENEWAL_OPENS", cast=int, default=[8, 1]))
CERTIFICATION_REMINDER_DAYS = (60, 30, 7)
INVITATION_VALID_DAYS = 14
# Invitations (new and resent) one agency admin may send per hour and per day (certification.services).
INVITATIONS_PER_HOUR = env.int("INVITATIONS_PER_HOUR", default=20)
INVITATIONS_PER_DAY = env.int("INVITATIONS_PER_DAY", default=60)
ASSISTER_AGREEMENT_VERSION = "2026-1"

# --- Field encryption (assister_portal.lib.crypto) ------------------------------
# Comma-separated Fernet keys, newest first. Required outside DEBUG and tests:
# a deploy check refuses the development key derived below.
_DEV_FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"dev-field-key:" + SECRET_KEY.encode()).digest()).decode()
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[_DEV_FIELD_KEY])
FIELD_ENCRYPTION_DEV_KEY = _DEV_FIELD_KEY

# --- Email -----------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MNsure Assister Portal <no-reply@assister.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache -----------------------------------------------------------------
# allauth keeps used TOTP codes and its rate limits here, so outside DEBUG every web
# process must share it (Redis): check assister_portal.E004 refuses a per-process cache.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Celery ----------------------------------------------------------------
# With no broker, tasks run in-process when called (make run, unit tests).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE = {
    "certification-daily-sweep": {
        "task": "certification.tasks.certification_daily_sweep",
        "schedule": crontab(hour=6, minute=0),  # America/Chicago (celery.py timezone)
    },
    "associations-expire-requests": {
        "task": "associations.tasks.expire_association_requests",
        "schedule": crontab(hour=6, minute=10),
    },
    # Notices a lost message, a dead worker or a broker outage left queued or rendering are sent again.
    "notices-sweep": {
        "task": "notices.tasks.notices_sweep",
        "schedule": 60.0,  # seconds
    },
    # Verification requests: reminders before the due date, and those past it expire (issue 14).
    # The assisters' daily digest of new and overdue follow-ups (issue 17), after the sweeps above have run.
    "worklist-daily-digest": {
        "task": "worklist.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "verifications-daily-sweep": {
        "task": "verifications.tasks.verification_daily_sweep",
        "schedule": crontab(hour=6, minute=20),
    },
    # Annual renewals (issue 17): prepared from APPLICATION_RENEWALS_OPEN, renewed when the next open enrollment ends.
    "applications-renewals-daily-sweep": {
        "task": "applications.tasks.renewals_daily_sweep",
        "schedule": crontab(hour=6, minute=30),
    },
    # Files still quarantined (scanner down, broker down, worker lost) are scanned again.
    "uploads-rescan-quarantined": {
        "task": "assister_portal.lib.uploads.tasks.rescan_quarantined_files",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Notices ---------------------------------------------------------------
# Who sends every notice (the letterhead and "How to get help"): MNsure's published contact details.
NOTICE_SENDER = {
    "name": "MNsure",
    "tagline": "Minnesota's health insurance marketplace",
    "address": "81 7th Street East, Suite 300, St. Paul, MN 55101-2211",
    "phone": "1-855-366-7873",
    "tty": "711",
    "website": "www.mnsure.org",
}
# A notice queued this long (seconds) without a rendering starting is sent to the broker again by the sweep;
# one rendering this long (longer than a task may run: celery.py TASK_TIME_LIMIT) is queued again; after
# NOTICE_MAX_ATTEMPTS renderings it is failed with the reason, for staff to retry from the admin.
NOTICE_QUEUED_TIMEOUT = env.int("NOTICE_QUEUED_TIMEOUT", default=120)
NOTICE_RENDERING_TIMEOUT = env.int("NOTICE_RENDERING_TIMEOUT", default=240)  # > the 180 s hard task limit
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=5)

# --- Logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "assister_portal.lib.request_id.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # its progress lines, one per step of every notice
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # "logger bridge initialized" at import
    },
}

TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # allauth's per-IP rate limits see the real client too

SILENCED_SYSTEM_CHECKS: list[str] = []

# Applications (issue 12): the coverage years an application can be started for. Each needs its rules file
# (applications/rules/<year>.toml) and a plan catalog (manage.py import_plans).
APPLICATION_COVERAGE_YEARS = env.list("APPLICATION_COVERAGE_YEARS", cast=int, default=[2026, 2027])


# Choosing a plan (issue 13). Open enrollment per coverage year: (first day, the day by which a plan must be chosen
# for coverage from January 1, last day); a plan chosen after the cut-off starts February 1. Dates are
# configuration, never code: the 2027 dates were in dispute in 2026 (reference "Enrollment periods"). The value is
# JSON, e.g. OPEN_ENROLLMENT_PERIODS='{"2027": ["2026-11-01", "2026-12-15", "2027-01-15"]}'.
def _open_enrollment_periods(raw: dict) -> dict[int, tuple[date, date, date]]:
    periods = {}
    for year, days in raw.items():
        try:
            start, cutoff, end = (date.fromisoformat(day) for day in days)
            year = int(year)
        except (TypeError, ValueError):
            raise ImproperlyConfigured(
                f"OPEN_ENROLLMENT_PERIODS[{year!r}] must be three ISO dates (start, cut-off, end), not {days!r}."
            ) from None
        if not (start <= cutoff < date(year, 1, 1) <= end):
            raise ImproperlyConfigured(
                f"OPEN_ENROLLMENT_PERIODS[{year}]: need start ≤ cut-off < January 1, {year} ≤ end; got {days!r}."
            )
        periods[year] = (start, cutoff, end)
    return periods


OPEN_ENROLLMENT_PERIODS = _open_enrollment_periods(
    env.json(
        "OPEN_ENROLLMENT_PERIODS",
        default={
            "2026": ["2025-11-01", "2025-12-15", "2026-01-15"],  # MNsure, open enrollment for 2026
            "2027": ["2026-11-01", "2026-12-15", "2027-01-15"],  # MNsure's announced dates (see above)
        },
    )
)
# A consumer may tell the exchange "I did not ask for this" about a plan chosen for them within this many days.
ENROLLMENT_DISPUTE_DAYS = env.int("ENROLLMENT_DISPUTE_DAYS", default=30)

# Annual renewals (issue 17; reference "Annual renewal", 45 CFR 155.335). From this (month, day) of coverage year Y, the
# application of each household enrolled to December 31 of Y is prepared for Y + 1, with a projected determination and
# a renewal notice (applications.tasks.renewals_daily_sweep). MNsure's renewal season opens October 1: configuration,
# not code, like the open enrollment dates. A household that has not acted is renewed when the open enrollment for Y + 1
# ends (OPEN_ENROLLMENT_PERIODS[Y + 1][2]).
APPLICATION_RENEWALS_OPEN = tuple(env.list("APPLICATION_RENEWALS_OPEN", cast=int, default=[10, 1]))
# A renewal is at risk (the assister's worklist) when the projected credit is lower than the current one by more than
# this share, in percent.
RENEWAL_CREDIT_DROP_AT_RISK = env.int("RENEWAL_CREDIT_DROP_AT_RISK", default=20)
try:
    date(2001, *APPLICATION_RENEWALS_OPEN)  # a (month, day) of a year without February 29
except (TypeError, ValueError):
    raise ImproperlyConfigured(
        f"APPLICATION_RENEWALS_OPEN must be a month and a day, e.g. 10,1 for October 1; got {APPLICATION_RENEWALS_OPEN!r}."
    ) from None
if not 0 <= RENEWAL_CREDIT_DROP_AT_RISK <= 100:
    raise ImproperlyConfigured(
        f"RENEWAL_CREDIT_DROP_AT_RISK is a percent, 0 to 100; got {RENEWAL_CREDIT_DROP_AT_RISK}."
    )

# Changes in circumstance (issue 15; reference "Enrollment periods and deadlines"). A change is reported within this many
# days of happening (45 CFR 155.330(b)); a later one is still taken, with a note.
CHANGE_REPORT_DAYS = env.int("CHANGE_REPORT_DAYS", default=30)
# A special enrollment period lasts this many days from the event (45 CFR 155.420(c)).
SPECIAL_ENROLLMENT_DAYS = env.int("SPECIAL_ENROLLMENT_DAYS", default=60)
# The reported events that open one (a move only into another rating area; changes.kinds.Event values).
SPECIAL_ENROLLMENT_EVENTS = frozenset(
    env.list(
        "SPECIAL_ENROLLMENT_EVENTS",
        default=["moved", "birth", "adoption", "marriage", "lost_coverage", "status_changed", "released"],
    )
)
# How far ahead a change may be reported (a move planned next month), in days.
CHANGE_REPORT_AHEAD_DAYS = env.int("CHANGE_REPORT_AHEAD_DAYS", default=60)

# Verification of what a household attested (issue 14; reference "Data-matching issues"). Documents are due this many
# days after the "documents needed" notice (MNsure allows 90; 45 CFR 155.315(f)).
VERIFICATION_DAYS = env.int("VERIFICATION_DAYS", default=90)
# Attested yearly income lower than the data source's figure by more than this share (percent) is an inconsistency;
# income at or above the source's figure is accepted as attested (it cannot raise the help).
VERIFICATION_INCOME_TOLERANCE = env.int("VERIFICATION_INCOME_TOLERANCE", default=10)
# Reminders to the household and its assisters this many days before a request is due (each sent once).
VERIFICATION_REMINDER_DAYS = tuple(
    sorted(env.list("VERIFICATION_REMINDER_DAYS", cast=int, default=[15, 5, 1]), reverse=True)
)
# The trusted data sources (verifications.sources.DataSources): the sample reference table by default.
VERIFICATION_SOURCES = env.str("VERIFICATION_SOURCES", default="verifications.sources.ReferenceSources")
# A good-faith extension moves the due date by at most this many days at a time (45 CFR 155.315(f)(3)).
VERIFICATION_MAX_EXTENSION_DAYS = env.int("VERIFICATION_MAX_EXTENSION_DAYS", default=90)
if VERIFICATION_DAYS <= 0 or not 0 <= VERIFICATION_INCOME_TOLERANCE <= 100 or VERIFICATION_MAX_EXTENSION_DAYS <= 0:
    raise ImproperlyConfigured(
        "VERIFICATION_DAYS and VERIFICATION_MAX_EXTENSION_DAYS must be positive, VERIFICATION_INCOME_TOLERANCE 0 to 100."
    )
if any(day <= 0 for day in VERIFICATION_REMINDER_DAYS):
    raise ImproperlyConfigured("VERIFICATION_REMINDER_DAYS are days before the due date: positive numbers.")

# The assister's worklist (issue 17). A draft nobody saved for this many days is a follow-up; so is coverage ending
# within this many days with nothing after it. Severity: past the deadline, due within the first number of days,
# within the second, then "to do".
WORKLIST_STALE_DRAFT_DAYS = env.int("WORKLIST_STALE_DRAFT_DAYS", default=14)
WORKLIST_COVERAGE_ENDING_DAYS = env.int("WORKLIST_COVERAGE_ENDING_DAYS", default=60)
WORKLIST_SEVERITY_DAYS = tuple(env.list("WORKLIST_SEVERITY_DAYS", cast=int, default=[5, 15]))
if WORKLIST_STALE_DRAFT_DAYS <= 0 or WORKLIST_COVERAGE_ENDING_DAYS <= 0:
    raise ImproperlyConfigured("WORKLIST_STALE_DRAFT_DAYS and WORKLIST_COVERAGE_ENDING_DAYS must be positive.")
if len(WORKLIST_SEVERITY_DAYS) != 2 or not 0 <= WORKLIST_SEVERITY_DAYS[0] < WORKLIST_SEVERITY_DAYS[1]:
    raise ImproperlyConfigured(
        f"WORKLIST_SEVERITY_DAYS must be two growing day counts, e.g. 5,15; got {WORKLIST_SEVERITY_DAYS!r}."
    )
