"""Fees announced are fees charged: the policy for late changes, seen from the resident's pages,
the ledger and Stripe (localstripe).

The policy (``bookings/appointments/changes.py``, README): moving is always free; a move within
24 h of the start keeps the late-cancellation fee in place; cancelling within 24 h (or after such
a move) or a no-show costs the fee, once, captured from the card's authorisation; a booking paid
after the service is never announced a fee.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from oscar.apps.order.models import Order

from bookings.models import Appointment
from payments.models import PaymentIntentRecord
from payments.services import payment_authorise
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
from tests.cms.support import publish_board
from tests.factories import ProductFactory, StockRecordFactory
from tests.payments.conftest import save_card

pytestmark = pytest.mark.django_db
Status = Appointment.Status


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


@pytest.mark.parametrize(
    ("then", "charged"),
    [
        ("cancel", Decimal("30.00")),  # one fee, not one per late change
        ("complete", Decimal("120.00")),  # the price only
        ("no_show", Decimal("30.00")),  # the fee once
    ],
)
def test_a_late_reschedule_then(client, by_card, then, charged):
    announced = Announced()
    time_passes(by_card, late=True)
    reschedule(client, by_card, _near(by_card), announced)
    if then == "cancel":
        cancel(client, by_card, announced)
    else:
        {"complete": complete, "no_show": no_show}[then](by_card, announced)
    assert announced.total == charged
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


@pytest.fixture
def window_cleaning(provider, community, anytime_worker):
    product = ProductFactory(
        title="擦玻璃",
        title_en="Window cleaning",
        attributes={"duration_minutes": 60, "cancellation_fee": 20.0},
    )
    StockRecordFactory(product=product, partner=provider, community=community, price="160.00")
    publish_board(community)
    return product


def test_cancelling_one_appointment_of_an_order_keeps_the_hold_for_the_others(
    localstripe, client, resident, service, window_cleaning, english
):
    """A basket order holds one authorisation for all its appointments: cancelling one (free)
    must not void the hold the other still needs, and the order is settled once, for what is
    due (the other's price), when the last one is done."""
    client.force_login(resident)
    first, second = (
        daytime_slot(after=EARLY[0], before=EARLY[1]),
        daytime_slot(after=timedelta(hours=50), before=timedelta(hours=70)),
    )
    client.post(f"/shop/services/{service.pk}/basket/", {"start": first.isoformat()})
    client.post(f"/shop/services/{window_cleaning.pk}/basket/", {"start": second.isoformat()})
    client.get("/shop/checkout/", follow=True)
    client.get("/shop/checkout/payment-details/")
    client.get("/shop/checkout/preview/")
    client.post("/shop/checkout/preview/", {"action": "place_order"})
    order = Order.objects.get(user=resident)
    # The card authorisation of the whole order, as one click takes it (the basket's own
    # authorisation is another section's work; this is the settlement's contract).
    save_card(resident)
    order.appointments.update(payment_method=Appointment.PaymentMethod.CARD)
    intent = payment_authorise(
        order=order, user=resident, amount=order.total_incl_tax, idempotency_key="basket"
    )
    assert intent.amount_authorised == Decimal("280.00")
    cleaning, windows = order.appointments.order_by("start")

    cancel(client, cleaning, Announced())
    intent.refresh_from_db()
    assert intent.status == PaymentIntentRecord.Status.AUTHORISED
    announced = Announced()
    complete(windows, announced)
    assert announced.total == Decimal("160.00")
    assert_ledger_agrees(client, windows, announced)
