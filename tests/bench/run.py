"""``make bench``: Linli under load on this machine, read against this machine's own ceiling.

Starts the production shape (gunicorn with the production settings and DEBUG off, PostgreSQL,
Redis, a real Celery worker, localstripe), then measures in one run:

* the requests/s of a bare Django "hello" view behind Linli's whole middleware stack under the
  same gunicorn: the ceiling every page is read against (a raw WSGI hello that skips Django is
  printed beside it, for context);
* the catalogue, a service page with its slots and a fee board page, anonymous (community
  chosen in the session) and logged in, as ratios to the ceiling with p50/p99 (wrk);
* one-click bookings/s on random free slots with 16 clients, and 64 clients on one hot slot
  (winners, 409s, 5xx) (an asyncio/aiohttp client: wrk does not do per-client sessions);
* dispatch latency (booking commit → offer row) idle and under booking load, and reminder
  lateness, when the dispatch and reminder code exist (otherwise skipped, with the reason).

Writes ``tests/bench/results/latest.json`` and ``latest.md`` and the ``## Benchmarks`` section
of README.md. Targets are printed beside the figures, never asserted: benchmarks are not tests.

    .venv/bin/python tests/bench/run.py [--quick] [--no-readme] [--profile PAGE]

Environment: ``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/linli_bench; created,
migrated and seeded with ``manage.py seed_scale`` when empty), ``LINLI_BENCH_REDIS`` (default
redis://127.0.0.1:6379, DB 6 is the broker and DB 7 the cache), ``LINLI_BENCH_PORT`` (8150).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
PY = sys.executable
sys.path.insert(0, str(ROOT))

TARGETS = {
    "catalogue": 0.30,
    "board": 0.70,
    "service": 0.15,
    "bookings_per_s": 100,
    "hot_p99_s": 1.0,
    "dispatch_idle_p95_ms": 100,
    "dispatch_load_p95_ms": 1000,
    "reminder_late_s": 60,
}


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- environment -----------------------------------------------------------------------------


def bench_env(port: int, static_root: str) -> dict:
    redis = os.environ.get("LINLI_BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")
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
        CELERY_BROKER_URL=f"{redis}/6",
        REDIS_URL=f"{redis}/7",
        CELERY_TASK_ALWAYS_EAGER="0",
        LINLI_BENCH_PORT=str(port),
        SITE_URL=f"http://127.0.0.1:{port}",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    env["LINLI_BENCH_DATABASE_URL"] = env["DATABASE_URL"]
    return env


def ensure_wrk() -> str:
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
    import psycopg

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
    import redis

    try:
        redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: no Redis to benchmark with
        sys.exit(f"bench: Redis does not answer at {env['REDIS_URL']}: {exc}")


def run_manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def machine() -> dict:
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


# --- processes --------------------------------------------------------------------------------


class Processes:
    def __init__(self):
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict, log: Path) -> subprocess.Popen:
        handle = open(log, "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append((name, proc))
        return proc

    def add(self, name: str, proc: subprocess.Popen) -> None:
        self.procs.append((name, proc))

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    proc.terminate()
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    proc.kill()


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except Exception as exc:  # noqa: BLE001 - retry until the deadline
            last = exc
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer: {last}")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# --- Django in this process (sessions, fixtures of the run, reading results) -------------------


def setup_django(env: dict) -> None:
    for key in (
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
    ):
        if key in env:
            os.environ[key] = env[key]
    import django

    django.setup()


def make_session(*, user=None, community=None) -> str:
    """A session key (cached_db store, so gunicorn reads it), logged in as ``user`` if given."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from marketplace.community import SESSION_KEY as COMMUNITY_KEY

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    if user is not None:
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if community is not None:
        store[COMMUNITY_KEY] = community.pk
    store.save()
    return store.session_key


def cookie_header(session_key: str, csrf: str | None = None) -> str:
    from django.conf import settings

    parts = [f"{settings.SESSION_COOKIE_NAME}={session_key}"]
    if csrf:
        parts.append(f"{settings.CSRF_COOKIE_NAME}={csrf}")
    return "; ".join(parts)


class World:
    """The benchmark's cast, read from the scale dataset."""

    def __init__(self):
        from bookings.models import Worker
        from marketplace.catalogue.models import Product
        from marketplace.models import Community, Household
        from marketplace.partner.models import StockRecord

        self.communities = list(
            Community.objects.filter(slug__startswith="scale-c").order_by("slug")
        )
        if len(self.communities) < 20:
            sys.exit("bench: the scale dataset is missing or too small (manage.py seed_scale)")
        self.residents = {}
        for household in Household.objects.filter(
            community__in=self.communities[:20], is_default=True
        ).select_related("user", "community"):
            self.residents.setdefault(household.community_id, []).append(household.user)
        main = self.communities[1]
        self.community = main
        self.resident = self.residents[main.pk][0]
        priced = StockRecord.objects.filter(community=main).values_list("product_id", flat=True)
        self.service = (
            Product.objects.filter(pk__in=priced, product_class__slug="eldercare")
            .order_by("pk")
            .first()
        )
        from cms.models import FeeBoardPage

        board = FeeBoardPage.objects.filter(community=main, live=True).first()
        self.board_url = board.url if board else f"/boards/{main.slug}/"
        # The hot slot: a repair service, which has a single qualified worker per community.
        hot_community = self.communities[0]
        self.hot_community = hot_community
        hot_priced = StockRecord.objects.filter(community=hot_community).values_list(
            "product_id", flat=True
        )
        self.hot_service = (
            Product.objects.filter(pk__in=hot_priced, product_class__slug="repair")
            .order_by("pk")
            .first()
        )
        self.hot_workers = Worker.objects.filter(
            communities=hot_community, skills=self.hot_service.product_class_id
        ).count()


def free_slots(product, community, days: int = 30):
    from bookings.services import service_quote
    from bookings.slots import available_slots

    quote = service_quote(community=community, product=product)
    return available_slots(
        product=product, stockrecord=quote.stockrecord, community=community, max_days=days
    )


# --- wrk -------------------------------------------------------------------------------------

WRK_LUA = BENCH / "wrk_report.lua"


def _seconds(value: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        return float("nan")
    number, unit = float(match.group(1)), match.group(2)
    return number * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(wrk_bin: str, url: str, *, seconds: int, connections: int, cookie: str = "") -> dict:
    args = [wrk_bin, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:(.*)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "rps": rps,
        "p50_ms": round(_seconds(pct.get("50", "nan")) * 1000, 1),
        "p99_ms": round(_seconds(pct.get("99", "nan")) * 1000, 1),
        "requests": int(total.group(1)) if total else None,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def check_page(url: str, cookie: str, must_contain: bytes) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    if must_contain not in body:
        raise RuntimeError(f"{url} answered without {must_contain!r}: not what we meant to measure")


# --- one-click bookings (aiohttp) ------------------------------------------------------------


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


async def _post_book(session, base, client, product_id, start_iso):
    t0 = time.perf_counter()
    try:
        async with session.post(
            f"{base}/shop/book/",
            data={"product": str(product_id), "start": start_iso},
            headers={
                "Cookie": client["cookie"],
                "X-CSRFToken": client["csrf"],
                "Accept": "application/json",
                "Referer": f"{base}/shop/",
            },
        ) as response:
            body = await response.read()
            status = response.status
    except Exception as exc:  # noqa: BLE001 - a dropped connection counts as a failure
        return {"status": 0, "elapsed": time.perf_counter() - t0, "error": repr(exc)}
    result = {"status": status, "elapsed": time.perf_counter() - t0}
    if status == 201:
        try:
            result["appointment"] = json.loads(body)["appointment"]
        except (ValueError, KeyError):
            pass
    return result


async def random_bookings(base: str, clients: list[dict], seconds: float) -> dict:
    import aiohttp

    results: list[dict] = []
    deadline = time.perf_counter() + seconds

    async def run(session, client):
        rng = random.Random(client["csrf"])
        while time.perf_counter() < deadline and client["slots"]:
            product_id, start_iso = client["slots"].pop(rng.randrange(len(client["slots"])))
            results.append(await _post_book(session, base, client, product_id, start_iso))

    connector = aiohttp.TCPConnector(limit=0)
    t0 = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(run(session, c) for c in clients))
    elapsed = time.perf_counter() - t0
    return _summary(results, elapsed)


async def hot_slot(base: str, clients: list[dict], product_id: int, start_iso: str) -> dict:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        # Open every connection first, so the 64 bookings leave together.
        await asyncio.gather(
            *(
                session.get(f"{base}/__bench__/hello", headers={"Cookie": c["cookie"]})
                for c in clients
            )
        )
        t0 = time.perf_counter()
        results = await asyncio.gather(
            *(_post_book(session, base, c, product_id, start_iso) for c in clients)
        )
    return _summary(list(results), time.perf_counter() - t0)


def _summary(results: list[dict], elapsed: float) -> dict:
    statuses: dict[str, int] = {}
    for r in results:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    latencies = [r["elapsed"] for r in results]
    ok = statuses.get("201", 0)
    return {
        "requests": len(results),
        "seconds": round(elapsed, 2),
        "booked": ok,
        "booked_per_s": round(ok / elapsed, 1) if elapsed else None,
        "requests_per_s": round(len(results) / elapsed, 1) if elapsed else None,
        "conflicts_409": statuses.get("409", 0),
        "server_errors_5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
        "failed_connections": statuses.get("0", 0),
        "statuses": statuses,
        "p50_ms": round(_pct(latencies, 50) * 1000, 1) if latencies else None,
        "p99_ms": round(_pct(latencies, 99) * 1000, 1) if latencies else None,
        "appointments": [r["appointment"] for r in results if "appointment" in r],
    }


def booking_client(user, slots: list[tuple[int, str]]) -> dict:
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret: cookie and header agree
    return {"cookie": cookie_header(make_session(user=user), csrf), "csrf": csrf, "slots": slots}


# --- dispatch and reminders: measured only when the code exists ---------------------------


def _find_model(app_label: str, word: str, predicate):
    from django.apps import apps

    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return None
    for model in config.get_models():
        if word in model.__name__.lower() and predicate(model):
            return model
    return None


def _datetime_fields(model):
    from django.db import models

    return [f for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]


def offer_model():
    """The dispatch offer model (bookings, name containing "Offer", with an appointment FK and a
    creation time), or None."""
    from bookings.models import Appointment

    def fits(model):
        has_fk = any(
            getattr(f, "related_model", None) is Appointment for f in model._meta.concrete_fields
        )
        return has_fk and _created_field(model) is not None

    return _find_model("bookings", "offer", fits)


def _created_field(model):
    fields = _datetime_fields(model)
    for f in fields:
        if getattr(f, "auto_now_add", False):
            return f.name
    for name in ("created", "created_at", "offered_at", "sent_at", "at"):
        if any(f.name == name for f in fields):
            return name
    return None


def _appointment_fk(model):
    from bookings.models import Appointment

    for f in model._meta.concrete_fields:
        if getattr(f, "related_model", None) is Appointment:
            return f.name
    return None


def dispatch_latencies(appointment_ids: list[int]) -> list[float]:
    """Seconds from the confirming transaction (its AppointmentEvent) to the first offer row."""
    from django.db.models import Min

    from bookings.models import AppointmentEvent

    model = offer_model()
    fk, created = _appointment_fk(model), _created_field(model)
    offered = dict(
        model.objects.filter(**{f"{fk}__in": appointment_ids})
        .values(fk)
        .annotate(first=Min(created))
        .values_list(fk, "first")
    )
    confirmed = dict(
        AppointmentEvent.objects.filter(appointment_id__in=appointment_ids, to_status="confirmed")
        .values("appointment_id")
        .annotate(at=Min("at"))
        .values_list("appointment_id", "at")
    )
    return [
        max(0.0, (offered[a] - confirmed[a]).total_seconds())
        for a in appointment_ids
        if a in offered and a in confirmed
    ]


def reminder_model():
    def fits(model):
        names = [f.name for f in _datetime_fields(model)]
        return any("due" in n for n in names) and any("sent" in n for n in names)

    return _find_model("bookings", "reminder", fits)


def _field_with(model, word):
    return next(f.name for f in _datetime_fields(model) if word in f.name)


# --- the run -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="Linli benchmarks")
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    parser.add_argument("--no-readme", action="store_true", help="don't update README.md")
    parser.add_argument(
        "--profile",
        choices=["catalogue", "service", "board", "booking"],
        help="py-spy one page's gunicorn workers under load, to tests/bench/results/",
    )
    opts = parser.parse_args()
    page_seconds = 4 if opts.quick else 8
    booking_seconds = 6 if opts.quick else 15

    port = int(os.environ.get("LINLI_BENCH_PORT", "8150"))
    if not port_free(port):
        sys.exit(f"bench: port {port} is in use (set LINLI_BENCH_PORT to a free one)")
    static_root = tempfile.mkdtemp(prefix="linli-bench-static-")
    env = bench_env(port, static_root)
    wrk_bin = ensure_wrk()
    ensure_redis(env)
    ensure_database(env)
    say("collectstatic into a temporary STATIC_ROOT")
    run_manage(env, "collectstatic", "--noinput", "-v0")

    procs = Processes()
    logs = Path(tempfile.mkdtemp(prefix="linli-bench-logs-"))
    results: dict = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "targets": TARGETS,
        "pages": {},
        "skipped": {},
    }
    try:
        from payments.localstripe_server import start_localstripe

        stripe_proc, stripe_url = start_localstripe()
        procs.add("localstripe", stripe_proc)
        env["STRIPE_API_BASE"] = stripe_url
        setup_django(env)
        import redis

        redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        world = World()
        has_reminders = reminder_model() is not None
        # As the README runs them in production: offers on a worker of their own, so a burst
        # of notices (or a slow SMS gateway) never holds an offer back.
        for name, queues, processes in (
            ("dispatch", "dispatch", "2"),
            ("others", "default,notifications", "1"),
        ):
            procs.start(
                f"celery-{name}",
                [
                    PY, "-m", "celery", "-A", "marketplace", "worker", "-n", f"{name}@%h",
                    "-Q", queues, "-c", processes, "-l", "warning",
                    "--without-gossip", "--without-mingle",
                ],
                env,
                logs / f"celery-{name}.log",
            )  # fmt: skip
        if has_reminders:
            procs.start(
                "beat",
                [PY, "-m", "celery", "-A", "marketplace", "beat", "-l", "warning",
                 "--schedule", str(logs / "beat-schedule")],
                env,
                logs / "beat.log",
            )  # fmt: skip
        gunicorn = procs.start(
            "gunicorn",
            [
                PY, "-m", "gunicorn", "-c", str(BENCH / "gunicorn_conf.py"),
                "--pythonpath", f"{ROOT},{BENCH}", "bench_wsgi:application",
            ],
            env,
            logs / "gunicorn.log",
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/__bench__/hello")
        wait_http(f"{base}/healthz/")
        say(f"gunicorn up on {base} (logs in {logs})")
        results["setup"] = {
            "gunicorn_workers": int(env.get("LINLI_BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1)),
            "wrk": "2 threads, 16 connections, " + f"{page_seconds} s per page after a 2 s warm-up",
            "service": world.service.get_title(),
            "community": world.community.slug,
        }

        pages(results, world, base, wrk_bin, page_seconds, opts)
        bookings(results, world, base, booking_seconds, opts, gunicorn)
        dispatch(results, world, base)
        reminders(results, has_reminders)
        if gunicorn.poll() is not None:
            results["skipped"]["gunicorn"] = "gunicorn died during the run (see its log)"
    finally:
        procs.stop()
        shutil.rmtree(static_root, ignore_errors=True)

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = markdown(results)
    (RESULTS / "latest.md").write_text(table)
    if not opts.no_readme:
        update_readme(table)
    print()
    print(table)
    return 0


PAGE_PLAN = [
    ("catalogue", "Catalogue", "/shop/catalogue/", b"product"),
    ("service", "Service page with slots", None, b"data-start="),
    ("board", "Fee board", None, b"</html>"),
]


def pages(results, world, base, wrk_bin, seconds, opts) -> None:
    say("raw WSGI hello (no Django) under the same gunicorn")
    wrk(wrk_bin, f"{base}/__bench__/hello", seconds=2, connections=16)
    results["raw_wsgi"] = wrk(wrk_bin, f"{base}/__bench__/hello", seconds=seconds, connections=16)
    say("ceiling: a bare Django hello view behind the whole middleware stack")
    wrk(wrk_bin, f"{base}/__bench__/django-hello", seconds=2, connections=16)
    ceiling = wrk(wrk_bin, f"{base}/__bench__/django-hello", seconds=seconds, connections=16)
    results["ceiling"] = ceiling
    anon = cookie_header(make_session(community=world.community))
    logged = cookie_header(make_session(user=world.resident))
    urls = {
        "catalogue": "/shop/catalogue/",
        "service": world.service.get_absolute_url(),
        "board": world.board_url,
    }
    for key, label, _url, marker in PAGE_PLAN:
        for who, cookie in (("anonymous", anon), ("logged_in", logged)):
            url = base + urls[key]
            try:
                check_page(url, cookie, marker)
            except Exception as exc:  # noqa: BLE001 - report, measure the rest
                results["skipped"][f"{key}_{who}"] = f"{urls[key]}: {exc}"
                say(f"skip {key} {who}: {exc}")
                continue
            say(f"{label}, {who}: {urls[key]}")
            wrk(wrk_bin, url, seconds=2, connections=16, cookie=cookie)
            profile = None
            if opts.profile == key and who == "logged_in":
                profile = start_profile(f"{key}_{who}", seconds)
            figures = wrk(wrk_bin, url, seconds=seconds, connections=16, cookie=cookie)
            if profile:
                profile.wait()
            figures["ratio"] = round(figures["rps"] / ceiling["rps"], 3)
            figures["target_ratio"] = TARGETS[key]
            figures["label"] = f"{label} ({who.replace('_', ' ')})"
            figures["path"] = urls[key]
            results["pages"][f"{key}_{who}"] = figures


def start_profile(name: str, seconds: int):
    """py-spy every gunicorn worker for the measured run (bench-only tool, from PyPI)."""
    spy = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    if not Path(spy).exists():
        say("py-spy is not installed (.venv/bin/pip install py-spy); no profile")
        return None
    pids = subprocess.run(
        ["pgrep", "-f", "bench_wsgi:application"], capture_output=True, text=True
    ).stdout.split()
    if not pids:
        return None
    out = RESULTS / f"profile-{name}.txt"
    say(f"profiling {name} with py-spy into {out}")
    master = min(int(p) for p in pids)
    return subprocess.Popen(
        [spy, "record", "--subprocesses", "--pid", str(master), "--duration", str(seconds),
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def bookings(results, world, base, seconds, opts, gunicorn) -> None:
    from django.utils import timezone

    from marketplace.catalogue.models import Product
    from marketplace.partner.models import StockRecord

    say("one-click bookings: collecting free slots of 16 residents' communities")
    clients = []
    for community in world.communities[2:18]:
        product_ids = list(
            StockRecord.objects.filter(community=community).values_list("product_id", flat=True)
        )
        rng = random.Random(community.pk)
        picks = Product.objects.filter(pk__in=rng.sample(product_ids, min(6, len(product_ids))))
        slots = []
        for product in picks:
            slots += [
                (product.pk, s.local_start.isoformat()) for s in free_slots(product, community)
            ]
        users = world.residents[community.pk]
        clients.append(booking_client(users[0], slots))
    say(f"16 clients on random free slots for {seconds} s")
    profile = start_profile("booking", seconds) if opts.profile == "booking" else None
    cpu_before = cpu_seconds_by_role()
    load = asyncio.run(random_bookings(base, clients, seconds))
    # The Celery worker's share is counted once the offers are out (dispatch() waits for them).
    results["_cpu"] = (cpu_before, cpu_seconds_by_role())
    if profile:
        profile.wait()
    results["random_slots"] = {k: v for k, v in load.items() if k != "appointments"}
    results["random_slots"]["clients"] = 16
    results["_load_appointments"] = load["appointments"]
    say(
        f"booked {load['booked']} ({load['booked_per_s']}/s), 409: {load['conflicts_409']}, "
        f"5xx: {load['server_errors_5xx']}"
    )

    rounds = []
    hot_users = world.residents[world.hot_community.pk][:64]
    slots = free_slots(world.hot_service, world.hot_community, days=10)
    soon = timezone.now() + timedelta(hours=4)
    slots = [s for s in slots if s.start > soon]
    for n in range(3):
        if not slots:
            break
        slot = slots[len(slots) // 4 * n + n]
        hot_clients = [booking_client(u, []) for u in hot_users]
        say(
            f"hot slot {n + 1}/3: 64 clients on {world.hot_service.upc} at {slot.local_start:%m-%d %H:%M}"
        )
        outcome = asyncio.run(
            hot_slot(base, hot_clients, world.hot_service.pk, slot.local_start.isoformat())
        )
        outcome.pop("appointments", None)
        rounds.append(outcome)
    results["hot_slot"] = {
        "clients": len(hot_users),
        "qualified_workers": world.hot_workers,
        "rounds": rounds,
        "winners": [r["booked"] for r in rounds],
        "conflicts_409": sum(r["conflicts_409"] for r in rounds),
        "server_errors_5xx": sum(r["server_errors_5xx"] for r in rounds),
        "p99_ms": max((r["p99_ms"] or 0) for r in rounds) if rounds else None,
    }
    say(f"hot slot winners per round: {results['hot_slot']['winners']}")


def cpu_per_booking(results, cpu, *, drained: dict) -> None:
    """CPU milliseconds per booking made under load, by part: the web, PostgreSQL, Redis and
    the client over the load (``cpu``: the readings before and after it); the Celery workers
    until they had put out every offer (``drained``)."""
    before, after_load = cpu or ({}, {})
    booked = results.get("random_slots", {}).get("booked") or 0
    if not booked or not before:
        return
    per: dict[str, float] = {}
    for pid, (role, _seconds) in {**after_load, **drained}.items():
        after = drained if role == "Celery worker" else after_load
        if pid not in after:
            continue
        used = after[pid][1] - before.get(pid, (role, 0.0))[1]
        per[role] = per.get(role, 0.0) + used
    per = {role: round(s * 1000 / booked, 1) for role, s in sorted(per.items())}
    results["random_slots"]["cpu_ms_per_booking"] = per
    say(f"CPU per booking (ms): {per}")


def cpu_seconds_by_role() -> dict[int, tuple[str, float]]:
    """{pid: (part, CPU seconds used so far)} for each process of the running system, from
    /proc: where a booking's CPU goes. Keyed by process, so a PostgreSQL backend that starts
    or ends between two readings does not skew the difference (one that ends takes its count
    with it: the parts measured here live for the whole run)."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    found: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, UnicodeDecodeError):
            continue
        role = _role(cmd, int(entry) == me)
        if role is None:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry)] = (role, (int(fields[11]) + int(fields[12])) / tick)
    return found


def _role(cmd: str, is_me: bool) -> str | None:
    if is_me:
        return "load client"
    if "bench_wsgi:application" in cmd:
        return "web (gunicorn)"
    if "celery" in cmd and " worker" in cmd:
        return "Celery worker"
    if cmd.startswith("postgres") or "/postgresql/" in cmd:
        return "PostgreSQL"
    if cmd.startswith("redis-server") or "/redis-server" in cmd:
        return "Redis"
    if "localstripe" in cmd:
        return "localstripe"
    return None


def dispatch(results, world, base) -> None:
    model = offer_model()
    load_ids = results.pop("_load_appointments", [])
    cpu = results.pop("_cpu", None)
    if model is None:
        results["skipped"]["dispatch"] = (
            "no dispatch offer model in bookings yet (issue 6: bookings/dispatch.py); "
            "nothing to time from booking commit to offer row"
        )
        say("skip dispatch: " + results["skipped"]["dispatch"])
        return
    say(f"dispatch: offers ({model.__name__}) for the {len(load_ids)} bookings made under load")
    time.sleep(3)  # let the worker drain what the load left
    under_load = dispatch_latencies(load_ids)
    cpu_per_booking(results, cpu, drained=cpu_seconds_by_role())
    # Idle: one booking at a time, a pause between them.
    from marketplace.partner.models import StockRecord

    community = world.communities[18]
    product_ids = StockRecord.objects.filter(community=community).values_list(
        "product_id", flat=True
    )
    from marketplace.catalogue.models import Product

    slots = []
    for product in Product.objects.filter(pk__in=list(product_ids)[:5]):
        slots += [(product.pk, s.local_start.isoformat()) for s in free_slots(product, community)]
    random.Random(7).shuffle(slots)
    client = booking_client(world.residents[community.pk][0], slots)
    idle_ids = []

    async def idle_run():
        import aiohttp

        async with aiohttp.ClientSession() as session:
            for _ in range(20):
                if not client["slots"]:
                    break
                product_id, start_iso = client["slots"].pop()
                r = await _post_book(session, base, client, product_id, start_iso)
                if "appointment" in r:
                    idle_ids.append(r["appointment"])
                await asyncio.sleep(0.5)

    asyncio.run(idle_run())
    time.sleep(3)
    idle = dispatch_latencies(idle_ids)

    def stats(values, n):
        return {
            "bookings": n,
            "offered": len(values),
            "p50_ms": round(_pct(values, 50) * 1000, 1) if values else None,
            "p95_ms": round(_pct(values, 95) * 1000, 1) if values else None,
        }

    results["dispatch"] = {
        "model": model.__name__,
        "idle": stats(idle, len(idle_ids)),
        "under_load": stats(under_load, len(load_ids)),
    }
    say(f"dispatch: {results['dispatch']}")


def _wanted_reminders(model, sent: str, *, at, count: int = 50) -> list[int]:
    """The newest ``count`` unsent reminders that should really go out when due at ``at``.

    Not merely unsent: a reminder already cancelled never goes, and the sender rightly
    drops one whose message is no longer true (a worker's 1-hour reminder for a job no worker
    has accepted yet: the bench's bookings are confirmed, not accepted). Counting those as due
    made 17 of 50 look "missed"."""
    from django.db.models import Q

    from bookings.reminders import reminder_still_wanted

    rows = model.objects.filter(Q(**{f"{sent}__isnull": True}), status="pending").order_by("-pk")
    wanted = []
    for reminder in rows.select_related("appointment", "offer", "request")[: count * 4]:
        if reminder_still_wanted(reminder, at):
            wanted.append(reminder.pk)
            if len(wanted) == count:
                break
    return wanted


def reminders(results, has_reminders: bool) -> None:
    if not has_reminders:
        results["skipped"]["reminders"] = (
            "no reminder model in bookings yet (issue 6: bookings/reminders.py, a row with a "
            "due time and a sent time); nothing to time"
        )
        say("skip reminders: " + results["skipped"]["reminders"])
        return
    from django.utils import timezone

    model = reminder_model()
    due, sent = _field_with(model, "due"), _field_with(model, "sent")
    due_at = timezone.now() + timedelta(seconds=2)
    pending = _wanted_reminders(model, sent, at=due_at)
    if not pending:
        results["skipped"]["reminders"] = f"no unsent {model.__name__} rows to time"
        return
    # Make them due now: the per-minute beat sweep must find and send them within a minute.
    model.objects.filter(pk__in=pending).update(**{due: due_at})
    say(f"reminders: {len(pending)} {model.__name__} rows due now; waiting for beat (≤ 100 s)")
    deadline = time.monotonic() + 100
    while time.monotonic() < deadline:
        if not model.objects.filter(pk__in=pending, **{f"{sent}__isnull": True}).exists():
            break
        time.sleep(2)
    rows = model.objects.filter(pk__in=pending).values_list(due, sent)
    lateness = [(s - d).total_seconds() for d, s in rows if s is not None]
    results["reminders"] = {
        "model": model.__name__,
        "due": len(pending),
        "sent": len(lateness),
        "p50_s": round(_pct(lateness, 50), 1) if lateness else None,
        "max_s": round(max(lateness), 1) if lateness else None,
    }
    say(f"reminders: {results['reminders']}")


# --- report -------------------------------------------------------------------------------------


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"Run {r['date']} on {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB RAM, "
        f"Python {m['python']}, commit {m['commit']}. "
        f"gunicorn {r.get('setup', {}).get('gunicorn_workers', '?')} sync workers, production "
        "settings, PostgreSQL, Redis, Celery workers for offers (2 processes) and for notices and "
        "the rest (1) and beat, localstripe; the load generator runs on the "
        "same machine.",
        "",
        "| measurement | result | p50 | p99 | target | |",
        "|---|---|---|---|---|---|",
    ]
    w = r.get("raw_wsgi")
    if w:
        lines.append(
            f"| Raw WSGI hello, no Django (context only) | {w['rps']:.0f} req/s | "
            f"{w['p50_ms']} ms | {w['p99_ms']} ms | — | |"
        )
    c = r.get("ceiling")
    if c:
        lines.append(
            f"| **Ceiling:** bare Django hello view, whole middleware stack | {c['rps']:.0f} req/s "
            f"| {c['p50_ms']} ms | {c['p99_ms']} ms | — | |"
        )
    for p in r.get("pages", {}).values():
        errors = f", {p['non_2xx']} non-2xx" if p["non_2xx"] else ""
        lines.append(
            f"| {p['label']} | {p['rps']:.0f} req/s = **{p['ratio']:.2f}×** ceiling{errors} | "
            f"{p['p50_ms']} ms | {p['p99_ms']} ms | ≥ {p['target_ratio']:.2f}× | "
            f"{_mark(p['ratio'] >= p['target_ratio'])} |"
        )
    s = r.get("random_slots")
    if s:
        lines.append(
            f"| One-click bookings, random free slots, 16 clients | **{s['booked_per_s']} "
            f"bookings/s** ({s['booked']} booked, {s['conflicts_409']} × 409, "
            f"{s['server_errors_5xx']} × 5xx) | {s['p50_ms']} ms | {s['p99_ms']} ms | "
            f"≥ {TARGETS['bookings_per_s']}/s | {_mark(s['booked_per_s'] >= TARGETS['bookings_per_s'])} |"
        )
    cpu = (s or {}).get("cpu_ms_per_booking")
    if cpu:
        parts = ", ".join(f"{role} {ms:g}" for role, ms in cpu.items())
        lines.append(
            f"| … CPU per booking under that load, ms | {parts}; total "
            f"{sum(cpu.values()):.0f} ({m['nproc']} cores: at most "
            f"{m['nproc'] * 1000 / max(sum(cpu.values()), 1):.0f} bookings/s) | | | | |"
        )
    h = r.get("hot_slot")
    if h and h["rounds"]:
        ok = all(w == 1 for w in h["winners"]) and h["server_errors_5xx"] == 0
        ok = ok and (h["p99_ms"] or 0) < TARGETS["hot_p99_s"] * 1000
        lines.append(
            f"| 64 clients on one hot slot ({h['qualified_workers']} qualified worker), "
            f"{len(h['rounds'])} rounds | winners {h['winners']}, {h['conflicts_409']} × 409, "
            f"{h['server_errors_5xx']} × 5xx | "
            f"{max(x['p50_ms'] for x in h['rounds'])} ms | {h['p99_ms']} ms | one winner, no 5xx, "
            f"p99 < 1 s | {_mark(ok)} |"
        )
    d = r.get("dispatch")
    if d:
        for key, label, target in (
            ("idle", "idle", TARGETS["dispatch_idle_p95_ms"]),
            ("under_load", "under booking load", TARGETS["dispatch_load_p95_ms"]),
        ):
            x = d[key]
            ok = None if x["p95_ms"] is None else x["p95_ms"] < target
            lines.append(
                f"| Dispatch, commit → offer row, {label} | {x['offered']}/{x['bookings']} "
                f"offered | {x['p50_ms']} ms | p95 {x['p95_ms']} ms | p95 < {target} ms | "
                f"{_mark(ok)} |"
            )
    rem = r.get("reminders")
    if rem:
        ok = None if rem["max_s"] is None else rem["max_s"] <= TARGETS["reminder_late_s"]
        lines.append(
            f"| Reminder lateness against due time | {rem['sent']}/{rem['due']} sent | "
            f"{rem['p50_s']} s | max {rem['max_s']} s | ≤ 60 s late | {_mark(ok)} |"
        )
    for key, reason in r.get("skipped", {}).items():
        lines.append(f"| {key.replace('_', ' ').capitalize()} | skipped: {reason} | | | | |")
    return "\n".join(lines) + "\n"


README_HEADING = "## Benchmarks"


def update_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    section = (
        f"{README_HEADING}\n\n"
        "`make bench` (needs PostgreSQL and Redis; about 3 minutes, and 3 more on the first "
        "run, which migrates and seeds `manage.py seed_scale`: 100 communities, 10,000 services, "
        "1,000 workers, 100,000 appointments) measures Linli under the production settings "
        "against this machine's own ceiling: a bare Django hello view behind Linli's whole "
        "middleware stack, under the same gunicorn (a raw WSGI hello is shown for context). "
        "Anonymous rows: a visitor with a community chosen in the session; logged in: a "
        "resident. Targets are read against, not asserted; figures move by ±20 % from run to "
        "run on this 2-core machine. Full figures: `tests/bench/results/latest.json`."
        "\n\n" + table
    )
    if README_HEADING in text:
        head = text[: text.index(README_HEADING)]
        rest = text[text.index(README_HEADING) + len(README_HEADING) :]
        nxt = re.search(r"^## ", rest, re.M)
        tail = rest[nxt.start() :] if nxt else ""
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
