"""Helpers of the ledger tests: the resident's steps through the pages (what they are told, then
what they confirm), the worker's through the console services, the passage of time, and the
three readings that must agree: what was announced, what the ledger records, what Stripe kept.

No clock is mocked: "time passes" moves the appointment's start relative to now, as the console
tests' ``starting_in`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from oscar.apps.payment.models import Source

from bookings.appointments.lifecycle import appointment_transition
from bookings.console import jobs as console
from bookings.models import Appointment
from marketplace.policy import LOCAL_TZ, SLOT_STEP
from payments import stripe_client as sc
from payments.models import PaymentIntentRecord
from payments.services import payment_authorise_scheduled

Status = Appointment.Status
ZERO = Decimal("0.00")


def daytime_slot(*, after: timedelta, before: timedelta, not_at=None) -> datetime:
    """The first half-hour start from now + ``after`` to now + ``before`` whose job (2 h)
    lies within 08:00–20:00 local time (so no worker's day ends inside it)."""
    now = timezone.now()
    t = (now + after).astimezone(LOCAL_TZ).replace(second=0, microsecond=0)
    t += timedelta(minutes=(-t.minute) % 30)
    while t <= now + before:
        end = t + timedelta(hours=2)
        if 8 <= t.hour and end.date() == t.date() and end.hour * 60 + end.minute <= 20 * 60:
            if t != not_at:
                return t
        t += SLOT_STEP
    raise AssertionError("no daytime slot in range")


LATE = (timedelta(hours=3), timedelta(hours=22))
EARLY = (timedelta(hours=26), timedelta(hours=46))


def time_passes(appointment: Appointment, *, late: bool) -> Appointment:
    """Now is within 24 h of the start (``late``) or more than 24 h before it. A far date's
    scheduled authorisation has come due meanwhile: beat takes it."""
    after, before = LATE if late else EARLY
    start = daytime_slot(after=after, before=before, not_at=appointment.start)
    duration = appointment.end - appointment.start
    appointment.start, appointment.end = start, start + duration
    appointment.save(update_fields=["start", "end", "updated"])
    scheduled = PaymentIntentRecord.objects.filter(
        order=appointment.order, status=PaymentIntentRecord.Status.SCHEDULED
    ).first()
    if scheduled is not None:
        payment_authorise_scheduled(intent=scheduled)
    return appointment


def starting_in(appointment: Appointment, minutes: int) -> Appointment:
    start = timezone.now() + timedelta(minutes=minutes)
    duration = appointment.end - appointment.start
    appointment.start, appointment.end = start, start + duration
    appointment.save(update_fields=["start", "end", "updated"])
    return appointment


@dataclass
class Announced:
    """What the resident was told they pay for one appointment (yuan)."""

    total: Decimal = ZERO
    notes: list[str] = field(default_factory=list)


def cancel(client, appointment: Appointment, announced: Announced) -> None:
    """The resident opens the cancel page (reads the fee), then confirms."""
    url = f"/shop/accounts/appointments/{appointment.pk}/cancel/"
    page = client.get(url)
    assert page.status_code == 200
    fee = page.context["fee"]
    assert client.post(url, {"reason": "test"}).status_code == 302
    announced.total += fee
    announced.notes.append(f"cancel {fee}")


def reschedule(client, appointment: Appointment, new_start: datetime, announced) -> None:
    """The resident opens the reschedule page (moving is free; reads the fee it keeps), then
    confirms the new time."""
    url = f"/shop/accounts/appointments/{appointment.pk}/reschedule/"
    page = client.get(url)
    assert page.status_code == 200
    assert "kept_fee" in page.context and "fee" not in page.context
    response = client.post(url, {"start": new_start.isoformat()})
    assert response.status_code == 302, response.content[:500]
    announced.notes.append(f"move (keeps {page.context['kept_fee']})")


def complete(appointment: Appointment, announced: Announced) -> None:
    """The worker accepts, checks in and completes; the resident was told the price."""
    appointment.refresh_from_db()
    if appointment.status == Status.CONFIRMED:
        appointment_transition(appointment=appointment, to=Status.ACCEPTED, by=None)
    starting_in(appointment, 5)
    console.appointment_check_in(appointment=appointment, worker=appointment.worker)
    result = console.appointment_complete(appointment=appointment, worker=appointment.worker)
    assert not result.payment.error, result.payment.error
    announced.total += appointment.price
    announced.notes.append(f"complete {appointment.price}")


def no_show(appointment: Appointment, announced: Announced) -> None:
    """Nobody home: the fee the service page and the cancel page announce for a late change."""
    appointment.refresh_from_db()
    if appointment.status == Status.CONFIRMED:
        appointment_transition(appointment=appointment, to=Status.ACCEPTED, by=None)
    starting_in(appointment, -10)
    result = console.appointment_no_show(
        appointment=appointment, worker=appointment.worker, notes="nobody home"
    )
    assert not result.payment.error, result.payment.error
    fee = ZERO
    if appointment.payment_method == Appointment.PaymentMethod.CARD:
        fee = min(appointment.cancellation_fee, appointment.price)
    announced.total += fee
    announced.notes.append(f"no-show {fee}")


def kept_at_stripe(order) -> Decimal:
    """Captured minus refunded at localstripe over the order's PaymentIntents, in yuan.

    localstripe reports neither ``amount_received`` nor ``amount_captured`` and counts the part
    of a partial capture it released in the charge's ``amount_refunded``; so what it kept is
    ``amount - amount_refunded`` of a captured charge, 0 otherwise."""
    kept = 0
    for intent in PaymentIntentRecord.objects.filter(order=order).exclude(stripe_id=None):
        pi = sc.payment_intent_retrieve(intent.stripe_id)
        if pi["status"] == "succeeded":
            charge = sc.latest_charge(pi)
            kept += charge["amount"] - charge["amount_refunded"]
    return sc.from_minor(kept)


def recorded(appointment: Appointment) -> Decimal:
    """What the ledger records for one appointment, checked against its timeline's fees."""
    appointment.refresh_from_db()
    fees = sum((e.fee for e in appointment.events.all()), ZERO)
    assert fees == appointment.fees_due, (fees, appointment.fees_due)
    return appointment.amount_due


def order_ledger(order) -> tuple[Decimal, Decimal]:
    """(Oscar's Source debited − refunded, our intents' captured − refunded) for the order."""
    source = Source.objects.filter(order=order).first()
    oscar = source.amount_debited - source.amount_refunded if source else ZERO
    ours = sum(
        (i.amount_captured - i.amount_refunded for i in order.stripe_intents.all()),
        ZERO,
    )
    return oscar, ours


def assert_ledger_agrees(client, appointment: Appointment, announced: Announced) -> None:
    """announced = recorded = captured − refunded, for the appointment and its order, and the
    resident's appointment page shows the amount."""
    got = recorded(appointment)
    assert got == announced.total, announced.notes
    order = appointment.order
    expected = sum((a.amount_due for a in order.appointments.all()), ZERO)
    if appointment.payment_method == Appointment.PaymentMethod.CARD:
        assert order_ledger(order) == (expected, expected), announced.notes
        assert kept_at_stripe(order) == expected, announced.notes
    else:
        assert order_ledger(order) == (ZERO, ZERO)
        assert not order.stripe_intents.exists()
    if not appointment.is_active:
        page = client.get(appointment.get_absolute_url()).content.decode()
        assert f'id="appointment-amount-due">¥{got}<' in page, announced.notes
