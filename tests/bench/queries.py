"""Queries and CPU per operation of the booking paths, deterministically, through Django's test
client: the ``--queries`` view of ``make bench`` (rates are noisy on a shared machine; query
counts are not).

Run it explicitly (``tests/bench`` is not collected by the suite)::

    .venv/bin/python -m pytest tests/bench/queries.py -q -s -p no:randomly --reuse-db

``LINLI_QUERIES_SQL=1`` also prints every operation's statements, grouped, with how often each
ran (the first place to look for a repeated read). ``LINLI_QUERIES_REPEAT`` (default 6): how
many times each operation is measured after one warm-up (the first booking creates the slot
option and Oscar's analytics rows).

Run it alone on its cache: another pytest run clearing the same Redis database (an xdist
worker's ``cache.clear()``) makes the cached session miss, and a request then reads it from
the database (one query more, now and then).

Each operation is measured as production runs it: a real transaction (``transactional_db``),
so ``on_commit`` callbacks run and no test savepoints are counted. The web part is the request
and its on-commit callbacks; every Celery task the request enqueues is recorded instead of
sent, then run here one by one (with the tasks they enqueue in turn), each counted on its own
line under its registered name. CPU: this process (ms, ``time.process_time``) and the
PostgreSQL backend serving it (ms, from ``/proc/<pid>/stat``, 10 ms ticks: averaged over the
repeats). localstripe is another process and is not counted.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
from celery import current_app
from celery.app.task import Task
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Appointment
from tests.cms.support import publish_board
from tests.factories import ProductFactory, StockRecordFactory
from tests.payments.conftest import VISA, save_card
from tests.support import local

pytestmark = pytest.mark.django_db(transaction=True)

REPEAT = int(os.environ.get("LINLI_QUERIES_REPEAT", "6"))
SHOW_SQL = os.environ.get("LINLI_QUERIES_SQL", "") not in ("", "0")
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _backend_cpu_ms() -> float:
    """CPU ms used so far by the PostgreSQL backend of this process's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:  # PostgreSQL on another machine
        return float("nan")
    return (int(fields[11]) + int(fields[12])) * TICK_MS


@dataclass
class Part:
    """One part of an operation (the web request, or one Celery task): per run."""

    queries: list[int] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    pg_ms: list[float] = field(default_factory=list)
    sql: Counter = field(default_factory=Counter)


@pytest.fixture
def queued(monkeypatch) -> list[tuple[str, tuple, dict]]:
    """Celery's ``apply_async`` replaced: tasks are queued here (name, args, kwargs), not sent
    or run."""
    queue: list[tuple[str, tuple, dict]] = []

    def apply_async(task, args=None, kwargs=None, **options):
        queue.append((task.name, tuple(args or ()), dict(kwargs or {})))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return queue


def _normalised(sql: str) -> str:
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\s+", " ", sql)[:220]


def _measure(part: Part, run) -> object:
    pg0, cpu0 = _backend_cpu_ms(), time.process_time()
    with CaptureQueriesContext(connection) as captured:
        result = run()
    part.cpu_ms.append((time.process_time() - cpu0) * 1000)
    part.queries.append(len(captured.captured_queries))
    part.pg_ms.append(_backend_cpu_ms() - pg0)
    part.sql.update(_normalised(q["sql"]) for q in captured.captured_queries)
    return result


class Operation:
    """Measures ``request()`` and the tasks it enqueues, ``REPEAT`` times (after a warm-up)."""

    report: dict[str, dict[str, Part]] = {}

    def __init__(self, name, queued):
        self.name = name
        self.queue = queued
        self.parts: dict[str, Part] = defaultdict(Part)

    def run(self, request, *, measured: bool = True):
        part = self.parts["web"] if measured else Part()
        result = _measure(part, request)
        while self.queue:
            name, args, kwargs = self.queue.pop(0)
            task = current_app.tasks[name]
            short = "celery " + name.rsplit(".", 1)[-1]
            target = self.parts[short] if measured else Part()
            _measure(target, lambda t=task, a=args, k=kwargs: t.apply(args=a, kwargs=k).get())
        return result

    def done(self):
        Operation.report[self.name] = dict(self.parts)
        _print(self.name, self.parts)


def _print(name: str, parts: dict[str, Part]) -> None:
    print(f"\n== {name} (per run, over {len(parts['web'].queries)} runs)")
    print(f"   {'part':<34}{'queries':>9}{'CPU ms':>9}{'PG ms':>8}{'runs':>6}")
    total_q = total_cpu = total_pg = 0.0
    runs = len(parts["web"].queries) or 1
    for label, part in parts.items():
        n = len(part.queries)
        q = sum(part.queries) / runs
        cpu = sum(part.cpu_ms) / runs
        pg = sum(part.pg_ms) / runs
        total_q, total_cpu, total_pg = total_q + q, total_cpu + cpu, total_pg + pg
        print(f"   {label:<34}{q:>9.1f}{cpu:>9.1f}{pg:>8.1f}{n:>6}")
    print(f"   {'all':<34}{total_q:>9.1f}{total_cpu:>9.1f}{total_pg:>8.1f}")
    if SHOW_SQL:
        for label, part in parts.items():
            print(f"   -- {label}")
            for sql, count in part.sql.most_common():
                print(f"   {count / runs:5.1f}  {sql}")


# --- the operations --------------------------------------------------------------------------


def _book(client, product, start, key):
    return client.post(
        "/shop/book/",
        {"product": product.pk, "start": start.isoformat(), "key": key},
        HTTP_ACCEPT="application/json",
    )


def _one_clicks(client, service, op):
    # Warm-up: the first booking ever creates the slot option and the analytics rows.
    response = op.run(
        lambda: _book(client, service, local(1, 8), "warm-up-key-0000"), measured=False
    )
    assert response.status_code == 201, response.content[:500]
    for n in range(REPEAT):
        start = local(2 + n // 4, 8 + 2 * (n % 4))  # two hours each
        response = op.run(lambda s=start, k=f"bench-key-{n:08d}": _book(client, service, s, k))
        assert response.status_code == 201, response.content[:500]
    op.done()


def test_pay_later_one_click(client, resident, service, board, worker, second_worker, queued):
    client.force_login(resident)
    _one_clicks(client, service, Operation("pay-later one click", queued))


def test_card_one_click(
    client, localstripe, resident, service, board, worker, second_worker, queued
):
    save_card(resident, VISA)
    client.force_login(resident)
    _one_clicks(client, service, Operation("card one click (localstripe)", queued))
    assert all(a.payment_method == "card" for a in Appointment.objects.all())


def test_reschedule(client, resident, service, board, worker, second_worker, queued):
    client.force_login(resident)
    setup = Operation("setup", queued)
    booked = []
    for n in range(REPEAT + 1):
        response = setup.run(
            lambda n=n: _book(client, service, local(2 + n, 10), f"move-key-{n:08d}"),
            measured=False,
        )
        booked.append(response.json()["appointment"])
    op = Operation("reschedule", queued)
    for n, pk in enumerate(booked):
        url = f"/shop/accounts/appointments/{pk}/reschedule/"
        response = op.run(
            lambda u=url, n=n: client.post(u, {"start": local(2 + n, 14).isoformat()}),
            measured=n > 0,
        )
        assert response.status_code == 302, response.content[:500]
    op.done()


def test_basket_checkout_of_three(
    client, resident, provider, community, service, board, worker, second_worker, queued
):
    others = []
    for title, price in (("擦玻璃", "160.00"), ("修水管", "90.00")):
        product = ProductFactory(
            title=title, attributes={"duration_minutes": 60, "cancellation_fee": 20.0}
        )
        StockRecordFactory(product=product, partner=provider, community=community, price=price)
        others.append(product)
    publish_board(community)
    worker.skills.add(*{p.product_class for p in others})
    client.force_login(resident)
    op = Operation("basket checkout of three (adds, checkout pages, place)", queued)
    place = Operation("basket checkout: placing the order", queued)
    for n in range(REPEAT + 1):
        day = 2 + n

        def walk(day=day):
            for hour, product in zip((9, 12, 15), [service, *others], strict=True):
                client.post(
                    f"/shop/services/{product.pk}/basket/", {"start": local(day, hour).isoformat()}
                )
            client.get("/shop/checkout/", follow=True)
            client.get("/shop/checkout/payment-details/")
            return client.get("/shop/checkout/preview/")

        op.run(walk, measured=n > 0)
        response = place.run(
            lambda: client.post("/shop/checkout/preview/", {"action": "place_order"}),
            measured=n > 0,
        )
        assert response.status_code == 302 and "thank-you" in response["Location"]
    assert Appointment.objects.filter(status="confirmed").count() == 3 * (REPEAT + 1)
    op.done()
    place.done()
