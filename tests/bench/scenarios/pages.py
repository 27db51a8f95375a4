"""Pages against the ceiling: a raw WSGI hello (context only), a bare Django hello behind the
whole middleware stack (the ceiling), then the catalogue, a service page with its slots and a
fee board, anonymous (community chosen in the session) and logged in, and the pages only one
kind of user opens (the resident's appointment list, a worker's console home, the manager's
dispatch board), as ratios of it, each with its database queries per request (counted once,
in this process, after the load: the steady state of the caches)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.bench.clients import check_page, cookie_header, make_session, wrk
from tests.bench.environment import TARGETS, say
from tests.bench.processes import start_profile

#: (key, label, path or None when the cast gives it, bytes the page must contain)
PAGE_PLAN = [
    ("catalogue", "Catalogue", "/shop/catalogue/", b"product"),
    ("service", "Service page with slots", None, b"data-start="),
    ("board", "Fee board", None, b"</html>"),
]

#: (key, label, who (a World attribute), path, bytes the page must contain): one user each.
ROLE_PAGES = [
    ("appointments", "Appointment list", "resident", "/shop/accounts/appointments/", b"</html>"),
    ("console", "Worker console home", "worker_user", "/provider/", b"</html>"),
    ("dispatch", "Dispatch board", "manager", "/provider/dispatch/", b"</html>"),
]


def warm_workers(url: str, cookie: str, workers: int) -> None:
    """Three GETs per gunicorn worker, ``workers`` at a time, before wrk's warm-up: each worker
    compiles the page's templates and opens its connections on its first views, which on a
    loaded machine outlasted a 2 s warm-up and counted against the page."""
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda _: check_page(url, cookie, b""), range(3 * workers)))


def queries_per_request(session_key: str, path: str) -> int | None:
    """The database queries of one GET of ``path`` with ``session_key``, in this process
    (the bench's settings and database), after one warm-up GET."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return len(ctx.captured_queries) if response.status_code == 200 else None


def measure(results, world, base, wrk_bin, seconds, opts) -> None:
    """Measure the hellos and every page of ``PAGE_PLAN`` (2 s warm-up, then ``seconds`` s of
    wrk with 16 connections) into ``results["raw_wsgi"]``, ``["ceiling"]`` and ``["pages"]``;
    a page that does not answer as expected is skipped with the reason."""
    say("raw WSGI hello (no Django) under the same gunicorn")
    wrk(wrk_bin, f"{base}/__bench__/hello", seconds=2, connections=16)
    results["raw_wsgi"] = wrk(wrk_bin, f"{base}/__bench__/hello", seconds=seconds, connections=16)
    say("ceiling: a bare Django hello view behind the whole middleware stack")
    wrk(wrk_bin, f"{base}/__bench__/django-hello", seconds=2, connections=16)
    ceiling = wrk(wrk_bin, f"{base}/__bench__/django-hello", seconds=seconds, connections=16)
    results["ceiling"] = ceiling
    anon_key = make_session(community=world.community)
    logged_key = make_session(user=world.resident)
    anon, logged = cookie_header(anon_key), cookie_header(logged_key)
    keys = {"anonymous": anon_key, "logged_in": logged_key}
    urls = {
        "catalogue": "/shop/catalogue/",
        "service": world.service.get_absolute_url(),
        "board": world.board_url,
    }
    plan = [
        (f"{key}_{who}", key, label, who, urls[key], marker, cookie, keys[who])
        for key, label, _url, marker in PAGE_PLAN
        for who, cookie in (("anonymous", anon), ("logged_in", logged))
    ]
    for key, label, attr, path, marker in ROLE_PAGES:
        session = make_session(user=getattr(world, attr))
        plan.append((key, key, label, attr, path, marker, cookie_header(session), session))
    for name, key, label, who, path, marker, cookie, session in plan:
        url = base + path
        try:
            check_page(url, cookie, marker)
        except Exception as exc:  # noqa: BLE001 - report, measure the rest
            results["skipped"][name] = f"{path}: {exc}"
            say(f"skip {key} {who}: {exc}")
            continue
        say(f"{label}, {who}: {path}")
        warm_workers(url, cookie, results.get("setup", {}).get("gunicorn_workers", 5))
        wrk(wrk_bin, url, seconds=2, connections=16, cookie=cookie)
        profile = None
        if opts.profile == key and who != "anonymous":
            profile = start_profile(f"{key}_{who}", seconds)
        figures = wrk(wrk_bin, url, seconds=seconds, connections=16, cookie=cookie)
        if profile:
            profile.wait()
        figures["ratio"] = round(figures["rps"] / ceiling["rps"], 3)
        figures["target_ratio"] = TARGETS.get(name, TARGETS.get(key))
        figures["queries"] = queries_per_request(session, path)
        who_label = {"anonymous": "anonymous", "logged_in": "logged in"}.get(who)
        figures["label"] = f"{label} ({who_label})" if who_label else label
        figures["path"] = path
        results["pages"][name] = figures
