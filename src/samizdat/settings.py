"""Settings for Samizdat, read from environment variables with safe embedded defaults.

Every knob an operator may turn is an environment variable (see docs/configuration.md);
nothing here needs editing. With no variables set, the site runs on one machine with
SQLite, the local-memory cache, filesystem media and the database-backed task queue.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
env = environ.Env()

# Where the embedded defaults keep their state: the SQLite file, the generated secret key,
# uploaded media. A checkout's var/ by default; anywhere the operator likes in production.
VAR_DIR = Path(env.str("SAMIZDAT_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()

# Production mode turns the safe-but-convenient local defaults into hard requirements.
PRODUCTION = env.bool("SAMIZDAT_PRODUCTION", default=False)
DEBUG = env.bool("SAMIZDAT_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "SAMIZDAT_DEBUG is on with SAMIZDAT_PRODUCTION: debug pages show settings and "
        "source to anyone. Unset SAMIZDAT_DEBUG in production."
    )


def _secret_key() -> str:
    key = env.str("SAMIZDAT_SECRET_KEY", default="")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SAMIZDAT_SECRET_KEY must be set in production: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Local use: generate once and keep it, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Written whole beside it and linked into place: processes starting together (a server's
    # workers, `make run`'s steps) all end up with the one key that won, never an empty one.
    draft = path.with_name(f".secret_key.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(50))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list(
    "SAMIZDAT_ALLOWED_HOSTS",
    default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env.list("SAMIZDAT_CSRF_TRUSTED_ORIGINS", default=[])
# The site's onion service (`abc…xyz.onion`, from tor's hostname file): the site answers
# for it, over plain HTTP (Tor encrypts end to end), and clearnet pages point Tor Browser
# at it with an Onion-Location header.
ONION_ADDRESS = env.str("SAMIZDAT_ONION_ADDRESS", default="").strip().lower().removeprefix(
    "http://").strip("/")
if ONION_ADDRESS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, ONION_ADDRESS]

# The public address of the main site: canonical links, feeds and sitemaps name it. Unset,
# `samizdat dev` and (outside production) `samizdat serve` set it to the address they
# bind to, for themselves and their children (newsroom/address.py).
SITE_URL = env.str("SAMIZDAT_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# WebSub hubs the feeds name and each publication pings (syndication/websub.py), e.g.
# https://pubsubhubbub.appspot.com/; none by default.
WEBSUB_HUBS = env.list("SAMIZDAT_WEBSUB_HUBS", default=[])

INSTALLED_APPS = [
    "samizdat.security.apps.SamizdatAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "django_prose_editor",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "samizdat.newsroom",
    "samizdat.photos",
    "samizdat.comments",
    "samizdat.search",
    "samizdat.popular",
    "samizdat.mirrors",
    "samizdat.site",
    "samizdat.syndication",
    "samizdat.bake",
    "samizdat.ops",
    "samizdat.security",
    "samizdat.telegram",
    "samizdat.newsletter",
]

# Django's SecurityMiddleware is there as OnionAwareSecurityMiddleware, its subclass, which
# Django's check does not recognise by name; samizdat.W001 checks for it instead.
SILENCED_SYSTEM_CHECKS = ["security.W001"]

MIDDLEWARE = [
    # First: a cached reader page is answered here, headers and all, before anything else.
    "samizdat.site.middleware.ReaderPageCacheMiddleware",
    "samizdat.site.middleware.LiteEditionMiddleware",
    "samizdat.security.middleware.OnionAwareSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "samizdat.security.middleware.SecurityHeadersMiddleware",
    # /healthz and /metrics for any Host, without cookies; counts requests by view.
    "samizdat.monitoring.middleware.MonitoringMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "samizdat.security.middleware.HostRoutingMiddleware",
    "samizdat.security.csp.CSPMiddleware",
    "samizdat.security.csp.AdminCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samizdat.security.middleware.SessionRevocationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samizdat.urls"
WSGI_APPLICATION = "samizdat.wsgi.application"

TEMPLATES = [
    # Reader pages: Jinja2 templates in each app's jinja2/ folder (see site/jinja.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "samizdat.site.jinja.environment",
            "autoescape": True,
            "auto_reload": DEBUG,
        },
    },
    # The admin and everything else: Django's template language.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
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

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'samizdat.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer writes; the busy timeout makes a second
    # writer wait instead of failing; IMMEDIATE transactions avoid upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
        ),
    }
# Reopening a connection (and, on SQLite, re-running the PRAGMAs) per request is waste.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("SAMIZDAT_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool of at most N connections per process (psycopg's, through Django) instead of
    # one kept per thread: for `samizdat serve --threads` above 1 (docs/deployment.md).
    _pool = env.int("SAMIZDAT_DB_POOL", default=0)
    if _pool:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1, "max_size": _pool, "timeout": 10}
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django requires 0
    # Behind PgBouncer in transaction mode a transaction may meet another server
    # connection each time: no server-side cursors (Django's .iterator()) across them.
    if env.bool("SAMIZDAT_DB_PGBOUNCER", default=False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://samizdat")}
if "locmem" in CACHES["default"]["BACKEND"]:
    # Django's default keeps 300 entries; a news site's working set of pages is larger.
    CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = env.int(
        "SAMIZDAT_LOCAL_CACHE_ENTRIES", default=3000)
    # Fragments (site/fragments.py) apart, or six per article would crowd out whole pages.
    # A shared cache (Redis) holds both: they fall back to "default".
    CACHES["fragments"] = {
        "BACKEND": CACHES["default"]["BACKEND"], "LOCATION": "samizdat-fragments",
        "OPTIONS": {"MAX_ENTRIES": env.int("SAMIZDAT_LOCAL_FRAGMENT_ENTRIES", default=3000)},
    }
if CACHES["default"]["BACKEND"] in ("django_redis.cache.RedisCache",
                                    "django.core.cache.backends.redis.RedisCache"):
    # django-environ names django-redis or Django's own client (which needs no extra package);
    # ours (samizdat/caching.py) renders uncached while Redis is unreachable, never a 500.
    CACHES["default"]["BACKEND"] = "samizdat.caching.TolerantRedisCache"
    CACHES["default"].pop("OPTIONS", None)
# How long a reader page may be served from the full-page cache and by browsers/CDNs.
PAGE_CACHE_SECONDS = env.int("SAMIZDAT_PAGE_CACHE_SECONDS", default=300)
BROWSER_CACHE_SECONDS = env.int("SAMIZDAT_BROWSER_CACHE_SECONDS", default=60)
# How long parts of pages (an article's text, its related list, the masthead) may be kept
# once rendered; they are keyed by what they show, so this bounds memory, not staleness.
# 0 turns fragment caching off (site/fragments.py).
FRAGMENT_CACHE_SECONDS = env.int("SAMIZDAT_FRAGMENT_CACHE_SECONDS", default=86400)
# A folder where cached reader pages are also written as files, for nginx to serve directly
# (docs/deployment.md). Off by default.
PAGE_FILES_DIR = env.str("SAMIZDAT_PAGE_FILES_DIR", default="")
# At most this many page files per worker process between two content changes.
PAGE_FILES_MAX = env.int("SAMIZDAT_PAGE_FILES_MAX", default=20000)
# `samizdat bake`: where the static copy of the whole public site goes (a link to the
# finished version, switched atomically; docs/deployment.md).
BAKE_DIR = Path(env.str("SAMIZDAT_BAKE_DIR", default=str(VAR_DIR / "baked")))

# `samizdat serve`: granian worker processes (default: one per CPU) and their memory cap.
SERVE_WORKERS = env.int("SAMIZDAT_WORKERS", default=0) or os.cpu_count() or 1
SERVE_THREADS = env.int("SAMIZDAT_THREADS", default=1)
SERVE_MAX_RSS_MB = env.int("SAMIZDAT_WORKER_MAX_RSS_MB", default=400)

# --- Mirrors ----------------------------------------------------------------------------
# The Ed25519 key that signs mirrors.json (made on first use in SAMIZDAT_VAR_DIR otherwise),
# and the ssh command rsync mirrors use.
SIGNING_KEY_FILE = env.str("SAMIZDAT_SIGNING_KEY_FILE", default="")
RSYNC_SSH = env.str("SAMIZDAT_RSYNC_SSH", default="ssh -o BatchMode=yes")

# --- Backups ------------------------------------------------------------------------------
# `samizdat backup` (docs/backup.md): archives are encrypted to these age public keys
# (comma-separated age1…; the private keys stay off the server) and/or with a passphrase;
# SAMIZDAT_BACKUP_TO is where a run without --to writes (a folder or s3://bucket/prefix).
BACKUP_RECIPIENTS = env.list("SAMIZDAT_BACKUP_RECIPIENTS", default=[])
BACKUP_PASSPHRASE = env.str("SAMIZDAT_BACKUP_PASSPHRASE", default="")
BACKUP_TO = env.str("SAMIZDAT_BACKUP_TO", default="")
# The worker's schedule (ops/schedule.py): every N hours (counted from midnight UTC), or once
# a day at HH:MM in the newsroom's time zone; neither set, no backup is scheduled (a systemd
# timer running `samizdat backup` is the other way). Each run then keeps the newest archive
# of the last KEEP_DAILY days and KEEP_WEEKLY weeks (0 and 0: all of them), as do runs by hand.
BACKUP_EVERY_HOURS = env.int("SAMIZDAT_BACKUP_EVERY_HOURS", default=0)
BACKUP_DAILY_AT = env.str("SAMIZDAT_BACKUP_DAILY_AT", default="")
BACKUP_KEEP_DAILY = env.int("SAMIZDAT_BACKUP_KEEP_DAILY", default=0)
BACKUP_KEEP_WEEKLY = env.int("SAMIZDAT_BACKUP_KEEP_WEEKLY", default=0)
if BACKUP_EVERY_HOURS and BACKUP_DAILY_AT:
    raise ImproperlyConfigured(
        "SAMIZDAT_BACKUP_EVERY_HOURS and SAMIZDAT_BACKUP_DAILY_AT are both set: keep one.")
if BACKUP_EVERY_HOURS < 0 or BACKUP_KEEP_DAILY < 0 or BACKUP_KEEP_WEEKLY < 0:
    raise ImproperlyConfigured(
        "SAMIZDAT_BACKUP_EVERY_HOURS, SAMIZDAT_BACKUP_KEEP_DAILY and SAMIZDAT_BACKUP_KEEP_WEEKLY "
        "count hours and archives: 0 or more.")
if BACKUP_DAILY_AT:
    try:
        _hour, _minute = (int(part) for part in BACKUP_DAILY_AT.split(":"))
        if not (0 <= _hour < 24 and 0 <= _minute < 60):
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            f"SAMIZDAT_BACKUP_DAILY_AT={BACKUP_DAILY_AT!r}: give a time of day as HH:MM, "
            "such as 03:15.") from None
if (BACKUP_EVERY_HOURS or BACKUP_DAILY_AT) and not BACKUP_TO:
    raise ImproperlyConfigured(
        "A backup schedule (SAMIZDAT_BACKUP_EVERY_HOURS or SAMIZDAT_BACKUP_DAILY_AT) needs "
        "SAMIZDAT_BACKUP_TO: a folder or s3://bucket/prefix to write to.")

# --- Search -------------------------------------------------------------------------------
# Searches per client per minute, and the time one query may take before the reader is
# asked to narrow it.
SEARCH_RATE_LIMIT = env.int("SAMIZDAT_SEARCH_RATE_LIMIT", default=20)
SEARCH_TIMEOUT_MS = env.int("SAMIZDAT_SEARCH_TIMEOUT_MS", default=1500)
# Most read: each worker writes the readings it counted at most this often.
POPULAR_FLUSH_SECONDS = env.int("SAMIZDAT_POPULAR_FLUSH_SECONDS", default=30)

# --- API ----------------------------------------------------------------------------------
# Requests per client per minute to the JSON API (/api/v1/); 0 turns the limit off.
API_RATE_LIMIT = env.int("SAMIZDAT_API_RATE_LIMIT", default=120)

# --- Task queue ---------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.str("SAMIZDAT_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
        # "bake": updates of the baked copy, for the worker where the copy is (bake/tasks.py).
        "QUEUES": ["default", "bake"],
    }
}
# `samizdat worker` (newsroom/worker.py): how often a worker says it is alive, after how long
# without a sign a RUNNING task of a silent worker runs again (keep it well above the
# heartbeat), how often the worker publishes due articles itself, and how many runs a task
# gets before it is marked failed.
TASK_WORKER_HEARTBEAT_SECONDS = env.int("SAMIZDAT_TASK_HEARTBEAT_SECONDS", default=10)
TASK_WORKER_LEASE_SECONDS = env.int("SAMIZDAT_TASK_LEASE_SECONDS", default=60)
TASK_WORKER_SWEEP_SECONDS = env.int("SAMIZDAT_TASK_SWEEP_SECONDS", default=15)
TASK_MAX_ATTEMPTS = env.int("SAMIZDAT_TASK_MAX_ATTEMPTS", default=5)
if TASK_WORKER_LEASE_SECONDS < 3 * TASK_WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "SAMIZDAT_TASK_LEASE_SECONDS must be at least three heartbeats "
        "(SAMIZDAT_TASK_HEARTBEAT_SECONDS), or a busy worker's tasks would run twice.")

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ADMIN_PATH = env.str("SAMIZDAT_ADMIN_PATH", default="admin").strip("/")
# A host name of its own for the admin (say, one reachable only over a VPN): reader host
# names then have no admin at all.
ADMIN_HOST = env.str("SAMIZDAT_ADMIN_HOST", default="")
LOGIN_URL = f"/{ADMIN_PATH}/login/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are upgraded to Argon2 at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling: after AXES_FAILURE_LIMIT failures, that account name and that client
# are each blocked for the cool-off time (or until an administrator unlocks them).
AXES_FAILURE_LIMIT = env.int("SAMIZDAT_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SAMIZDAT_LOGIN_COOLOFF_MINUTES", default=30))
# A client (the hashed address) is blocked too, except where the address is the onion
# audience's shared one (samizdat.clients.is_shared): there only the account name counts.
AXES_LOCKOUT_PARAMETERS = "samizdat.security.services.lockout_parameters"
# A correct password forgives nothing: failures are forgiven for the account that signed
# in, and only once its second factor is verified (security.services.verify_second_factor).
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "samizdat.clients.pseudonymous_ip"  # never a raw address
AXES_LOCKOUT_CALLABLE = "samizdat.security.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins go to the audit log instead
AXES_VERBOSE = False
# How many proxies (nginx, a CDN) stand before the application and append X-Forwarded-For.
PROXY_COUNT = env.int("SAMIZDAT_PROXY_COUNT", default=0)
# Onion readers without a tor circuit id share one address (samizdat.clients): its limits
# are this many times one client's.
ONION_LIMIT_FACTOR = env.int("SAMIZDAT_ONION_LIMIT_FACTOR", default=50)
# Wrong second-factor codes slow down exponentially (seconds = factor * 2^(failures-1)).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = env.str("SAMIZDAT_SITE_NAME", default="Samizdat")

# --- Languages and time -------------------------------------------------------------------
_LANGUAGE_NAMES = {
    "be": _("Belarusian"),
    "ru": _("Russian"),
    "en": _("English"),
    "uk": _("Ukrainian"),
    "pl": _("Polish"),
}
_codes = env.list("SAMIZDAT_LANGUAGES", default=["be", "ru", "en"])
_unknown = [c for c in _codes if c not in _LANGUAGE_NAMES]
if _unknown:
    raise ImproperlyConfigured(
        f"SAMIZDAT_LANGUAGES names {', '.join(_unknown)}; choose from "
        f"{', '.join(_LANGUAGE_NAMES)}."
    )
LANGUAGES = [(code, _LANGUAGE_NAMES[code]) for code in _codes]
LANGUAGE_CODE = _codes[0]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates and times per language (samizdat/formats): Django's, completed where it has none
# (Belarusian) and fitted to news pages ("3 мая 2024", month titles "Май 2024", 24-hour times).
FORMAT_MODULE_PATH = ["samizdat.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("SAMIZDAT_TIME_ZONE", default="Europe/Minsk")

# --- Files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("SAMIZDAT_STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("SAMIZDAT_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded photos and their renditions: the local folder, or an S3-compatible bucket when
# SAMIZDAT_S3_BUCKET is set. Readers always fetch them from this site's own /media/ (nginx
# or Django passes them on), never from the bucket's host: no request to another origin.
S3_BUCKET = env.str("SAMIZDAT_S3_BUCKET", default="")
MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    try:
        import storages  # noqa: F401
    except ImportError as error:
        raise ImproperlyConfigured(
            "SAMIZDAT_S3_BUCKET is set but the S3 storage is not installed: "
            "pip install 'samizdat[s3]' (or unset SAMIZDAT_S3_BUCKET).") from error
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("SAMIZDAT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("SAMIZDAT_S3_REGION", default="") or None,
            "access_key": env.str("SAMIZDAT_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("SAMIZDAT_S3_SECRET_KEY", default="") or None,
            "location": env.str("SAMIZDAT_S3_PREFIX", default=""),
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": True,
        },
    }
STORAGES = {
    "default": MEDIA_STORAGE,
    # In production, `collectstatic` writes content-hashed names with gzip copies beside
    # them; WhiteNoise serves those with a far-future, immutable Cache-Control.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION  # no collectstatic needed on a laptop
WHITENOISE_MAX_AGE = 3600  # for unhashed names; hashed ones are cached for a year
# Photos: upload limits (a decompression bomb declares more pixels than it is worth),
# rendition widths, the formats made besides the JPEG/PNG fallback (webp, avif), and the
# list thumbnails' widths and shape.
PHOTO_MAX_MB = env.int("SAMIZDAT_PHOTO_MAX_MB", default=40)
PHOTO_MAX_MEGAPIXELS = env.int("SAMIZDAT_PHOTO_MAX_MEGAPIXELS", default=100)
PHOTO_WIDTHS = tuple(env.list("SAMIZDAT_PHOTO_WIDTHS", cast=int,
                              default=[480, 800, 1200, 1600]))
PHOTO_FORMATS = tuple(env.list("SAMIZDAT_PHOTO_FORMATS", default=["webp"]))
if set(PHOTO_FORMATS) - {"webp", "avif", "jpeg"}:
    raise ImproperlyConfigured("SAMIZDAT_PHOTO_FORMATS may list webp, avif and jpeg; "
                               f"it lists {', '.join(PHOTO_FORMATS)}.")
PHOTO_THUMB_WIDTHS = (240, 480)
PHOTO_THUMB_RATIO = 3 / 2
# Comments: length, how many a client may post per 10 minutes before its browser must solve
# a puzzle (and, far beyond, at all), how many an article takes per 10 minutes before new
# ones wait for a moderator, and the puzzle's difficulty (bits: each one doubles the work).
COMMENTS_MAX_LENGTH = env.int("SAMIZDAT_COMMENTS_MAX_LENGTH", default=4000)
COMMENTS_CLIENT_LIMIT = env.int("SAMIZDAT_COMMENTS_CLIENT_LIMIT", default=5)
COMMENTS_CLIENT_HARD_LIMIT = env.int("SAMIZDAT_COMMENTS_CLIENT_HARD_LIMIT", default=30)
COMMENTS_ARTICLE_LIMIT = env.int("SAMIZDAT_COMMENTS_ARTICLE_LIMIT", default=60)
COMMENTS_CHALLENGE_BITS = env.int("SAMIZDAT_COMMENTS_CHALLENGE_BITS", default=17)
# A commenter's pseudonymous identity (and so a ban by client) lasts this many days.
COMMENTS_IDENTITY_DAYS = env.int("SAMIZDAT_COMMENTS_IDENTITY_DAYS", default=7)

# --- Email --------------------------------------------------------------------------------
# Reply notifications to commenters. EMAIL_URL like smtp+tls://user:pass@mail.example.org:587;
# by default mail is written to the console (nothing leaves the machine).
EMAIL_CONFIG = env.email_url("SAMIZDAT_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("SAMIZDAT_EMAIL_FROM", default="Samizdat <noreply@localhost>")
EMAIL_TIMEOUT = 20

# --- Newsletter (newsletter/, docs/newsletter.md) -------------------------------------------
# The key subscribers' addresses are encrypted and looked up with. Kept in the environment
# only (never in var/, the database or a backup); without it the form is not offered.
NEWSLETTER_SUBSCRIBER_KEY = env.str("SAMIZDAT_SUBSCRIBER_KEY", default="").strip()
if NEWSLETTER_SUBSCRIBER_KEY and len(NEWSLETTER_SUBSCRIBER_KEY) < 32:
    raise ImproperlyConfigured(
        "SAMIZDAT_SUBSCRIBER_KEY is shorter than 32 characters: make one with "
        "`samizdat newsletter_key`.")
# The newsletter's sender (its domain is the one SPF, DKIM and DMARC must align with).
NEWSLETTER_FROM = env.str("SAMIZDAT_NEWSLETTER_FROM", default="") or DEFAULT_FROM_EMAIL
# Messages per second (0: as fast as the mail server takes them), per connection batch,
# refusals (5xx) after which an address gets nothing more, subscriptions per client per 10 min.
NEWSLETTER_RATE = env.float("SAMIZDAT_NEWSLETTER_RATE", default=50)
NEWSLETTER_BATCH_SIZE = env.int("SAMIZDAT_NEWSLETTER_BATCH_SIZE", default=200)
NEWSLETTER_MAX_BOUNCES = env.int("SAMIZDAT_NEWSLETTER_MAX_BOUNCES", default=3)
NEWSLETTER_SUBSCRIBE_LIMIT = env.int("SAMIZDAT_NEWSLETTER_SUBSCRIBE_LIMIT", default=5)
# DKIM: the private key (PEM), its selector and the signing domain (the sender's by default).
NEWSLETTER_DKIM_KEY_FILE = env.str("SAMIZDAT_NEWSLETTER_DKIM_KEY_FILE", default="")
NEWSLETTER_DKIM_SELECTOR = env.str("SAMIZDAT_NEWSLETTER_DKIM_SELECTOR", default="samizdat")
NEWSLETTER_DKIM_DOMAIN = env.str("SAMIZDAT_NEWSLETTER_DKIM_DOMAIN", default="")
if NEWSLETTER_BATCH_SIZE < 1 or NEWSLETTER_RATE < 0 or NEWSLETTER_MAX_BOUNCES < 1:
    raise ImproperlyConfigured(
        "SAMIZDAT_NEWSLETTER_BATCH_SIZE and SAMIZDAT_NEWSLETTER_MAX_BOUNCES must be 1 or more, "
        "SAMIZDAT_NEWSLETTER_RATE 0 (no limit) or more.")

# --- Telegram (telegram/, docs/telegram.md) -----------------------------------------------
# The Bot API's address (a local Bot API server, or a test stand-in), the bot's token and
# each edition's channel (@name or -100… id). A channel set in the admin takes the place of
# these for its edition. SECOND_LINK: "onion" or "mirror" adds a link to the article on the
# onion address or the first active mirror with a public address.
TELEGRAM_API_URL = env.str("SAMIZDAT_TELEGRAM_API_URL", default="https://api.telegram.org")
TELEGRAM_BOT_TOKEN = env.str("SAMIZDAT_TELEGRAM_BOT_TOKEN", default="").strip()
TELEGRAM_CHANNELS = {
    code: env.str(f"SAMIZDAT_TELEGRAM_CHANNEL_{code.upper()}", default="").strip()
    for code in _codes
}
TELEGRAM_SECOND_LINK = env.str("SAMIZDAT_TELEGRAM_SECOND_LINK", default="").strip().lower()
if TELEGRAM_SECOND_LINK not in ("", "onion", "mirror"):
    raise ImproperlyConfigured(
        f"SAMIZDAT_TELEGRAM_SECOND_LINK is {TELEGRAM_SECOND_LINK!r}: use onion, mirror or "
        "leave it empty.")
if TELEGRAM_SECOND_LINK == "onion" and not ONION_ADDRESS:
    raise ImproperlyConfigured(
        "SAMIZDAT_TELEGRAM_SECOND_LINK=onion needs SAMIZDAT_ONION_ADDRESS (the site's "
        "…xyz.onion name).")
# Seconds one Bot API call may take (a photo upload included) before it is tried again.
TELEGRAM_TIMEOUT = env.int("SAMIZDAT_TELEGRAM_TIMEOUT", default=30)

# Request limits: a request body beyond these is refused with 400 before a view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("SAMIZDAT_MAX_REQUEST_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Photos are taken one after another within a request, each in bounded memory
# (photos/images.py); twenty at once covers a photo report and keeps a request's time sane.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

# --- Security -----------------------------------------------------------------------------
# Readers never load anything from another origin; the admin's editor needs nothing more.
CONTENT_SECURITY_POLICY = {
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
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff sessions end after this many hours, however busy; a new sign-in gets a new key.
SESSION_COOKIE_AGE = 60 * 60 * env.int("SAMIZDAT_SESSION_HOURS", default=12)
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SAMIZDAT_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SAMIZDAT_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Load balancers and Prometheus ask over plain HTTP on the local network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/deep)?$", r"^metrics$"]

# --- Health, metrics, logs, error reports (samizdat/monitoring) ----------------------------
# /healthz/deep and /metrics answer on loopback (straight to the application) and to
# `Authorization: Bearer <token>` with these; elsewhere they are 404s.
HEALTH_TOKEN = env.str("SAMIZDAT_HEALTH_TOKEN", default="")
METRICS_TOKEN = env.str("SAMIZDAT_METRICS_TOKEN", default="")
# The deep check fails when a due task has waited this long, when the disk holding
# SAMIZDAT_VAR_DIR has less free, and (once backups exist) when the last is this old.
HEALTH_MAX_TASK_LAG_SECONDS = env.int("SAMIZDAT_HEALTH_MAX_TASK_LAG_SECONDS", default=900)
HEALTH_MIN_FREE_MB = env.int("SAMIZDAT_HEALTH_MIN_FREE_MB", default=1024)
HEALTH_MAX_BACKUP_AGE_HOURS = env.int("SAMIZDAT_HEALTH_MAX_BACKUP_AGE_HOURS", default=48)
# Every handler drops readers' addresses (monitoring/logs.py); `json` writes JSON lines.
LOG_FORMAT = env.str("SAMIZDAT_LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"SAMIZDAT_LOG_FORMAT is {LOG_FORMAT!r}; use text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_client_address": {"()": "samizdat.monitoring.logs.NoClientAddress"}},
    "formatters": {"json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }},
    "handlers": {"console": {
        "class": "logging.StreamHandler", "filters": ["no_client_address"],
        **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
    }},
    "root": {"handlers": ["console"], "level": env.str("SAMIZDAT_LOG_LEVEL", default="WARNING")},
    # Django's own handlers (the debug console, mail to ADMINS, runserver's) would bypass
    # the filter: its loggers write through the one above.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
# Error reports to a Sentry-compatible server (pip install 'samizdat[sentry]'): off unless
# set; nothing about readers is sent (monitoring/errors.py).
SENTRY_DSN = env.str("SAMIZDAT_SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        from samizdat.monitoring import errors as _errors
        _errors.init(SENTRY_DSN, environment="production" if PRODUCTION else "development")
    except ImportError as error:
        raise ImproperlyConfigured(
            "SAMIZDAT_SENTRY_DSN is set but the Sentry SDK is not installed: "
            "pip install 'samizdat[sentry]' (or unset SAMIZDAT_SENTRY_DSN).") from error
