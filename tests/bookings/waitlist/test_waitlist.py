"""The waiting list of a full day: a freed time is held 15 minutes for the first waiting
resident, passes to the next on expiry, and is never offered once it is no longer free;
accepting after expiry is 410. The clock is explicit (``now=``): no sleeping, no time of day."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.appointments.changes import appointment_cancel
from bookings.exceptions import BookingError
from bookings.models import Appointment, WaitlistEntry
from bookings.waitlist.services import (
    OFFER_HOLD,
    OfferExpired,
    _free_slots,
    waitlist_accept,
    waitlist_join,
    waitlist_sweep,
)
from tests.bookings.factories import WorkerFactory
from tests.factories import HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = WaitlistEntry.Status
DAYS_AHEAD = 4


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=DAYS_AHEAD)


@pytest.fixture
def morning_worker(provider, community, service):
    """One worker, 10:00–12:00 every day: a short day that is easy to fill."""
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        hours=[(d, time(10), time(12)) for d in range(7)],
    )


@pytest.fixture
def third_resident(community):
    user = UserFactory(email="third@example.cn")
    HouseholdFactory(user=user, community=community, building="7", room="101")
    return user


@pytest.fixture
def full_day(other_resident, service, community, morning_worker, day, book):
    """Every time of ``day`` booked by ``other_resident``; returns those bookings."""
    booked = [
        book(slot.start, user=other_resident)
        for slot in _free_slots(product=service, community=community, day=day)
    ]
    assert booked and not _free_slots(product=service, community=community, day=day)
    return booked


def test_a_day_with_free_times_cannot_be_joined(resident, service, morning_worker, day):
    with pytest.raises(BookingError):
        waitlist_join(user=resident, product=service, day=day)
    assert not WaitlistEntry.objects.exists()


def test_a_freed_time_is_held_for_the_first_then_passes_to_the_next_on_expiry(
    resident, third_resident, other_resident, service, full_day, day
):
    first = waitlist_join(user=resident, product=service, day=day)
    assert waitlist_join(user=resident, product=service, day=day) == first  # joined once
    second = waitlist_join(user=third_resident, product=service, day=day)
    now = timezone.now()
    assert waitlist_sweep(now=now) == 0  # nothing free yet: nobody is offered anything

    freed = full_day[0]
    appointment_cancel(appointment=freed, by=other_resident)
    assert waitlist_sweep(now=now) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.OFFERED and second.status == Status.WAITING
    held = first.offered
    assert (held.status, held.start, held.resident) == ("held", freed.start, resident)
    assert first.offer_expires_at == now + OFFER_HOLD
    # While it is held nobody else can book it, and a sweep offers it to nobody else.
    assert waitlist_sweep(now=now + timedelta(minutes=5)) == 0

    # 15 minutes on: the first lapses, the hold is released and the next is offered it.
    later = now + OFFER_HOLD + timedelta(seconds=1)
    assert waitlist_sweep(now=later) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    held.refresh_from_db()
    assert first.status == Status.LAPSED and held.status == "expired"
    assert second.status == Status.OFFERED and second.offered.start == freed.start

    # Accepting after expiry: 410, nothing changed.
    with pytest.raises(OfferExpired):
        waitlist_accept(user=resident, entry_id=first.pk, now=later)
    assert Appointment.objects.filter(resident=resident, status="confirmed").count() == 0

    booked = waitlist_accept(user=third_resident, entry_id=second.pk, now=later)
    assert booked.status == Appointment.Status.CONFIRMED and booked.start == freed.start
    second.refresh_from_db()
    assert second.status == Status.ACCEPTED


def test_a_time_taken_before_the_sweep_is_never_offered(
    resident, other_resident, service, full_day, day, book
):
    waitlist_join(user=resident, product=service, day=day)
    freed = full_day[0]
    appointment_cancel(appointment=freed, by=other_resident)
    book(freed.start, user=other_resident)  # taken again before the sweep ran
    assert waitlist_sweep(now=timezone.now()) == 0
    assert WaitlistEntry.objects.get().status == Status.WAITING


def test_the_offer_page_accepts_in_one_click_and_refuses_after_expiry(
    client, resident, other_resident, service, full_day, day
):
    entry = waitlist_join(user=resident, product=service, day=day)
    appointment_cancel(appointment=full_day[0], by=other_resident)
    waitlist_sweep(now=timezone.now())
    client.force_login(resident)
    url = reverse("bookings:waitlist-offer", args=[entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert Appointment.objects.get(resident=resident).status == Appointment.Status.CONFIRMED
    assert client.post(url).status_code == 410  # answered already: nothing booked twice
    assert client.get(url).status_code == 200  # the page says it was accepted
    assert Appointment.objects.filter(resident=resident).count() == 1


def test_an_offer_past_its_15_minutes_is_refused_on_the_page(
    client, resident, other_resident, service, full_day, day
):
    entry = waitlist_join(user=resident, product=service, day=day)
    appointment_cancel(appointment=full_day[0], by=other_resident)
    waitlist_sweep(now=timezone.now() - OFFER_HOLD - timedelta(minutes=1))  # offered long ago
    client.force_login(resident)
    url = reverse("bookings:waitlist-offer", args=[entry.pk])
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    assert not Appointment.objects.filter(resident=resident, status="confirmed").exists()


def test_joining_from_the_page_and_bad_input(client, resident, service, full_day, day):
    client.force_login(resident)
    url = reverse("bookings:waitlist-join", args=[service.pk])
    assert client.post(url, {"day": "not-a-day"}).status_code == 400
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert client.post(url, {"day": yesterday}).status_code == 400
    assert not WaitlistEntry.objects.exists()
    assert client.post(url, {"day": day.isoformat()}).status_code == 302
    assert WaitlistEntry.objects.get().resident == resident


def test_a_cancellation_asks_for_a_sweep_after_its_commit(
    resident, other_resident, service, full_day, day, django_capture_on_commit_callbacks
):
    waitlist_join(user=resident, product=service, day=day)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=full_day[0], by=other_resident)
    assert WaitlistEntry.objects.get().status == Status.OFFERED  # the eager task ran the sweep
