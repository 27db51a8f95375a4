"""``run.py --scale``: what the same requests cost on the 100k and on the 1M dataset.

For each database of ``LINLI_BENCH_SCALE_DBS`` (default ``linli_bench_scale100k`` and
``linli_bench_scale1m``; both seeded beforehand: ``manage.py seed_scale`` and ``manage.py
seed_scale --appointments 1000000``) a child process sets up Django with the bench's production
settings on that database and sends, through Django's test client, ``rounds`` of each of:

* the service page with its slots and the slot endpoint (``slots.json``), logged in as a resident;
* a one-click pay-later booking (``POST /shop/book/``) of a free slot (the Celery tasks it
  enqueues are not run: their cost is the booking bench's);
* the worker's console home (``/provider/``), as the busiest worker of the service's provider.

Each GET is measured twice: ``cold`` (the cache emptied before each request: what the first
visitor after a calendar change pays, and where the database shows) and ``warm`` (the steady
state). Per request it reports the web process's CPU ms, the CPU ms of its PostgreSQL backend
(one persistent connection, read from /proc; 10 ms ticks, so read it over many requests) and
the queries; then ``plan buffers``: the shared buffers (hit + read) that ``EXPLAIN (ANALYZE,
BUFFERS)`` of every SELECT of one cold request (of five bookings) touches, the figure that
grows with a table when an index is missing, without the noise of CPU. The JSON keeps
``buffers`` too, the database's own count over the timed requests, which autovacuum and
others' work on the machine blur. The parent prints each figure for every database and the
ratio of the last to the first. Benchmarks print figures; they never fail.

With ``LINLI_BENCH_SCALE_EXPLAIN=1`` the plans are written, costliest first, to
``results/scale-explain-<database>.txt``.

    .venv/bin/python tests/bench/run.py --scale [--quick]
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from tests.bench.environment import (  # noqa: E402 - after the path is set
    PY,
    RESULTS,
    bench_env,
    ensure_redis,
    flush_redis,
    machine,
    run_manage,
    say,
    setup_django,
)

#: The databases compared, smallest first (``LINLI_BENCH_SCALE_DBS``, comma-separated).
DEFAULT_DBS = "linli_bench_scale100k,linli_bench_scale1m"
#: (key, label) of what is measured, in the order printed.
PLAN = [
    ("service_cold", "Service page, cold cache"),
    ("service_warm", "Service page, warm cache"),
    ("slots_cold", "slots.json, cold cache"),
    ("slots_warm", "slots.json, warm cache"),
    ("booking", "One click, pay later"),
    ("console_cold", "Console home, cold cache"),
    ("console_warm", "Console home, warm cache"),
]
#: The figures of each measurement: (key, heading).
FIGURES = [
    ("cpu_ms", "CPU ms"),
    ("pg_ms", "PG ms"),
    ("queries", "queries"),
    ("plan_buffers", "plan buffers"),
]
#: How many bookings' queries are explained (their plans' buffers averaged).
EXPLAINED_BOOKINGS = 5


def measure_scale(opts) -> int:
    """Run the child on each database, print the comparison, write ``results/scale-latest.json``.
    Returns 0 (a database that is missing or fails is reported, not raised)."""
    rounds = 15 if opts.quick else 40
    names = [n for n in os.environ.get("LINLI_BENCH_SCALE_DBS", DEFAULT_DBS).split(",") if n]
    runs = {}
    static_root = tempfile.mkdtemp(prefix="linli-bench-static-")
    try:
        for name in names:
            _measure_one(name, rounds, static_root, runs)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    table = scale_table(runs)
    print()
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale-latest.json").write_text(
        json.dumps({"machine": machine(), "runs": runs}, indent=2, ensure_ascii=False)
    )
    return 0


def _measure_one(name: str, rounds: int, static_root: str, runs: dict) -> None:
    """Run the child on database ``name`` into ``runs[name]`` (static files collected into
    ``static_root`` on the first call); says so and leaves ``runs`` alone if it fails."""
    env = bench_env(int(os.environ.get("LINLI_BENCH_PORT", "8150")), static_root)
    env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    env["LINLI_BENCH_DATABASE_URL"] = env["DATABASE_URL"]
    env["LINLI_BENCH_SCALE_ROUNDS"] = str(rounds)
    ensure_redis(env)
    flush_redis(env)
    if not os.listdir(static_root):
        say("collectstatic into a temporary STATIC_ROOT")
        run_manage(env, "collectstatic", "--noinput", "-v0")
    say(f"scale: {name}, {rounds} requests of each kind")
    child = subprocess.run(
        [PY, __file__], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    lines = child.stdout.strip().splitlines()
    if child.returncode or not lines:
        say(f"scale: {name} failed: {(child.stderr or child.stdout)[-800:]}")
        return
    runs[name] = json.loads(lines[-1])
    flush_redis(env)


def _size_label(count: int) -> str:
    """``100k`` or ``1M``: the size of a dataset by its appointments."""
    return f"{count / 1e6:.3g}M" if count >= 1e6 else f"{count / 1e3:.3g}k"


def scale_table(runs: dict) -> str:
    """A Markdown table: each measurement's figures per database, and last / first."""
    names = list(runs)
    if not names:
        return "(no database measured)"
    sizes = ", ".join(f"{n}: {runs[n]['appointments']:,} appointments" for n in names)
    head = ["what"]
    for _key, title in FIGURES:
        head += [f"{title} {runs[n]['label']}" for n in names]
        if len(names) > 1:
            head.append(f"{title} ×")
    rows = [f"Scale ({sizes})", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label in PLAN:
        cells = [label]
        for fig, _title in FIGURES:
            values = [runs[n]["pages"].get(key, {}).get(fig) for n in names]
            cells += ["–" if v is None else f"{v:g}" for v in values]
            if len(names) > 1:
                first, last = values[0], values[-1]
                cells.append(f"{last / first:.2f}" if first and last is not None else "–")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _explain(connection, sql: str) -> tuple:
    """(shared buffers hit + read, sql, plan text) of ``EXPLAIN (ANALYZE, BUFFERS)`` of a
    SELECT (None, sql, "" for anything else: writes are not re-run)."""
    if not sql.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in sql.upper():
        return None, sql, ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The top node's line of buffers is the first: it counts its children's too.
    first = next((line for line in plan.splitlines() if "Buffers:" in line), "")
    blocks = sum(int(n) for n in re.findall(r"(?:hit|read)=(\d+)", first))
    return blocks, sql, plan


# --- the child: one database -------------------------------------------------------------------


def _child() -> None:
    """Measure every entry of ``PLAN`` on this process's database; print one line of JSON."""
    setup_django(dict(os.environ))
    # Django's modules only after django.setup() with this database (as in ``run.py``).
    from django.conf import settings
    from django.core import signals
    from django.core.cache import cache
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from marketplace.scale.history import scale_appointment_count
    from tests.bench.clients import make_session
    from tests.bench.scenarios.paths import _slots_of
    from tests.bench.scenarios.world import World

    rounds = int(os.environ.get("LINLI_BENCH_SCALE_ROUNDS", "40"))
    # One connection for the whole run, so that one PostgreSQL backend does all the work.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    world = World()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_database()")
        backend, dbname = cursor.fetchone()

    def buffers() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute(
                "SELECT blks_hit + blks_read FROM pg_stat_database WHERE datname = %s", [dbname]
            )
            return cursor.fetchone()[0]

    def cpu_of(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def client_of(user) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = make_session(user=user)
        return client

    def cost(request, *, cold: bool, expect: int) -> dict:
        request()  # warm-up: templates, connection, caches
        request()
        web = pg = 0.0
        queries = ok = 0
        time.sleep(0.6)  # let the statistics of the warm-up settle before the first reading
        start_buffers = buffers()
        for _ in range(rounds):
            if cold:
                cache.clear()
            t0, p0 = time.process_time(), cpu_of(backend)
            with CaptureQueriesContext(connection) as ctx:
                status = request()
            web += time.process_time() - t0
            pg += cpu_of(backend) - p0
            queries += len(ctx.captured_queries)
            ok += status == expect
        used = buffers() - start_buffers
        return {
            "cpu_ms": round(1000 * web / rounds, 1),
            "pg_ms": round(1000 * pg / rounds, 1),
            "queries": round(queries / rounds, 1),
            "buffers": round(used / rounds),
            "ok": ok,
        }

    resident = client_of(world.resident)
    service_url = world.service.get_absolute_url()
    slots_url = reverse("bookings:service-slots", args=[world.service.pk])
    console = client_of(world.worker_user)
    pages = {}
    for key, client, url in (
        ("service", resident, service_url),
        ("slots", resident, slots_url),
        ("console", console, "/provider/"),
    ):
        for cold in (True, False):
            pages[f"{key}_{'cold' if cold else 'warm'}"] = cost(
                lambda c=client, u=url: c.get(u).status_code, cold=cold, expect=200
            )
    # One-click bookings: free slots of a few communities' services, each booked once by the
    # community's first resident (random order, the same seed on every database).
    bookers = []
    for community in world.communities[2:10]:
        user = world.residents[community.pk][0]
        client = client_of(user)
        for product_id, start, _day in _slots_of(community, picks=3):
            bookers.append((client, product_id, start))
    random.Random(20).shuffle(bookers)
    # A slot taken since the list was made answers 409: counted as not ok, and measured all the same.
    queue = iter(bookers)

    def book() -> int:
        client, product_id, start = next(queue)
        return client.post(
            "/shop/book/",
            {"product": str(product_id), "start": start},
            HTTP_ACCEPT="application/json",
        ).status_code

    pages["booking"] = cost(book, cold=False, expect=201)
    # EXPLAIN (ANALYZE, BUFFERS) every SELECT of one cold request of each kind (of five
    # bookings): the buffers their plans touch, per request, a figure without the noise of CPU.
    explained = []
    for key, client, url, times in (
        ("service_cold", resident, service_url, 1),
        ("slots_cold", resident, slots_url, 1),
        ("console_cold", console, "/provider/", 1),
        ("booking", None, None, EXPLAINED_BOOKINGS),
    ):
        found = []
        for _ in range(times):
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                client.get(url) if client else book()
            found += [(key, *_explain(connection, q["sql"])) for q in ctx.captured_queries]
        found = [e for e in found if e[1] is not None]
        pages[key]["plan_buffers"] = round(sum(e[1] for e in found) / times)
        explained += found
    if os.environ.get("LINLI_BENCH_SCALE_EXPLAIN"):
        explained.sort(key=lambda e: -e[1])
        out = RESULTS / f"scale-explain-{dbname}.txt"
        out.write_text(
            "".join(
                f"=== {key}: {blocks} buffers\n{sql}\n{plan}\n\n"
                for key, blocks, sql, plan in explained
            )
        )
    print(
        json.dumps(
            {
                "database": dbname,
                "appointments": scale_appointment_count(),
                "label": _size_label(scale_appointment_count()),
                "pages": pages,
            }
        )
    )


if __name__ == "__main__":
    _child()
