"""Helpers shared by the test tree: local (Asia/Shanghai) times relative to now, and threads
released together for race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.db import connections
from django.utils import timezone

from marketplace.policy import LOCAL_TZ


def local(days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` from today (local date) at hour:minute, Asia/Shanghai, aware — no clock mocking."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """Tomorrow (local date) at hour:minute, Asia/Shanghai."""
    return local(1, hour, minute)


def run_concurrently(fn: Callable[[int], Any], n: int, *, timeout: float = 120) -> list[Any]:
    """Call ``fn(i)`` for i in 0..n-1 in ``n`` threads released together by a barrier; return
    each call's result, or the exception it raised, at index ``i``.

    Oscar's ``oscar.test.utils.run_concurrently`` is the model (each thread closes its database
    connection when done); it returns only the exceptions and starts threads one by one, while
    a race test needs every result and a common start. Use with ``transactional_db`` on
    PostgreSQL: each thread has its own connection and transaction.
    """
    results: list[Any] = [None] * n
    start = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            start.wait(timeout=30)
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            # Each thread has its own connection; leave none open behind the test.
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
