"""No worker is ever booked twice: many residents click the last free slot at the same moment.

The real thing runs 32 threads through the HTTP view on PostgreSQL. The control tests take the
lock away to show that the race is real (several bookings see the worker free at once), that
the exclusion constraint then still refuses all but one, and that without either the worker
is double-booked — so the main test could fail, and passes because of the lock.
"""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from bookings.appointments import hold, locking, one_click
from bookings.exceptions import SlotUnavailable
from bookings.models import Appointment, AppointmentEvent, Worker
from tests.bookings.factories import TimeOffFactory, WorkerFactory
from tests.factories import HouseholdFactory, UserFactory
from tests.support import local, run_concurrently

IS_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.fixture
def last_slot(transactional_db, provider, community, service):
    """One worker, free for exactly one 2-hour slot (the day after tomorrow at 10:00) in
    the whole booking horizon."""
    day = local(2, 0)
    worker = WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        hours=[(day.weekday(), time(10), time(12))],
    )
    TimeOffFactory(worker=worker, start=local(3, 0), end=timezone.now() + timedelta(days=40))
    return local(2, 10)


def _residents(community, n):
    users = []
    for i in range(n):
        user = UserFactory(email=f"racer{i}@example.cn")
        HouseholdFactory(user=user, community=community, building=str(i))
        users.append(user)
    return users


def _count_free_checks(monkeypatch, barrier=None):
    """Record how many bookings saw a free worker; optionally make them all look at once."""
    seen, original = [], hold.free_workers

    def spy(*args, **kwargs):
        free = original(*args, **kwargs)
        if free:
            seen.append(free[0].pk)
        if barrier is not None:
            barrier.wait(timeout=30)
        return free

    monkeypatch.setattr(hold, "free_workers", spy)
    return seen


def _unlocked(worker_ids):
    """The lock taken away: the ids, read without FOR UPDATE."""
    return list(Worker.objects.filter(pk__in=worker_ids).values_list("pk", flat=True))


def _assert_one_booking_and_nothing_else(winner):
    from oscar.apps.basket.models import Line as BasketLine
    from oscar.apps.order.models import Line, LineAttribute, LinePrice, Order

    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().resident == winner
    assert Order.objects.count() == 1 and Line.objects.count() == 1
    assert LinePrice.objects.count() == 1 and LineAttribute.objects.count() == 1
    assert BasketLine.objects.count() == 0  # one click writes its order without a basket
    assert AppointmentEvent.objects.count() == 2


def _book_over_http(community, service, start, n):
    users = _residents(community, n)
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)

    def act(i):
        return clients[i].post("/shop/book/", {"product": service.pk, "start": start.isoformat()})

    responses = run_concurrently(act, n)
    errors = [r for r in responses if isinstance(r, Exception)]
    assert errors == []
    return users, [r.status_code for r in responses]


@pytest.mark.postgres
def test_32_residents_click_the_last_slot_and_exactly_one_gets_it(
    last_slot, community, service, monkeypatch
):
    seen_free = _count_free_checks(monkeypatch)
    users, statuses = _book_over_http(community, service, last_slot, 32)
    assert sorted(statuses) == [302] + [409] * 31
    assert not [s for s in statuses if s >= 500]
    # The lock made the others wait and then see the winner's appointment: only one booking
    # ever saw the worker free, so the constraint never even had to step in.
    assert len(seen_free) == 1
    winner = users[statuses.index(302)]
    _assert_one_booking_and_nothing_else(winner)


@pytest.mark.skipif(not IS_SQLITE, reason="the SQLite path (PostgreSQL has its own test)")
def test_on_sqlite_concurrent_bookings_queue_and_exactly_one_gets_the_slot(
    last_slot, community, service, monkeypatch
):
    seen_free = _count_free_checks(monkeypatch)
    users, statuses = _book_over_http(community, service, last_slot, 8)
    assert sorted(statuses) == [302] + [409] * 7
    assert len(seen_free) == 1
    _assert_one_booking_and_nothing_else(users[statuses.index(302)])


def _hold_in_threads(community, service, start, n):
    users = _residents(community, n)

    def act(i):
        return one_click.appointment_hold(user=users[i], product=service, start=start)

    return run_concurrently(act, n)


@pytest.mark.postgres
def test_control_without_the_lock_many_see_the_worker_free_and_the_constraint_saves_us(
    last_slot, community, service, monkeypatch
):
    n = 8
    monkeypatch.setattr(locking, "lock_workers", _unlocked)
    seen_free = _count_free_checks(monkeypatch, barrier=threading.Barrier(n))
    results = _hold_in_threads(community, service, last_slot, n)
    # The race is real: every booking read "free" before any wrote.
    assert len(seen_free) == n
    # The database still refuses all but one.
    assert sum(isinstance(r, Appointment) for r in results) == 1
    assert all(isinstance(r, (Appointment, SlotUnavailable)) for r in results)
    assert Appointment.objects.count() == 1


@pytest.mark.postgres
def test_control_without_the_lock_or_the_constraint_the_worker_is_booked_twice(
    last_slot, community, service, monkeypatch
):
    constraint = next(
        c for c in Appointment._meta.constraints if c.name == "appointment_worker_no_overlap"
    )
    n = 8
    monkeypatch.setattr(locking, "lock_workers", _unlocked)
    _count_free_checks(monkeypatch, barrier=threading.Barrier(n))
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    try:
        results = _hold_in_threads(community, service, last_slot, n)
        booked = [r for r in results if isinstance(r, Appointment)]
        assert len(booked) > 1
        assert len({a.worker_id for a in booked}) == 1  # the same worker, the same time
    finally:
        # Overlapping rows would stop the constraint coming back: clear them first.
        AppointmentEvent.objects.all().delete()
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Appointment, constraint)
