"""Settling an order's card payment: capture what is due, release the rest, once.

An order holds one card authorisation for all its appointments (one for one click, several for a
basket checkout). It is settled once, when none of them is still active: captured for what is
due (the price of each completed appointment plus each one's ``fees_due``, the late-cancellation
or no-show fee), the rest of the authorisation released by Stripe, or voided when nothing is due.
Settling earlier would release money a later appointment of the order still needs.

Called after a completion or a no-show (console) and after a cancellation (resident, staff) has
committed, and by the beat task (``payments_capture_finished``) for payments Stripe could not
take meanwhile. It imports no lifecycle or dispatch code, so the beat task can import it without
a cycle. Amounts are yuan ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bookings.models import Appointment
from payments.exceptions import PaymentError
from payments.models import PaymentIntentRecord
from payments.services import (
    payment_authorise,
    payment_capture,
    payment_for_order,
    payment_void,
)

Status = Appointment.Status
IntentStatus = PaymentIntentRecord.Status
#: A card payment that holds nothing at Stripe: its authorisation is still to come, or failed.
NOTHING_HELD = (IntentStatus.SCHEDULED, IntentStatus.FAILED)
#: The statuses that end an appointment (done or not) and leave its order to settle.
FINISHED = (Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED)


@dataclass
class PaymentOutcome:
    """What happened to the card payment of a finished job."""

    intent: object = None
    captured: Decimal = Decimal("0.00")
    error: str = ""


def order_amount_due(order) -> Decimal | None:
    """What the order's card should be charged now (yuan), or None while a job is still to do:
    the sum of ``Appointment.amount_due`` (price once completed, plus ``fees_due``)."""
    rows = list(order.appointments.all())
    if any(a.status in Appointment.ACTIVE for a in rows):
        return None
    return sum((a.amount_due for a in rows), Decimal("0.00"))


def order_settle_payment(order) -> PaymentOutcome:
    """Capture (or void) the order's card payment if every appointment of it is finished.

    Called with no transaction open: ``payment_capture`` claims the capture under the intent's
    row lock, calls Stripe outside it, and returns the captured intent when called again, so a
    retry never charges twice. When nothing is held on the card (the authorisation is still
    scheduled for a far date, or it failed) the schedule is cancelled and what is due, if
    anything, is authorised and captured at once (``_charge_now``). A captured payment is left
    alone. Errors are returned in ``PaymentOutcome.error``, never raised.
    """
    intent = payment_for_order(order)
    if intent is None:
        return PaymentOutcome()
    amount = order_amount_due(order)
    if amount is None or intent.status not in (IntentStatus.AUTHORISED, *NOTHING_HELD):
        return PaymentOutcome(intent=intent, captured=intent.amount_captured)
    try:
        if intent.status in NOTHING_HELD:
            intent = _charge_now(intent, amount)
        elif amount <= 0:
            intent = payment_void(intent=intent)
        else:
            intent = payment_capture(intent=intent, amount=min(amount, intent.amount_authorised))
    except PaymentError as exc:
        return PaymentOutcome(intent=intent, error=str(exc))
    return PaymentOutcome(intent=intent, captured=intent.amount_captured)


def _charge_now(intent: PaymentIntentRecord, amount: Decimal) -> PaymentIntentRecord:
    """Nothing is held on the card: cancel the schedule, then authorise ``amount`` (yuan, if
    more than 0) off-session on the resident's card and capture it, under a key of its own."""
    if intent.status == IntentStatus.SCHEDULED:
        intent = payment_void(intent=intent)
    if amount <= 0:
        return intent
    due = payment_authorise(
        order=intent.order,
        user=intent.user,
        amount=amount,
        idempotency_key=f"{intent.idempotency_key}:due"[:128],
    )
    return payment_capture(intent=due, amount=amount)


def appointment_settle_payment(appointment: Appointment) -> PaymentOutcome:
    """Settle the card payment of ``appointment``'s order (``order_settle_payment``)."""
    return order_settle_payment(appointment.order)


def payments_capture_finished(*, limit: int = 100) -> int:
    """Capture what completion could not (Stripe was down meanwhile): for a beat task.

    Settles at most ``limit`` orders whose card is still only authorised although their jobs
    are finished. Returns how many orders' payments were settled."""
    order_ids = list(
        PaymentIntentRecord.objects.filter(
            status=PaymentIntentRecord.Status.AUTHORISED,
            pending_action="",
            order__appointments__status__in=FINISHED,
        )
        .values_list("order_id", flat=True)
        .distinct()[:limit]
    )
    settled = 0
    for order_id in order_ids:
        appointment = Appointment.objects.filter(order_id=order_id).order_by("pk").first()
        if order_amount_due(appointment.order) is None:
            continue
        outcome = appointment_settle_payment(appointment)
        settled += bool(outcome.intent is not None and not outcome.error)
    return settled
