"""The slot cache: a second look at a service's times costs no query, every change of a
worker's calendar or of who qualifies shows at once, and a stale cache never double-books."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings.appointments import one_click
from bookings.appointments.lifecycle import appointment_transition
from bookings.availability import slot_cache
from bookings.availability.search import available_slots
from bookings.console.schedule import time_off_add, weekly_hours_set
from bookings.exceptions import SlotUnavailable
from bookings.models import Appointment
from tests.bookings.factories import TimeOffFactory, WorkerFactory
from tests.factories import HouseholdFactory, UserFactory
from tests.support import local, run_concurrently

TWO_HOURS = timedelta(hours=2)


def _starts(service, community, day=2):
    """The local HH:MM starts of ``day`` (days from today) the resident sees."""
    slots = available_slots(
        product=service,
        stockrecord=service.stockrecords.get(community=community),
        community=community,
        start=local(day, 0),
        end=local(day + 1, 0),
        duration=TWO_HOURS,
    )
    return [s.local_start.strftime("%H:%M") for s in slots]


def _worker(provider, community, service, start=time(8), end=time(12), day=2):
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        hours=[(local(day, 0).weekday(), start, end)],
    )


@pytest.mark.django_db
def test_a_second_look_at_the_same_days_costs_no_query(
    provider, community, service, django_assert_num_queries
):
    _worker(provider, community, service)
    record = service.stockrecords.get(community=community)
    first = _starts(service, community)
    assert first == ["08:00", "08:30", "09:00", "09:30", "10:00"]
    with django_assert_num_queries(0):
        slots = available_slots(
            product=service,
            stockrecord=record,
            community=community,
            start=local(2, 0),
            end=local(3, 0),
            duration=TWO_HOURS,
        )
    assert [s.local_start.strftime("%H:%M") for s in slots] == first


@pytest.mark.django_db
def test_a_booking_and_its_cancellation_show_at_once(provider, community, service, resident):
    _worker(provider, community, service)
    assert "08:00" in _starts(service, community)
    appointment = one_click.appointment_hold(user=resident, product=service, start=local(2, 8))
    # 08:00–10:00 plus the 15-minute travel buffer: nothing left before 12:00 for 2 hours.
    assert _starts(service, community) == []
    appointment_transition(appointment=appointment, to=Appointment.Status.CANCELLED)
    assert _starts(service, community) == ["08:00", "08:30", "09:00", "09:30", "10:00"]


@pytest.mark.django_db
def test_hours_and_time_off_changed_in_the_console_show_at_once(provider, community, service):
    worker = _worker(provider, community, service)
    assert _starts(service, community)[0] == "08:00"
    weekly_hours_set(worker=worker, hours=[(local(2, 0).weekday(), time(14), time(17))])
    assert _starts(service, community) == ["14:00", "14:30", "15:00"]
    time_off_add(worker=worker, start=local(2, 14), end=local(2, 16))
    assert _starts(service, community) == []
    TimeOffFactory(worker=worker, start=local(5, 0), end=local(6, 0))  # another day: no change
    assert _starts(service, community) == []


@pytest.mark.django_db
def test_who_qualifies_shows_at_once(provider, community, service):
    worker = _worker(provider, community, service)
    assert _starts(service, community)
    worker.communities.remove(community)
    assert _starts(service, community) == []
    worker.communities.add(community)
    assert _starts(service, community)
    worker.user.is_active = False
    worker.user.save(update_fields=["is_active"])
    assert _starts(service, community) == []
    # A new colleague with the same hours qualifies at once.
    _worker(provider, community, service)
    assert _starts(service, community)[0] == "08:00"


@pytest.mark.django_db
def test_an_appointment_handed_to_another_worker_frees_the_first(
    provider, community, service, resident
):
    first = _worker(provider, community, service, end=time(10))
    second = _worker(provider, community, service, start=time(14), end=time(16))
    appointment = one_click.appointment_hold(user=resident, product=service, start=local(2, 8))
    assert appointment.worker == first
    assert _starts(service, community) == ["14:00"]
    appointment.worker = second
    appointment.start, appointment.end = local(2, 14), local(2, 16)
    appointment.save(update_fields=["worker", "start", "end"])
    assert _starts(service, community) == ["08:00"]


# --- a stale cache ------------------------------------------------------------------------------


@pytest.fixture
def stale_last_slot(transactional_db, provider, community, service, monkeypatch):
    """One worker free for one slot (in two days at 10:00), its times cached, and the cache
    told of nothing from now on: every later look sees that slot free, taken or not."""
    worker = _worker(provider, community, service, start=time(10), end=time(12))
    TimeOffFactory(worker=worker, start=local(3, 0), end=timezone.now() + timedelta(days=40))
    assert _starts(service, community) == ["10:00"]
    monkeypatch.setattr(slot_cache, "bump_versions", lambda keys: None)
    return local(2, 10)


@pytest.mark.postgres
def test_eight_residents_booking_through_a_stale_cache_get_one_booking(
    stale_last_slot, community, service
):
    n = 8
    users = []
    for i in range(n):
        user = UserFactory(email=f"stale{i}@example.cn")
        HouseholdFactory(user=user, community=community, building=str(i))
        users.append(user)

    def look_and_book(i):
        # Each resident reads the page's times (from the cache) and clicks the one shown.
        assert _starts(service, community) == ["10:00"]
        return one_click.appointment_hold(user=users[i], product=service, start=stale_last_slot)

    results = run_concurrently(look_and_book, n)
    booked = [r for r in results if isinstance(r, Appointment)]
    assert len(booked) == 1
    assert all(isinstance(r, (Appointment, SlotUnavailable)) for r in results), results
    assert Appointment.objects.count() == 1
    # The control: the cache really is stale (it still offers the taken time), so the refusals
    # above came from the locked re-check, not from a fresh page.
    assert _starts(service, community) == ["10:00"]
    with pytest.raises(SlotUnavailable):
        one_click.appointment_hold(user=users[0], product=service, start=stale_last_slot)
    assert Appointment.objects.count() == 1
