"""Dispatch survives the broker (issue 14, section 7).

The README's production layout, for real: a dispatch worker on its own queue
(``-n dispatch@%h -Q dispatch -c 2``), a worker for notices and the rest
(``-Q default,notifications``) and one beat on django-celery-beat's ``DatabaseScheduler``, with
late acknowledgement (``CELERY_TASK_ACKS_LATE``), against a private ``redis-server`` this test
starts on a free port of its own (persistent, as a production broker is) and the test database.

The drill: a dispatch task is held in flight (its appointment row locked from here) when Redis
stops; a booking is made during the outage, the held task finishes meanwhile; Redis starts
again and one more booking is made. Every booking, before, in flight, during and after, must be
offered to its worker exactly once (one ``JobOffer``, one ``DispatchRound``, offered) within
``RECOVERY_BOUND`` of Redis answering again, and every Celery process must still be the one
that was started: none died. ``/healthz/dispatch/`` says 503 while the broker is gone and 200
once dispatch works again.

Then the case the supervision in the README is for: the dispatch worker dies (SIGKILL, for any
reason); ``/healthz/dispatch/`` says 503 ``no_worker``; a booking waits in the queue; the worker
is started again, as the supervisor does, and the booking is offered exactly once.

With celery 5.7.0 the dispatch worker dies when Redis stops ("Unrecoverable error:
AttributeError: 'NoneType' object has no attribute 'hostname'", celery#10242): see the pin in
pyproject.toml.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest
from celery import current_app
from django.core.cache import cache
from django.db import connection, connections, transaction

from bookings.dispatch import health
from bookings.dispatch.outbox import DISPATCH_ROUND_TASK, kick
from bookings.models import Appointment, DispatchRound, JobOffer
from tests.bookings.dispatch.conftest import REDIS_SERVER, CeleryWorker, PrivateRedis, wait_for
from tests.support import local

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

#: Every booking is offered within this many seconds of Redis answering again: the workers'
#: reconnection back-off (2 s, 4 s, 6 s ...), beat's sweep of rounds whose kick was lost
#: (every second here, for rounds older than ``SWEEP_GRACE``, 5 s) and a margin for a loaded
#: machine.
RECOVERY_BOUND = 30.0
#: A port where nothing listens: a broker that refuses at once.
DEAD_BROKER = "redis://127.0.0.1:9/0"


class CeleryProcess(CeleryWorker):
    """One ``celery -A marketplace <args>`` process of the production layout, on the drill's
    settings (``tests/drills/broker_settings.py``)."""

    settings_module = "tests.drills.broker_settings"

    def __init__(self, broker_url, folder, args: list[str], ready: str = "ready."):
        super().__init__(broker_url, folder)
        self.args, self.ready = args, ready

    def command(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "marketplace", *self.args, "-l", "info"]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""


@pytest.fixture
def layout(transactional_db, tmp_path, use_broker):
    """Redis, the two workers and beat, as the README runs them, launched (the test waits
    for them to be ready while its world is made); all stopped afterwards."""
    if not Path(REDIS_SERVER).exists():
        pytest.skip("needs redis-server")
    redis = PrivateRedis(tmp_path / "redis", persistent=True)
    redis.folder.mkdir()
    redis.start()
    use_broker(redis.url)  # this process (the web) publishes there too
    tag = os.getpid()
    processes = {
        "dispatch": CeleryProcess(
            redis.url,
            tmp_path / "dispatch",
            ["worker", "-n", f"dispatch-drill-{tag}@%h", "-Q", "dispatch", "-c", "2"],
        ),
        "notices": CeleryProcess(
            redis.url,
            tmp_path / "notices",
            ["worker", "-n", f"notices-drill-{tag}@%h", "-Q", "default,notifications", "-c", "1"],
        ),
        "beat": CeleryProcess(redis.url, tmp_path / "beat", ["beat"], ready="beat: Starting"),
    }
    try:
        for process in processes.values():  # side by side: each takes seconds to start
            process.folder.mkdir()
            process.launch()
        yield redis, processes
    finally:
        for process in processes.values():
            process.kill()
        redis.stop()


def offers(appointment) -> int:
    return JobOffer.objects.filter(appointment=appointment).count()


def offered_once(appointment) -> bool:
    rounds = list(DispatchRound.objects.filter(appointment=appointment))
    return (
        offers(appointment) == 1
        and len(rounds) == 1
        and rounds[0].status == DispatchRound.Status.OFFERED
    )


def dispatch_health(client) -> tuple[int, list[str]]:
    """``/healthz/dispatch/`` read afresh (its worker count is otherwise reused for 15 s):
    the status code and the problems' codes."""
    cache.delete(health._CACHE_KEY)
    response = client.get("/healthz/dispatch/")
    return response.status_code, [p["code"] for p in response.json()["problems"]]


def says(client, status: int, code: str | None = None) -> bool:
    """``/healthz/dispatch/`` answers ``status``, with ``code`` among its problems if given.
    (Others may join it: a loaded machine can delay beat's next sweep past its bound.)"""
    answer, codes = dispatch_health(client)
    return answer == status and (code is None or code in codes)


def waits_on_a_row_lock() -> bool:
    """Someone in this database (the worker's dispatch task) waits for a row lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


class RowHolder(threading.Thread):
    """Holds one appointment's row lock from another connection until ``release``: a dispatch
    task of that appointment blocks inside its transaction, in flight and not acknowledged."""

    def __init__(self, appointment_id: int, django_db_blocker):
        super().__init__(daemon=True)
        self.appointment_id, self.blocker = appointment_id, django_db_blocker
        self.holding, self.released = threading.Event(), threading.Event()

    def run(self):
        with self.blocker.unblock():
            try:
                with transaction.atomic():
                    Appointment.objects.select_for_update().filter(pk=self.appointment_id).first()
                    self.holding.set()
                    self.released.wait(60)
            finally:
                connections.close_all()

    def release(self):
        self.released.set()
        self.join(10)


def test_every_booking_is_offered_once_through_a_redis_outage_and_a_dead_worker(
    layout, use_broker, book, worker, client, django_db_blocker
):
    redis, processes = layout
    for process in processes.values():
        process.wait_until_ready()
    pids = {name: p.process.pid for name, p in processes.items()}
    dispatch_worker = processes["dispatch"]

    def diagnosis():
        states = {name: p.alive() for name, p in processes.items()}
        return f"alive: {states}\n--- dispatch worker's log:\n{dispatch_worker.tail()}"

    # Healthy to begin with (the worker answers broadcasts a moment after "ready").
    assert wait_for(lambda: says(client, 200), 20, 0.5), dispatch_health(client)

    before = book(local(2, 8))
    assert wait_for(lambda: offers(before), 20), diagnosis()

    # A dispatch task in flight: its kick lost (a refusing broker), its row held from here
    # before beat's sweep comes for it, then kicked by hand; the worker takes it and blocks.
    use_broker(DEAD_BROKER)
    in_flight = book(local(2, 11))
    holder = RowHolder(in_flight.pk, django_db_blocker)
    holder.start()
    assert holder.holding.wait(10)
    use_broker(redis.url)
    round_id = DispatchRound.objects.get(appointment=in_flight).pk
    kick(current_app.tasks[DISPATCH_ROUND_TASK], round_id)
    try:
        assert wait_for(waits_on_a_row_lock, 15), diagnosis()

        # The outage.
        redis.stop()
        stopped = time.monotonic()
        assert says(client, 503, "broker_unreachable"), dispatch_health(client)
        during = book(local(2, 14))  # the kick fails at once; the booking does not
        assert Appointment.objects.get(pk=during.pk).status == Appointment.Status.CONFIRMED
    finally:
        holder.release()  # the task in flight finishes while the broker is away
    assert wait_for(lambda: offers(in_flight), 15), diagnosis()
    time.sleep(max(0.0, 3 - (time.monotonic() - stopped)))  # down for 3 s at least

    redis.start()
    back = time.monotonic()
    after = book(local(3, 8))
    bookings = {"before": before, "in flight": in_flight, "during": during, "after": after}

    assert wait_for(lambda: all(offered_once(a) for a in bookings.values()), RECOVERY_BOUND, 0.2), (
        {
            name: (offers(a), list(DispatchRound.objects.filter(appointment=a).values("status")))
            for name, a in bookings.items()
        },
        diagnosis(),
    )
    recovered = time.monotonic() - back
    assert wait_for(lambda: says(client, 200), 20, 0.5), dispatch_health(client)
    healthy = time.monotonic() - back
    time.sleep(3)  # three more sweeps, and the redelivered message if any: still once each
    assert {name: offers(a) for name, a in bookings.items()} == dict.fromkeys(bookings, 1)
    assert all(offered_once(a) for a in bookings.values())
    # No process died (and none was restarted: the same pids).
    assert {name: p.alive() for name, p in processes.items()} == dict.fromkeys(processes, True), (
        diagnosis()
    )
    assert {name: p.process.pid for name, p in processes.items()} == pids
    assert {p.starts for p in processes.values()} == {1}
    print(
        f"\nbroker outage: all {len(bookings)} bookings offered {recovered:.1f} s after Redis was"
        f" back, /healthz/dispatch/ 200 after {healthy:.1f} s"
    )

    # The dispatch worker dies (any cause: SIGKILL here): 503 until the supervisor starts it.
    dispatch_worker.kill()
    assert wait_for(lambda: says(client, 503, "no_worker"), 10, 0.5), dispatch_health(client)
    waiting = book(local(3, 11))
    time.sleep(1.5)
    assert offers(waiting) == 0  # nobody consumes the dispatch queue
    dispatch_worker.start()  # what systemd's Restart=always does (README)
    assert wait_for(lambda: offered_once(waiting), RECOVERY_BOUND, 0.2), diagnosis()
    assert wait_for(lambda: says(client, 200), 20, 0.5), dispatch_health(client)
    assert offers(waiting) == 1
