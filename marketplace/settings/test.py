"""Settings for pytest: the same as base, with fast hashing and captured mail.

PostgreSQL is used when ``DATABASE_URL`` is set (CI sets it); SQLite otherwise.
"""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = str(VAR_DIR / "test-media")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
SMS_BACKEND = "bookings.notify.channels.LocmemSMSBackend"

# pytest-xdist runs the suite in several processes (``make test`` uses two). Each has its own
# test database (pytest-django names it ``test_<name>_gw<N>``); the Redis cache, which every
# test clears, gets its own database too: worker N uses the configured number plus N.
_XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
if _XDIST_WORKER and REDIS_URL:
    _base, _, _db = REDIS_URL.rpartition("/")
    _db = (int(_db or 0) + int(_XDIST_WORKER.removeprefix("gw"))) % 16
    CACHES["default"]["LOCATION"] = f"{_base}/{_db}"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so live_server threads share it; one per developer if asked.
    DATABASES["default"]["TEST"] = {
        "NAME": env("LINLI_SQLITE_TEST_DB", default=str(VAR_DIR / "test.sqlite3"))
    }

# Rate limits stay on, but far above what any test does; the tests of the limits set their own
# (tests/security/test_rate_limits.py), so a property test booking fifty times is never a 429.
LINLI_RATE_LIMITS = {name: "100000/m" for name in LINLI_RATE_LIMITS}  # noqa: F405
