"""The bench's report: ``tests/bench/results/latest.json`` (every figure) and ``latest.md``
(the table), and the ``## Benchmarks`` section of README.md."""

from __future__ import annotations

import json
import re

from tests.bench.environment import RESULTS, ROOT, TARGETS


def write_results(results: dict, *, readme: bool) -> str:
    """Write latest.json and latest.md (and README.md's section if ``readme``); returns the
    table."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = markdown(results)
    (RESULTS / "latest.md").write_text(table)
    if readme:
        update_readme(table)
    return table


def _mark(ok: bool | None) -> str:
    """A target's column: met, **missed**, or a dash when there is nothing to judge."""
    return "—" if ok is None else ("met" if ok else "**missed**")


def markdown(r: dict) -> str:
    """The results ``r`` (as in latest.json) as a Markdown table, with the machine above it."""
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
        queries = f", {p['queries']} queries" if p.get("queries") is not None else ""
        target = p.get("target_ratio")
        lines.append(
            f"| {p['label']} | {p['rps']:.0f} req/s = **{p['ratio']:.2f}×** ceiling"
            f"{queries}{errors} | {p['p50_ms']} ms | {p['p99_ms']} ms | "
            + (f"≥ {target:.2f}× | {_mark(p['ratio'] >= target)} |" if target else "— | |")
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
            f"p99 < {TARGETS['hot_p99_s']:g} s | {_mark(ok)} |"
        )
    lines += _path_rows(r.get("paths") or {}, m)
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


_PATHS = (
    (
        "card_bookings",
        "One click with a saved card (authorised at localstripe), 16 clients",
        "bookings",
    ),
    ("basket_checkout", "Basket checkout of three services, 16 clients", "checkouts"),
    ("reschedule", "Reschedule of a booking to another free time, 16 clients", "moves"),
)


def _path_rows(paths: dict, m: dict) -> list[str]:
    """The rows of ``scenarios/paths.py``: the rate, then the CPU per operation by part with
    localstripe's on its own line, outside Linli's total."""
    rows = []
    for key, label, unit in _PATHS:
        x = paths.get(key)
        if not x:
            continue
        extra = f", {x['authorised']} authorised" if "authorised" in x else ""
        extra += f", {x['conflicts_409']} × 409" if x.get("conflicts_409") else ""
        extra += f", {x['server_errors_5xx']} × 5xx" if x.get("server_errors_5xx") else ""
        if "attempts" in x:
            extra = f", {x['ok']} of {x['attempts']}" + extra
        target = "≥ 60/s" if key == "card_bookings" else "—"
        mark = _mark(x["per_s"] >= 60) if key == "card_bookings" else ""
        rows.append(
            f"| {label} | **{x['per_s']} {unit}/s**{extra} | {x['p50_ms']} ms | "
            f"{x['p99_ms']} ms | {target} | {mark} |"
        )
        cpu = dict(x.get("cpu_ms_per_op") or {})
        linli = cpu.pop("linli", None)
        outside = {role: cpu.pop(role) for role in ("localstripe", "load client") if role in cpu}
        if cpu:
            parts = ", ".join(f"{role} {ms:g}" for role, ms in cpu.items())
            rows.append(
                f"| … CPU per {unit[:-1]}, ms | {parts}; Linli's total {linli:g} "
                f"({m['nproc']} cores: at most {m['nproc'] * 1000 / max(linli or 1, 1):.0f}/s) | | | | |"
            )
        if "localstripe" in outside:
            rows.append(
                f"| … localstripe's CPU per {unit[:-1]} (not Linli's), ms | "
                f"{outside['localstripe']:g} | | | | |"
            )
    return rows


README_HEADING = "## Benchmarks"


def update_readme(table: str) -> None:
    """Replace README.md's ``## Benchmarks`` section (up to the next ``## ``) with an
    introduction and ``table``; append the section if there is none."""
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
        "resident; the appointment list is a resident's, the console home a worker's and the "
        "dispatch board a manager's. Each page's database queries per request are counted "
        "once, after its load (the caches warm). The other paths a resident takes (one click with "
        "a saved card authorised through localstripe, basket checkout of three services, a "
        "reschedule) give their CPU per operation by part, localstripe's on its own line and "
        "outside Linli's total; PostgreSQL's share counts every backend of the server, so it is "
        "only meaningful on a machine the bench has to itself. Each run books several hundred "
        "of the coming days' slots, so compare runs on a fresh copy of the dataset (drop the "
        "`linli_bench` database first): a second run on the same one finds the card path's "
        "four-day window nearly full. `make bench BENCH_ARGS=--scale` compares the 100,000 and "
        "1,000,000-appointment datasets instead (`tests/bench/scale.py`). "
        "Targets are read against, not asserted; figures move by ±20 % from run to "
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
