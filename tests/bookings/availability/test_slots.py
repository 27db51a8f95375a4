"""Free slots: weekly hours, time off, travel buffer, notice, horizon, duration, time zone."""

from datetime import UTC, time, timedelta

import pytest
from django.utils import timezone

from bookings.appointments.lifecycle import appointment_transition
from bookings.availability.search import available_slots
from bookings.availability.window import booking_window, validate_start
from bookings.exceptions import BookingError
from bookings.models import Appointment
from tests.bookings.factories import TimeOffFactory, WorkerFactory
from tests.factories import ProductFactory, StockRecordFactory
from tests.support import local, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def hour_service(provider, community):
    """A 60-minute service (the default ``service`` lasts 120 minutes)."""
    product = ProductFactory(attributes={"duration_minutes": 60, "cancellation_fee": 10.0})
    StockRecordFactory(product=product, partner=provider, community=community, price="50.00")
    return product


def _starts(product, community, day=1, **kwargs):
    record = product.stockrecords.get(community=community)
    slots = available_slots(
        product=product,
        stockrecord=record,
        community=community,
        start=local(day, 0),
        end=local(day + 1, 0),
        **kwargs,
    )
    return [s.local_start.strftime("%H:%M") for s in slots]


def _only_worker(provider, community, product, hours):
    return WorkerFactory(
        provider=provider, skills=[product.product_class], communities=[community], hours=hours
    )


def test_slots_follow_weekly_hours_on_a_30_minute_step_and_last_the_service(
    provider, community, service, hour_service
):
    weekday = tomorrow_at(0).weekday()
    _only_worker(provider, community, service, [(weekday, time(8), time(12))])
    # 120 minutes: the last start that ends by 12:00 is 10:00.
    assert _starts(service, community) == ["08:00", "08:30", "09:00", "09:30", "10:00"]
    # 60 minutes: until 11:00.
    assert _starts(hour_service, community)[-1] == "11:00"
    # No hours on other days.
    assert _starts(service, community, day=2) == []


def test_a_stretch_that_does_not_start_on_the_step_starts_at_the_next_half_hour(
    provider, community, hour_service
):
    _only_worker(
        provider, community, hour_service, [(tomorrow_at(0).weekday(), time(8, 15), time(10))]
    )
    assert _starts(hour_service, community) == ["08:30", "09:00"]


def test_time_off_removes_the_slots_it_overlaps(provider, community, hour_service):
    worker = _only_worker(
        provider, community, hour_service, [(tomorrow_at(0).weekday(), time(8), time(12))]
    )
    TimeOffFactory(worker=worker, start=tomorrow_at(9), end=tomorrow_at(10))
    assert _starts(hour_service, community) == ["08:00", "10:00", "10:30", "11:00"]


def test_an_appointment_blocks_its_time_plus_the_travel_buffer(
    provider, community, hour_service, resident, book
):
    _only_worker(provider, community, hour_service, [(tomorrow_at(0).weekday(), time(8), time(14))])
    book(tomorrow_at(10), product=hour_service)  # busy 10:00–11:15 (15 min travel)
    # 09:00 would end at 10:00 but needs 15 min to get there; 11:00 is inside the buffer.
    assert _starts(hour_service, community) == [
        "08:00",
        "08:30",
        "11:30",
        "12:00",
        "12:30",
        "13:00",
    ]


def test_cancelled_appointments_free_their_time(provider, community, hour_service, book):
    _only_worker(provider, community, hour_service, [(tomorrow_at(0).weekday(), time(8), time(12))])
    appointment = book(tomorrow_at(10), product=hour_service)
    assert "10:00" not in _starts(hour_service, community)
    appointment_transition(appointment=appointment, to=Appointment.Status.CANCELLED, reason="test")
    assert "10:00" in _starts(hour_service, community)


def test_slots_start_at_least_two_hours_ahead(provider, community, hour_service, english):
    _only_worker(provider, community, hour_service, [(tomorrow_at(0).weekday(), time(8), time(14))])
    now = tomorrow_at(8, 10)
    assert _starts(hour_service, community, now=now)[0] == "10:30"
    with pytest.raises(BookingError, match="2 hours ahead"):
        validate_start(tomorrow_at(10), now=now)
    validate_start(tomorrow_at(10, 30), now=now)


def test_slots_end_at_the_thirty_day_horizon(provider, community, hour_service, english):
    _only_worker(provider, community, hour_service, None)
    record = hour_service.stockrecords.get()
    now = timezone.now()
    slots = available_slots(
        product=hour_service,
        stockrecord=record,
        community=community,
        start=local(28, 0),
        end=local(35, 0),
        now=now,
    )
    assert slots and max(s.start for s in slots) <= now + timedelta(days=30)
    assert booking_window(now)[1] == now + timedelta(days=30)
    with pytest.raises(BookingError, match="30 days"):
        validate_start(local(31, 10), now=now)


def test_times_in_the_past_or_off_the_step_are_refused(english):
    with pytest.raises(BookingError, match="already passed"):
        validate_start(local(-1, 10))
    with pytest.raises(BookingError, match="half hour"):
        validate_start(tomorrow_at(10, 15))


def test_hours_are_local_time_in_shanghai(provider, community, hour_service):
    day_after = local(2, 0)
    _only_worker(provider, community, hour_service, [(day_after.weekday(), time(0), time(2))])
    record = hour_service.stockrecords.get()
    slots = available_slots(
        product=hour_service,
        stockrecord=record,
        community=community,
        start=local(2, 0),
        end=local(3, 0),
    )
    # 00:00 in Shanghai is 16:00 UTC the day before, and the weekday is the local one.
    assert [s.start.astimezone(UTC).strftime("%H:%M") for s in slots] == ["16:00", "16:30", "17:00"]
    assert slots[0].as_json()["start"].endswith("T00:00:00+08:00")
    assert slots[0].as_json()["date"] == day_after.date().isoformat()


def test_only_qualified_active_workers_of_the_pricing_provider_count(
    provider, other_provider, community, other_community, hour_service
):
    from tests.factories import product_class

    weekday_hours = None
    WorkerFactory(
        provider=other_provider,
        skills=[hour_service.product_class],
        communities=[community],
        hours=weekday_hours,
    )
    WorkerFactory(
        provider=provider,
        skills=[product_class("eldercare", "养老服务", "Eldercare")],
        communities=[community],
        hours=weekday_hours,
    )
    WorkerFactory(
        provider=provider,
        skills=[hour_service.product_class],
        communities=[other_community],
        hours=weekday_hours,
    )
    WorkerFactory(
        provider=provider,
        skills=[hour_service.product_class],
        communities=[community],
        hours=weekday_hours,
        is_active=False,
    )
    assert _starts(hour_service, community) == []
    WorkerFactory(
        provider=provider,
        skills=[hour_service.product_class],
        communities=[community],
        hours=weekday_hours,
    )
    assert _starts(hour_service, community)[0] == "08:00"


def test_the_next_free_days_are_found_however_far_a_few_days_at_a_time(
    provider, community, hour_service, book
):
    """With ``max_days`` the calendars are read a few days at a time: the days found, and their
    slots, are the first days of the whole window's computation, blocked stretches that cross
    from one read into the next included."""
    worker = _only_worker(
        provider, community, hour_service, [(d, time(8), time(12)) for d in range(7)]
    )
    # Nothing free for twelve days, then time off across midnight into day 13 and an
    # appointment on day 14: each lies across the edge of a read.
    TimeOffFactory(worker=worker, start=local(0, 0), end=local(12, 23))
    TimeOffFactory(worker=worker, start=local(12, 23), end=local(13, 9))
    book(local(14, 10), product=hour_service)  # busy 10:00–11:15 on day 14
    record = hour_service.stockrecords.get(community=community)
    kwargs = dict(product=hour_service, stockrecord=record, community=community)
    everything = available_slots(**kwargs)
    first_days = sorted({s.local_start.date() for s in everything})[:3]
    few = available_slots(**kwargs, max_days=3)
    assert [s.start for s in few] == [
        s.start for s in everything if s.local_start.date() in first_days
    ]
    assert few[0].local_start == local(13, 9)  # the time off ends at 09:00 on day 13
    day_14 = [
        s.local_start.strftime("%H:%M") for s in few if s.local_start.date() == local(14, 0).date()
    ]
    assert day_14 == ["08:00", "08:30"]  # 09:00–11:15 busy; 11:00 is within the buffer
