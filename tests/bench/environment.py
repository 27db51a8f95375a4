"""The bench's environment: where it runs (paths, targets), the settings and services it runs
with (database, Redis, port, wrk), the machine it runs on, and Django in the bench's own
process.

Environment: ``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/linli_bench; created,
migrated and seeded with ``manage.py seed_scale`` when empty), ``LINLI_BENCH_REDIS`` (default
redis://127.0.0.1:6379, DB 6 is the broker and DB 7 the cache), ``LINLI_BENCH_PORT`` (8150).
"""

from __future__ import annotations

import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import django
import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
PY = sys.executable

#: What each figure is read against (printed beside it, never asserted): page throughput as a
#: ratio of the ceiling, bookings per second, hot-slot p99 in seconds, dispatch p95 in
#: milliseconds, reminder lateness in seconds.
TARGETS = {
    "catalogue_anonymous": 0.70,
    "catalogue_logged_in": 0.30,
    "board_anonymous": 0.70,
    "board_logged_in": 0.30,
    "service": 0.15,
    # The role pages (appointment list, console, dispatch board) are measured, not targeted.
    "appointments": None,
    "console": None,
    "dispatch": None,
    "bookings_per_s": 100,
    "hot_p99_s": 0.5,
    "dispatch_idle_p95_ms": 100,
    "dispatch_load_p95_ms": 1000,
    "reminder_late_s": 60,
}

#: The settings passed on to Django in the bench's own process (``setup_django``).
DJANGO_KEYS = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "STATIC_ROOT",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "SITE_URL",
    "STRIPE_API_BASE",
    "EMAIL_BACKEND",
)


def say(msg: str) -> None:
    """Print one line of progress, with the time of day in UTC (Django's setup sets the
    process's TZ to Asia/Shanghai midway, so local time would jump)."""
    print(f"[bench {time.strftime('%H:%M:%SZ', time.gmtime())}] {msg}", flush=True)


def bench_env(port: int, static_root: str) -> dict:
    """The environment of every process of the run (a copy of ``os.environ`` with the
    production settings, DEBUG off, the bench's database, Redis DBs 6 and 7, ``port``)."""
    redis_base = os.environ.get("LINLI_BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings.production",
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_bench"
        ),
        SECRET_KEY=os.environ.get("LINLI_BENCH_SECRET_KEY", "bench-" + secrets.token_urlsafe(40)),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=static_root,
        CELERY_BROKER_URL=f"{redis_base}/6",
        REDIS_URL=f"{redis_base}/7",
        CELERY_TASK_ALWAYS_EAGER="0",
        LINLI_BENCH_PORT=str(port),
        SITE_URL=f"http://127.0.0.1:{port}",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONUNBUFFERED="1",
        # The load comes from one address and a few residents: it measures capacity, which the
        # per-client rate limits (marketplace/ratelimits.py) would otherwise cap.
        RATELIMIT_ENABLE="0",
    )
    env["LINLI_BENCH_DATABASE_URL"] = env["DATABASE_URL"]
    return env


def ensure_wrk() -> str:
    """The path of wrk, installed with apt-get if missing; exits if it cannot be had."""
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    subprocess.run(
        ["apt-get", "install", "-y", "wrk"],
        check=False,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: wrk is not installed and could not be installed (apt-get install wrk)")
    return found


def ensure_database(env: dict) -> None:
    """Create the bench's database if missing, migrate it and seed the scale dataset (both
    no-ops when done already); exits if PostgreSQL does not answer."""
    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                say(f"creating database {name}")
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        sys.exit(f"bench: PostgreSQL does not answer at {admin}: {exc}")
    say("migrating (the first run on a fresh database takes a couple of minutes)")
    run_manage(env, "migrate", "--noinput", "-v0")
    say("seeding the scale dataset (skipped when present)")
    run_manage(env, "seed_scale")


def ensure_redis(env: dict) -> None:
    """Exit unless Redis answers at the bench's cache URL."""
    try:
        redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: no Redis to benchmark with
        sys.exit(f"bench: Redis does not answer at {env['REDIS_URL']}: {exc}")


def flush_redis(env: dict) -> None:
    """Empty the bench's broker and cache databases (and nothing else)."""
    redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def run_manage(env: dict, *args: str) -> None:
    """Run ``manage.py *args`` with ``env``; raises CalledProcessError if it fails."""
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def port_free(port: int) -> bool:
    """Whether nothing listens on ``port`` of the loopback address."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def machine() -> dict:
    """What the figures were measured on: cores, memory (GB), CPU model, Python, commit."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gb": mem_gb,
        "cpu": cpu,
        "python": platform.python_version(),
        "commit": commit + ("+uncommitted" if dirty else ""),
    }


def setup_django(env: dict) -> None:
    """Set up Django in this process with the run's settings (sessions for the load clients,
    the cast of the run, reading the results)."""
    for key in DJANGO_KEYS:
        if key in env:
            os.environ[key] = env[key]
    django.setup()
