"""Fees announced are fees charged: the policy for late changes, seen from the resident's pages,
the ledger and Stripe (localstripe).

The policy (``bookings/appointments/changes.py``, README): moving is always free; a move within
24 h of the start keeps the late-cancellation fee in place; cancelling within 24 h (or after such
a move) or a no-show costs the fee, once, captured from the card's authorisation; a booking paid
after the service is never announced a fee.
"""

from datetime import time, timedelta
from decimal import Decimal

import pytest

from bookings.models import Appointment
from payments.models import PaymentIntentRecord
from tests.bookings.appointments.ledger import (
    EARLY,
    LATE,
    Announced,
    assert_ledger_agrees,
    cancel,
    complete,
    daytime_slot,
    no_show,
    reschedule,
    time_passes,
)
from tests.bookings.factories import WorkerFactory
from tests.payments.conftest import save_card

pytestmark = pytest.mark.django_db
Status = Appointment.Status


@pytest.fixture
def anytime_worker(provider, community, service):
    """A worker on duty around the clock, so any daytime slot near now is free."""
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        hours=[(day, time(0), time(23, 59)) for day in range(7)],
    )


@pytest.fixture
def by_card(localstripe, resident, anytime_worker, book, client, english):
    """The resident, paying by card, books ¥120 (fee ¥30) more than 24 h ahead."""
    save_card(resident)
    client.force_login(resident)
    appointment = book(daytime_slot(after=EARLY[0], before=EARLY[1]))
    assert appointment.payment_method == Appointment.PaymentMethod.CARD
    assert (appointment.price, appointment.cancellation_fee) == (Decimal("120"), Decimal("30"))
    return appointment


@pytest.fixture
def pay_later(resident, anytime_worker, book, client, english):
    client.force_login(resident)
    appointment = book(daytime_slot(after=EARLY[0], before=EARLY[1]))
    assert appointment.payment_method == Appointment.PaymentMethod.AFTER_SERVICE
    return appointment


def _near(appointment):
    return daytime_slot(after=LATE[0], before=LATE[1], not_at=appointment.start)


def test_a_late_reschedule_is_announced_free_and_nothing_is_recorded(client, by_card):
    time_passes(by_card, late=True)
    page = client.get(f"/shop/accounts/appointments/{by_card.pk}/reschedule/").content.decode()
    assert "Moving it now is free of charge." in page
    assert "if you cancel after moving, ¥30.00 is charged to your card" in page
    announced = Announced(total=Decimal("0.00"))
    reschedule(client, by_card, _near(by_card), announced)
    by_card.refresh_from_db()
    assert by_card.fees_due == Decimal("0.00") and by_card.moved_late
    assert [e.fee for e in by_card.events.all()] == [Decimal("0.00")] * by_card.events.count()
    detail = client.get(by_card.get_absolute_url()).content.decode()
    assert "Moving is free; cancelling now costs ¥30.00." in detail


def test_a_late_reschedule_then_a_cancel_records_and_charges_one_fee(client, by_card):
    announced = Announced()
    time_passes(by_card, late=True)
    reschedule(client, by_card, _near(by_card), announced)
    cancel(client, by_card, announced)
    assert announced.total == Decimal("30.00")
    assert_ledger_agrees(client, by_card, announced)


def test_a_late_reschedule_then_completion_charges_the_price_only(client, by_card):
    announced = Announced()
    time_passes(by_card, late=True)
    reschedule(client, by_card, _near(by_card), announced)
    complete(by_card, announced)
    assert announced.total == Decimal("120.00")
    assert_ledger_agrees(client, by_card, announced)


def test_a_late_move_far_ahead_keeps_the_fee_for_a_cancel_made_early(client, by_card):
    """Moving within 24 h to a day next week, then cancelling days before it: the fee the move
    kept is announced and charged, though the card's hold had to be taken again."""
    announced = Announced()
    time_passes(by_card, late=True)
    far = daytime_slot(after=timedelta(days=6), before=timedelta(days=7))
    reschedule(client, by_card, far, announced)
    live = PaymentIntentRecord.objects.get(
        order=by_card.order, status__in=PaymentIntentRecord.ACTIVE
    )
    assert live.status == PaymentIntentRecord.Status.SCHEDULED
    page = client.get(f"/shop/accounts/appointments/{by_card.pk}/cancel/").content.decode()
    assert "moved within 24 hours of its start: cancelling costs ¥30.00" in page
    cancel(client, by_card, announced)
    assert announced.total == Decimal("30.00")
    assert_ledger_agrees(client, by_card, announced)


def test_an_early_reschedule_then_an_early_cancel_is_free(client, by_card):
    announced = Announced()
    reschedule(
        client,
        by_card,
        daytime_slot(after=EARLY[0], before=EARLY[1], not_at=by_card.start),
        announced,
    )
    cancel(client, by_card, announced)
    assert announced.total == Decimal("0.00")
    assert_ledger_agrees(client, by_card, announced)


def test_a_no_show_after_a_late_reschedule_charges_the_fee_once(client, by_card):
    announced = Announced()
    time_passes(by_card, late=True)
    reschedule(client, by_card, _near(by_card), announced)
    no_show(by_card, announced)
    assert announced.total == Decimal("30.00")
    assert_ledger_agrees(client, by_card, announced)


def test_pay_later_announces_and_records_no_fee(client, pay_later):
    announced = Announced()
    time_passes(pay_later, late=True)
    page = client.get(f"/shop/accounts/appointments/{pay_later.pk}/cancel/").content.decode()
    assert "Cancelling now is free of charge." in page
    reschedule(client, pay_later, _near(pay_later), announced)
    cancel(client, pay_later, announced)
    assert announced.total == Decimal("0.00")
    assert_ledger_agrees(client, pay_later, announced)


def test_pay_later_no_show_records_no_fee(client, pay_later):
    announced = Announced()
    no_show(pay_later, announced)
    assert_ledger_agrees(client, pay_later, announced)
