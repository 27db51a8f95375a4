"""A double click books once, with or without a saved card: the booking form's one-time key is
recorded on the appointment, unique per resident, and a repeat returns the first booking —
also when the two requests race (PostgreSQL, threads)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from oscar.apps.order.models import Order

from bookings.appointments import one_click
from bookings.models import Appointment
from tests.bookings.factories import WorkerFactory
from tests.support import run_concurrently, tomorrow_at

IS_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _post(client, service, start, key):
    return client.post(
        "/shop/book/", {"product": service.pk, "start": start.isoformat(), "key": key}
    )


@pytest.mark.django_db
def test_a_double_click_without_a_card_books_one_worker_once(
    client, resident, service, worker, second_worker
):
    client.force_login(resident)
    key = f"nonce-1:{tomorrow_at(10).isoformat()}"

    first = _post(client, service, tomorrow_at(10), key)
    second = _post(client, service, tomorrow_at(10), key)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1 and Order.objects.count() == 1
    assert Appointment.objects.get().booking_key == key


@pytest.mark.django_db
def test_a_double_click_on_the_last_free_worker_returns_the_booking_not_a_409(
    client, resident, service, worker
):
    client.force_login(resident)

    first = _post(client, service, tomorrow_at(10), "nonce-2:10")
    second = _post(client, service, tomorrow_at(10), "nonce-2:10")

    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_another_key_or_another_resident_books_again(
    book, resident, other_resident, worker, second_worker
):
    mine = book(tomorrow_at(10), idempotency_key="a")
    again = book(tomorrow_at(10), idempotency_key="b")
    theirs = book(tomorrow_at(14), user=other_resident, idempotency_key="a")

    assert len({mine.pk, again.pk, theirs.pk}) == 3
    assert {mine.worker_id, again.worker_id} == {worker.pk, second_worker.pk}


@pytest.mark.django_db
def test_a_repeat_is_answered_by_the_key_without_writing_anything(
    book, worker, second_worker, monkeypatch
):
    first = book(tomorrow_at(10), idempotency_key="n")
    orders = Order.objects.count()

    repeat = book(tomorrow_at(10), idempotency_key="n")

    assert repeat.pk == first.pk and repeat.is_repeat
    assert Order.objects.count() == orders and Appointment.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_nothing_is_recorded(book, worker, second_worker):
    first, second = book(tomorrow_at(10)), book(tomorrow_at(10))

    assert first.pk != second.pk
    assert first.booking_key is None and second.booking_key is None


@pytest.fixture
def three_workers(transactional_db, provider, community, service):
    return [
        WorkerFactory(provider=provider, skills=[service.product_class], communities=[community])
        for _ in range(3)
    ]


def _click_at_once(resident, service, n, key="burst:10"):
    def act(i):
        return one_click.appointment_book(
            user=resident, product=service, start=tomorrow_at(10), idempotency_key=key
        )

    return run_concurrently(act, n)


@pytest.mark.postgres
def test_a_burst_of_clicks_with_one_key_books_once(resident, service, three_workers):
    results = _click_at_once(resident, service, 8)

    assert all(isinstance(r, Appointment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Appointment.objects.count() == 1 and Order.objects.count() == 1


@pytest.mark.postgres
def test_control_without_the_unique_key_a_burst_books_several_workers(
    resident, service, three_workers
):
    constraint = next(
        c for c in Appointment._meta.constraints if c.name == "appointment_booking_key_once"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    try:
        results = _click_at_once(resident, service, 8)
        booked = {r.pk for r in results if isinstance(r, Appointment)}
        # The race is real: the lock only makes the clicks queue; each then finds another
        # free worker. The unique key is what makes them one booking.
        assert len(booked) > 1
    finally:
        Appointment.objects.update(booking_key=None)
        with connection.schema_editor() as editor:
            editor.add_constraint(Appointment, constraint)


@pytest.mark.skipif(not IS_SQLITE, reason="the SQLite path (PostgreSQL has its own test)")
def test_on_sqlite_a_burst_of_clicks_with_one_key_books_once(resident, service, three_workers):
    results = _click_at_once(resident, service, 4)

    assert all(isinstance(r, Appointment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Appointment.objects.count() == 1
