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
* the other paths a resident takes, 16 clients each: one click with a saved card through
  localstripe, basket checkout of three services, a reschedule (``scenarios/paths.py``), each
  with its CPU per operation by part and localstripe's on its own line;
* dispatch latency (booking commit → offer row) idle and under booking load, and reminder
  lateness, when the dispatch and reminder code exist (otherwise skipped, with the reason).

Writes ``tests/bench/results/latest.json`` and ``latest.md`` and the ``## Benchmarks`` section
of README.md. Targets are printed beside the figures, never asserted: benchmarks are not tests.

    .venv/bin/python tests/bench/run.py [--quick] [--no-readme] [--profile PAGE]
    .venv/bin/python tests/bench/run.py --scale [--quick]   # 100k vs 1M appointments (scale.py)

This module runs the measurements in order; ``environment`` chooses the settings, database,
Redis and port, ``processes`` starts and stops the system under test, ``clients`` are the load
generators, ``scenarios`` holds one module per measurement and ``report`` writes the results.

Environment: ``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/linli_bench; created,
migrated and seeded with ``manage.py seed_scale`` when empty), ``LINLI_BENCH_REDIS`` (default
redis://127.0.0.1:6379, DB 6 is the broker and DB 7 the cache), ``LINLI_BENCH_PORT`` (8150).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

# Run as a script (``make bench``): the project root goes on the path before its packages are
# imported.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.environment import (  # noqa: E402 - after the path is set
    TARGETS,
    bench_env,
    ensure_database,
    ensure_redis,
    ensure_wrk,
    flush_redis,
    machine,
    port_free,
    run_manage,
    say,
    setup_django,
)
from tests.bench.processes import (  # noqa: E402 - after the path is set
    Processes,
    celery_start,
    gunicorn_start,
    localstripe_start,
    wait_http,
)
from tests.bench.report import write_results  # noqa: E402 - after the path is set
from tests.bench.scale import measure_scale  # noqa: E402 - after the path is set


def parse_args(argv=None) -> argparse.Namespace:
    """The command line: ``--quick``, ``--no-readme``, ``--profile PAGE``."""
    parser = argparse.ArgumentParser(description="Linli benchmarks")
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    parser.add_argument("--no-readme", action="store_true", help="don't update README.md")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="only compare the 100k and 1M datasets (scale.py; LINLI_BENCH_SCALE_DBS)",
    )
    parser.add_argument(
        "--profile",
        choices=["catalogue", "service", "board", "appointments", "console", "dispatch", "booking"],
        help="py-spy one page's gunicorn workers under load, to tests/bench/results/",
    )
    return parser.parse_args(argv)


def main() -> int:
    """Prepare the environment, start the system, run every measurement, stop the system and
    write the report. Exits with a message if PostgreSQL, Redis, wrk or the port is missing."""
    opts = parse_args()
    if opts.scale:
        return measure_scale(opts)
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
        localstripe_start(procs, env)
        setup_django(env)
        # The scenarios import Django models, which exist only after django.setup() with the
        # settings this run has just chosen (and localstripe's address, known only now).
        from tests.bench.scenarios import bookings, dispatch, pages, paths, reminders, world

        flush_redis(env)
        cast = world.World()
        has_reminders = reminders.reminder_model() is not None
        celery_start(procs, env, logs, beat=has_reminders)
        gunicorn = gunicorn_start(procs, env, logs)
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/__bench__/hello")
        wait_http(f"{base}/healthz/")
        say(f"gunicorn up on {base} (logs in {logs})")
        results["setup"] = {
            "gunicorn_workers": int(env.get("LINLI_BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1)),
            "wrk": "2 threads, 16 connections, "
            + f"{page_seconds} s per page after 3 GETs per worker and a 2 s warm-up",
            "service": cast.service.get_title(),
            "community": cast.community.slug,
        }

        pages.measure(results, cast, base, wrk_bin, page_seconds, opts)
        bookings.measure(results, cast, base, booking_seconds, opts, gunicorn)
        # The bookings made under that load, moved later by the reschedule measurement.
        load_appointments = list(results.get("_load_appointments") or [])
        dispatch.measure(results, cast, base)
        reminders.measure(results, has_reminders)
        paths.measure(results, cast, base, booking_seconds, load_appointments)
        if gunicorn.poll() is not None:
            results["skipped"]["gunicorn"] = "gunicorn died during the run (see its log)"
    finally:
        procs.stop()
        shutil.rmtree(static_root, ignore_errors=True)

    table = write_results(results, readme=not opts.no_readme)
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
