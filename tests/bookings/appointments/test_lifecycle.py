"""The appointment's life: transitions, the order that follows, cancel and reschedule policy."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.appointments.changes import (
    appointment_cancel,
    appointment_reschedule,
    cancellation_fee_for,
)
from bookings.appointments.lifecycle import appointment_release, appointment_transition
from bookings.appointments.one_click import appointment_book, appointment_hold
from bookings.availability.search import available_slots
from bookings.exceptions import CancellationRefused, InvalidTransition, SlotUnavailable
from bookings.models import Appointment
from tests.bookings.factories import TimeOffFactory, WorkerFactory
from tests.payments.conftest import save_card
from tests.support import local, tomorrow_at

pytestmark = pytest.mark.django_db
Status = Appointment.Status


def test_the_order_follows_the_appointment_through_its_life(book, resident, worker):
    appointment = book(tomorrow_at(10))
    order = appointment.order
    for status, order_status in [
        (Status.ACCEPTED, "Confirmed"),
        (Status.IN_PROGRESS, "In progress"),
        (Status.COMPLETED, "Completed"),
    ]:
        appointment_transition(appointment=appointment, to=status, by=worker.user, reason="test")
        order.refresh_from_db()
        assert order.status == order_status
        assert order.lines.get().status == order_status
    assert [e.to_status for e in appointment.events.all()] == [
        "held",
        "confirmed",
        "accepted",
        "in_progress",
        "completed",
    ]
    assert appointment.events.last().actor == worker.user


def test_moves_outside_the_table_are_refused(book, worker):
    appointment = book(tomorrow_at(10))
    with pytest.raises(InvalidTransition):
        appointment_transition(appointment=appointment, to=Status.COMPLETED)
    with pytest.raises(InvalidTransition):
        appointment_transition(appointment=appointment, to=Status.HELD)
    assert Appointment.objects.get().status == Status.CONFIRMED


def test_a_transition_someone_else_made_first_is_refused(book, worker, english):
    appointment = book(tomorrow_at(10))
    stale = Appointment.objects.get(pk=appointment.pk)
    appointment_transition(appointment=appointment, to=Status.CANCELLED)
    with pytest.raises(InvalidTransition, match="changed meanwhile"):
        appointment_transition(appointment=stale, to=Status.ACCEPTED)
    assert appointment.events.count() == 3


def test_releasing_a_hold_frees_the_slot_and_cancels_the_order(resident, service, worker):
    appointment = appointment_hold(user=resident, product=service, start=tomorrow_at(10))
    assert appointment.status == Status.HELD and appointment.order.status == "Pending"
    record = service.stockrecords.get()

    def free_at_ten():
        slots = available_slots(
            product=service,
            stockrecord=record,
            community=appointment.community,
            start=local(1, 0),
            end=local(2, 0),
        )
        return tomorrow_at(10) in [s.start for s in slots]

    assert not free_at_ten()
    appointment_release(appointment=appointment, reason="Card declined")
    appointment.order.refresh_from_db()
    assert appointment.status == Status.EXPIRED
    assert appointment.order.status == "Cancelled"
    assert free_at_ten()


@pytest.mark.parametrize(
    "hours_before,fee",
    [(25, Decimal("0.00")), (24, Decimal("0.00")), (23, Decimal("30.00")), (0.5, Decimal("30.00"))],
)
def test_cancellation_is_free_from_24_hours_before_and_costs_the_fee_after(
    book, worker, hours_before, fee
):
    appointment = book(local(2, 10))
    appointment.payment_method = Appointment.PaymentMethod.CARD  # the fee is taken from a card
    at = appointment.start - timedelta(hours=hours_before)
    assert cancellation_fee_for(appointment, at=at) == fee


@pytest.mark.parametrize("hours_before", [25, 23, 0.5])
def test_a_booking_paid_after_the_service_is_never_announced_a_fee(book, worker, hours_before):
    """No card holds money for it, so no fee could be charged: none is announced or recorded."""
    appointment = book(local(2, 10))
    assert appointment.payment_method == Appointment.PaymentMethod.AFTER_SERVICE
    at = appointment.start - timedelta(hours=hours_before)
    assert cancellation_fee_for(appointment, at=at) == Decimal("0.00")


@pytest.mark.parametrize("after", [timedelta(0), timedelta(minutes=1), timedelta(hours=3)])
def test_cancellation_is_refused_once_the_service_has_started(book, worker, after, english):
    appointment = book(local(2, 10))
    with pytest.raises(CancellationRefused, match="already started"):
        cancellation_fee_for(appointment, at=appointment.start + after)


def test_cancelling_more_than_24_hours_ahead_is_free(client, book, resident, worker):
    appointment = book(local(3, 10))
    client.force_login(resident)
    url = f"/shop/accounts/appointments/{appointment.pk}/cancel/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cancelling now is free of charge." in page
    response = client.post(url, {"reason": "出差"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    appointment.order.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.fees_due == Decimal("0.00")
    assert appointment.order.status == "Cancelled"
    assert appointment.events.last().reason == "出差"


@pytest.fixture
def soon(localstripe, resident, service, community, provider):
    """A worker on duty around the clock, and the resident's appointment at the first free
    slot, paid by card: at most a few hours away, so well within 24 h."""
    save_card(resident)
    WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        hours=[(day, time(0), time(23, 59)) for day in range(7)],
    )
    record = service.stockrecords.get()
    first = available_slots(product=service, stockrecord=record, community=community)[0]
    return appointment_book(user=resident, product=service, start=first.start)


def test_cancelling_within_24_hours_shows_and_records_the_fee(client, resident, soon):
    client.force_login(resident)
    url = f"/shop/accounts/appointments/{soon.pk}/cancel/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "cancelling now costs ¥30.00, charged to your card" in page
    assert client.post(url).status_code == 302
    soon.refresh_from_db()
    assert soon.status == Status.CANCELLED
    assert soon.fees_due == Decimal("30.00")
    assert soon.events.last().fee == Decimal("30.00")
    with pytest.raises(CancellationRefused):
        appointment_cancel(appointment=soon, by=resident)


def test_rescheduling_within_24_hours_is_free_and_keeps_the_fee(resident, soon, service, community):
    # A free time after the job and still within 24 h: from the slot list, not "start + 3 h",
    # which after 17:00 Beijing time runs the 2-hour job past the worker's day.
    record = service.stockrecords.get()
    later = next(
        slot.start
        for slot in available_slots(product=service, stockrecord=record, community=community)
        if soon.end <= slot.start < timezone.now() + timedelta(hours=24)
    )
    assert appointment_reschedule(appointment=soon, new_start=later, by=resident) == Decimal("0.00")
    soon.refresh_from_db()
    assert soon.start == later
    assert soon.fees_due == Decimal("0.00") and soon.moved_late


def test_rescheduling_keeps_the_worker_when_they_are_free(
    book, resident, other_resident, worker, second_worker
):
    appointment = book(local(2, 10))
    # The other worker is less loaded now, but the resident keeps theirs.
    book(local(3, 8), user=other_resident)
    assert appointment.worker == worker
    fee = appointment_reschedule(appointment=appointment, new_start=local(2, 14), by=resident)
    appointment.refresh_from_db()
    assert fee == Decimal("0.00")
    assert (appointment.start, appointment.end) == (local(2, 14), local(2, 16))
    assert appointment.worker == worker
    assert appointment.status == Status.CONFIRMED
    assert appointment.line.attributes.get(option__code="slot").value == local(2, 14).isoformat()
    event = appointment.events.last()
    assert event.from_status == event.to_status == "confirmed"
    assert "→" not in event.display_reason and "14:00" in event.display_reason


def test_rescheduling_moves_to_another_worker_when_theirs_is_busy(
    book, resident, worker, second_worker
):
    appointment = book(local(2, 10))
    assert appointment.worker == worker
    appointment_transition(appointment=appointment, to=Status.ACCEPTED, by=worker.user)
    TimeOffFactory(worker=worker, start=local(2, 13), end=local(2, 18))
    appointment_reschedule(appointment=appointment, new_start=local(2, 14), by=resident)
    appointment.refresh_from_db()
    assert appointment.worker == second_worker
    # The new worker has not accepted it yet.
    assert appointment.status == Status.CONFIRMED
    assert appointment.order.status == "Confirmed"


def test_rescheduling_to_a_taken_time_is_refused_and_changes_nothing(
    book, resident, other_resident, worker
):
    appointment = book(local(2, 10))
    book(local(2, 14), user=other_resident)
    with pytest.raises(SlotUnavailable) as refused:
        appointment_reschedule(appointment=appointment, new_start=local(2, 14), by=resident)
    assert refused.value.next_slots
    appointment.refresh_from_db()
    assert appointment.start == local(2, 10)
    assert appointment.events.count() == 2


def test_the_reschedule_page_offers_slots_and_moves_in_one_click(client, book, resident, worker):
    appointment = book(local(2, 10))
    client.force_login(resident)
    url = f"/shop/accounts/appointments/{appointment.pk}/reschedule/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    offered = [s.start for _day, slots in page.context["slot_days"] for s in slots]
    # Its own time does not block moving by half an hour.
    assert local(2, 10, 30) in offered
    response = client.post(url, {"start": local(2, 10, 30).isoformat()})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == local(2, 10, 30) and appointment.worker == worker


def test_moving_to_a_taken_time_in_the_page_is_409_with_other_times(
    client, book, resident, other_resident, worker
):
    appointment = book(local(2, 10))
    book(local(2, 14), user=other_resident)
    client.force_login(resident)
    url = f"/shop/accounts/appointments/{appointment.pk}/reschedule/"
    page = client.post(url, {"start": local(2, 14).isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 409
    assert f'action="{url}"' in page.content.decode()
    as_json = client.post(url, {"start": local(2, 14).isoformat()}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 409 and as_json.json()["next_slots"]
    appointment.refresh_from_db()
    assert appointment.start == local(2, 10)
