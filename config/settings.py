"""Commonweal settings: the one place configuration is read from the environment.

Defaults give a self-contained developer site (SQLite file, eager Celery tasks, console mail).
``DJANGO_ENV=production`` turns on the production checks and makes the variables that a real
deployment must set required: start-up stops with a message naming the missing one.
"""

from pathlib import Path

import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

DJANGO_ENV = env.str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"


def _required(name, reader=env.str, **kwargs):
    """Read a variable that production must set; say which one is missing if it is not."""
    try:
        value = reader(name, **kwargs)
    except Exception as exc:  # environs raises EnvError; keep the message short and named
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production needs the environment variable {name} "
            f"(see README, 'Configuration'): {exc}"
        ) from None
    # Set but empty counts as missing: an empty CELERY_BROKER_URL would quietly run tasks in
    # the web process, an empty ALLOWED_HOSTS would answer every request with 400.
    if not value:
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production needs the environment variable {name} "
            f"(see README, 'Configuration'): it is set but empty."
        )
    return value


if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = _required("ALLOWED_HOSTS", env.list)
    _required("DATABASE_URL")
    _required("CELERY_BROKER_URL")
    _required("EMAIL_URL")
    # Login rate limits and sessions live in the cache: without a shared one each worker would
    # count on its own, and four workers would allow four times the limit.
    _required("REDIS_URL")
    DEBUG = env.bool("DEBUG", False)
else:
    SECRET_KEY = env.str("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
    DEBUG = env.bool("DEBUG", True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts",
    "competitions",
    "applications",
    "review",
    "cms",
    "backoffice",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
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
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_fsm",
    "django_htmx",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.AdminContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so a page from the cache still passes every middleware above on its way out.
    "cms.pagecache.AnonymousPageCacheMiddleware",
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
                "django.template.context_processors.i18n",
                "config.roles.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.dj_db_url("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two staff clicking together: a transaction takes the write lock when it begins and a
    # competing one waits for it (up to 20 s), instead of failing with "database is locked"
    # after it has already read the old state.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Accounts (django-allauth): email login, verification before applying, TOTP -----------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# Each person lands where their role works (reviewers /review/, staff /admin/, applicants /portal/,
# several roles choose): config/roles.py. This is only the fallback.
LOGIN_REDIRECT_URL = "/portal/"
# One way in: the Wagtail and Django admin login URLs redirect to allauth's login, which asks for
# the authenticator code and applies the rate limits (accounts/second_factor.py, config/urls.py).
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
ACCOUNT_ADAPTER = "config.roles.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}  # applicants and reviewers by email, staff by user name
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"  # "以 周敏 成功登录", not the user name
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Second factor: a passkey (WebAuthn: the phone's fingerprint or face, nothing to type) first, an
# authenticator app (TOTP) as the alternative; recovery codes shown once, right after activation.
MFA_SUPPORTED_TYPES = ["webauthn", "totp", "recovery_codes"]
MFA_RECOVERY_CODES_SHOW_ONCE = True
# Browsers offer passkeys on http only for localhost; the check of the origin's https is relaxed
# for the development server and the tests only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", DEBUG and not PRODUCTION)
# The authenticator app's secret stays the same across reloads until it is confirmed.
MFA_FORMS = {"activate_totp": "accounts.forms.ActivateTOTPForm"}
# Staff approve payments and read every applicant's contact data: in production they must use a
# second factor. Everyone who has an authenticator must pass it in each session on these pages.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", PRODUCTION)
SECOND_FACTOR_PATHS = ["/admin/", "/django-admin/", "/review/"]
SECOND_FACTOR_OPEN_PATHS = ["/review/invitation/"]
MFA_TOTP_ISSUER = "Commonweal"
# A code is taken for one 30-second step either side of now (RFC 6238's allowance for a phone's
# clock and the seconds it takes to type it): with none, a code typed as its step ends is refused.
# allauth remembers a used code for the whole window, so none is taken twice.
MFA_TOTP_TOLERANCE = 1

# --- Cache and sessions: Redis when configured so that several nodes share them ---------------
REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# One time zone for everyone: Wagtail would otherwise let staff pick theirs and show the back
# office in it while mail, PDFs and the public pages say Beijing time.
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", BASE_DIR / "var" / "media")
# Applicants' files are never under MEDIA_ROOT: they are served by a view that checks permission.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production may point this at a private S3-compatible bucket (django-storages).
    "private": {"BACKEND": env.str("PRIVATE_STORAGE_BACKEND", "applications.storage.PrivateStorage")},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
APPLICATION_ATTACHMENTS_MAX_BYTES = env.int("APPLICATION_ATTACHMENTS_MAX_BYTES", 100 * 1024 * 1024)

# --- Mail -----------------------------------------------------------------------------------
# dj-email-url knows smtp, submission (STARTTLS on 587), console, file, memory and dummy; we also
# accept smtp+tls:// (what the README shows) and read file:///var/mail as an absolute path.
_email_url = env.str("EMAIL_URL", "console://")
if _email_url.startswith("smtp+tls://"):
    _email_url = "submission://" + _email_url[len("smtp+tls://"):]
_email = dj_email_url.parse(_email_url)
if "EMAIL_BACKEND" not in _email:
    raise ImproperlyConfigured(
        f"EMAIL_URL has a scheme we do not know ({_email_url.split(':', 1)[0]}://): use smtp://, "
        f"smtp+tls:// (or submission://), console://, file:///absolute/folder or memory://."
    )
if _email_url.startswith("file://") and _email.get("EMAIL_FILE_PATH") and not _email["EMAIL_FILE_PATH"].startswith("/"):
    _email["EMAIL_FILE_PATH"] = "/" + _email["EMAIL_FILE_PATH"]
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
             "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_FILE_PATH", "EMAIL_TIMEOUT"):
    if _email.get(_key) not in (None, ""):
        globals()[_key] = _email[_key]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Commonweal <noreply@commonweal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "")
# Without a broker every task runs in-process at once (on commit, as in production).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A killed worker loses nothing: a task is acknowledged only when it has finished, a task whose
# worker process died goes back to the queue, and Redis hands an unacknowledged task to another
# worker after the visibility timeout (kombu's default is an hour). Every task is safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", 300)  # seconds
# Workers look for such tasks every 10 seconds (kombu's default sweep is every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT, "unacked_restore_interval": 10,
                                   "unacked_restore_throttle": 1}
# A task that runs longer than the visibility timeout would be handed out twice: stop it before.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", max(CELERY_VISIBILITY_TIMEOUT - 60, 30))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 15 if CELERY_TASK_TIME_LIMIT > 30 else None
# Worker processes are recycled so memory left behind by PDF rendering is returned (tasks, KiB).
# The memory bound sits well above what a process holds once WeasyPrint has loaded the CJK fonts
# (a fresh process needs ~1.5 s for its first PDF, ~0.2 s after): at 300 MB every process was
# replaced after a task or two and 200 申报书 took 138 s instead of ~30 s (make loadtest).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 1_000_000)
# How the worker's pool processes share the CPU with the web server on one machine: "idle" (Linux's
# SCHED_IDLE: they run only when nothing else wants the CPU and give it up the moment a request
# does), "low" (nice 19) or "normal". In a deadline rush the submits are answered first and their
# 申报书 PDFs drawn with what is left (make loadtest). On a machine of its own it changes nothing.
WORKER_CPU_PRIORITY = env.str("WORKER_CPU_PRIORITY", "idle")
if WORKER_CPU_PRIORITY not in ("idle", "low", "normal"):
    raise ImproperlyConfigured(f"WORKER_CPU_PRIORITY must be idle, low or normal, not {WORKER_CPU_PRIORITY!r}")

# --- Page cache (cms.pagecache) ---------------------------------------------------------------
# Public pages for visitors who are not signed in, whole, for at most this many seconds (and never
# past a call's opening or closing); every change the pages show makes them stale at once.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", 300)
# A caching proxy in front (e.g. nginx, Varnish) is purged by Wagtail when pages are published.
if env.str("FRONTEND_CACHE_PURGE_URL", ""):
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")
    WAGTAILFRONTENDCACHE = {
        "proxy": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                  "LOCATION": env.str("FRONTEND_CACHE_PURGE_URL")},
    }

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Commonweal 社区公益资助与创投管理平台"
# No Gravatar: it is not reachable from mainland China, and every admin page would show a broken
# picture and leak each user's email hash to an outside host. Wagtail shows its own default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False  # the admin dashboard would ask releases.wagtail.org
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False  # it links to guide.wagtail.org: English, and out of reach from mainland China
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "txt"]

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Nothing of ours is framed; Wagtail's preview views set SAMEORIGIN on their own responses
# (wagtail.utils.decorators.xframe_options_sameorigin_override), so DENY costs nothing.
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: the public site, the portal and the review pages load scripts, styles,
# pictures and fonts from the site itself only, run no inline script and post forms only here.
# The Wagtail admin (and Django's) get a policy of their own that allows the inline scripts and
# styles Wagtail still uses (config.middleware.AdminContentSecurityPolicyMiddleware). Browsers
# report violations to /csp-report/, which logs them (logger "csp").
CONTENT_SECURITY_POLICY_REPORT_URI_PATH = "/csp-report/"
ADMIN_URL_PREFIXES = ("/admin/", "/django-admin/")
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ADMIN_URL_PREFIXES,
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": CONTENT_SECURITY_POLICY_REPORT_URI_PATH,
    },
}
ADMIN_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    f"base-uri 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'self'; report-uri {CONTENT_SECURITY_POLICY_REPORT_URI_PATH}"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Domain settings ------------------------------------------------------------------------
# Prefix of every reference number and open-data identifier (e.g. GZ-2026-LF-0042).
REFERENCE_PREFIX = env.str("REFERENCE_PREFIX", "GZ")
OPEN_DATA_ID_PREFIX = env.str("OPEN_DATA_ID_PREFIX", "360G-commonweal-gz")
DEFAULT_REVISION_DAYS = env.int("DEFAULT_REVISION_DAYS", 7)
# A reviewer must comment on a criterion scored below this share of its maximum.
REVIEW_COMMENT_REQUIRED_BELOW_PERCENT = env.int("REVIEW_COMMENT_REQUIRED_BELOW_PERCENT", 60)
# A report's spending on a budget line that differs from its share by more than this needs a reason.
REPORT_VARIANCE_PERCENT = env.int("REPORT_VARIANCE_PERCENT", 20)
# Reports: the organization is reminded this many days before the due date (and on it, and after).
REMINDER_DAYS_BEFORE = env.int("REMINDER_DAYS_BEFORE", 7)
OBJECTION_LETTER_MAX_BYTES = env.int("OBJECTION_LETTER_MAX_BYTES", 10 * 1024 * 1024)

