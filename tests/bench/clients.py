"""The load clients: wrk for pages, an asyncio/aiohttp client for one-click bookings (wrk does
not do per-client sessions), and the sessions and cookies they present."""

from __future__ import annotations

import asyncio
import json
import random
import re
import secrets
import subprocess
import time
import urllib.request

import aiohttp
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string

from marketplace.community import SESSION_KEY as COMMUNITY_KEY

# --- sessions --------------------------------------------------------------------------------


def make_session(*, user=None, community=None) -> str:
    """A session key (cached_db store, so gunicorn reads it), logged in as ``user`` if given."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    if user is not None:
        store[SESSION_KEY] = str(user.pk)
        # The first backend that loads users: the lockout backend (first) only refuses logins,
        # and a session naming it fails on every page (no get_user).
        store[BACKEND_SESSION_KEY] = next(
            path
            for path in settings.AUTHENTICATION_BACKENDS
            if hasattr(import_string(path), "get_user")
        )
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if community is not None:
        store[COMMUNITY_KEY] = community.pk
    store.save()
    return store.session_key


def cookie_header(session_key: str, csrf: str | None = None) -> str:
    """A Cookie header value carrying the session and, if given, the CSRF cookie."""
    parts = [f"{settings.SESSION_COOKIE_NAME}={session_key}"]
    if csrf:
        parts.append(f"{settings.CSRF_COOKIE_NAME}={csrf}")
    return "; ".join(parts)


def booking_client(user, slots: list[tuple[int, str]]) -> dict:
    """A booking client logged in as ``user``: {"cookie", "csrf", "slots": [(product id, local
    start ISO)] it books from}."""
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret: cookie and header agree
    return {"cookie": cookie_header(make_session(user=user), csrf), "csrf": csrf, "slots": slots}


# --- wrk -------------------------------------------------------------------------------------


def _seconds(value: str) -> float:
    """wrk's "1.23ms" as seconds (nan if unreadable)."""
    match = re.match(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        return float("nan")
    number, unit = float(match.group(1)), match.group(2)
    return number * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(wrk_bin: str, url: str, *, seconds: int, connections: int, cookie: str = "") -> dict:
    """Load ``url`` with wrk (2 threads) for ``seconds``: {"rps", "p50_ms", "p99_ms",
    "requests", "non_2xx", "socket_errors"}. Raises CalledProcessError if wrk fails."""
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
    """Raise RuntimeError unless ``url`` answers with ``must_contain`` in its body: what we
    measure must be the page we mean."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    if must_contain not in body:
        raise RuntimeError(f"{url} answered without {must_contain!r}: not what we meant to measure")


# --- one-click bookings (aiohttp) ------------------------------------------------------------


def pct(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile of ``values`` (nearest rank), None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


async def post_book(session, base, client, product_id, start_iso) -> dict:
    """One one-click booking: {"status" (0 for a dropped connection), "elapsed" (s), and
    "appointment" (its id) on a 201}."""
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
    """Every client books its slots in random order, one request at a time, for ``seconds``:
    the ``_summary`` of all their requests."""
    results: list[dict] = []
    deadline = time.perf_counter() + seconds

    async def run(session, client):
        rng = random.Random(client["csrf"])
        while time.perf_counter() < deadline and client["slots"]:
            product_id, start_iso = client["slots"].pop(rng.randrange(len(client["slots"])))
            results.append(await post_book(session, base, client, product_id, start_iso))

    connector = aiohttp.TCPConnector(limit=0)
    t0 = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(run(session, c) for c in clients))
    elapsed = time.perf_counter() - t0
    return _summary(results, elapsed)


async def hot_slot(base: str, clients: list[dict], product_id: int, start_iso: str) -> dict:
    """Every client books the same slot at once: the ``_summary`` of their requests."""
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
            *(post_book(session, base, c, product_id, start_iso) for c in clients)
        )
    return _summary(list(results), time.perf_counter() - t0)


async def paced_bookings(base: str, client: dict, *, count: int, pause: float) -> list[int]:
    """Up to ``count`` bookings from ``client``'s slots, one at a time, ``pause`` seconds apart:
    the ids of the appointments made."""
    made = []
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            if not client["slots"]:
                break
            product_id, start_iso = client["slots"].pop()
            r = await post_book(session, base, client, product_id, start_iso)
            if "appointment" in r:
                made.append(r["appointment"])
            await asyncio.sleep(pause)
    return made


def _summary(results: list[dict], elapsed: float) -> dict:
    """Counts by status, bookings per second and latency percentiles (ms) of ``results``."""
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
        "p50_ms": round(pct(latencies, 50) * 1000, 1) if latencies else None,
        "p99_ms": round(pct(latencies, 99) * 1000, 1) if latencies else None,
        "appointments": [r["appointment"] for r in results if "appointment" in r],
    }
