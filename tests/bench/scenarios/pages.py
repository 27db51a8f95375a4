"""Pages against the ceiling: a raw WSGI hello (context only), a bare Django hello behind the
whole middleware stack (the ceiling), then the catalogue, a service page with its slots and a
fee board, anonymous (community chosen in the session) and logged in, as ratios of it."""

from __future__ import annotations

from tests.bench.clients import check_page, cookie_header, make_session, wrk
from tests.bench.environment import TARGETS, say
from tests.bench.processes import start_profile

#: (key, label, path or None when the cast gives it, bytes the page must contain)
PAGE_PLAN = [
    ("catalogue", "Catalogue", "/shop/catalogue/", b"product"),
    ("service", "Service page with slots", None, b"data-start="),
    ("board", "Fee board", None, b"</html>"),
]


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
