"""Settling a finished job's card payment: capture what was earned, void the rest.

Called by the console after a completion or a no-show has committed, and by the beat task
(``payments_capture_finished``) for payments Stripe could not take meanwhile. It imports no
lifecycle or dispatch code, so the beat task can import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bookings.console.access import FINISHED
from bookings.models import Appointment
from payments.exceptions import PaymentError
from payments.models import PaymentIntentRecord
from payments.services import payment_capture, payment_for_order, payment_void

Status = Appointment.Status


@dataclass
class PaymentOutcome:
    """What happened to the card payment of a finished job."""

    intent: object = None
    captured: Decimal = Decimal("0.00")
    error: str = ""


def _amount_due(order) -> Decimal | None:
    """What the order's card should be charged now, or None while a job is still to do.

    An order can hold several appointments (basket checkout) and one authorisation: it is
    captured once, when none of them is still active: the prices of the completed jobs
    plus the fees due on the others.
    """
    rows = list(order.appointments.values_list("status", "price", "fees_due"))
    if any(s in Appointment.ACTIVE for s, _p, _f in rows):
        return None
    return sum(
        ((p if s == Status.COMPLETED else Decimal(0)) + f for s, p, f in rows), Decimal("0.00")
    )


def appointment_settle_payment(appointment: Appointment) -> PaymentOutcome:
    """Capture (or void) the card payment of a finished job's order, if it has one.

    Called with no transaction open: ``payment_capture`` claims the capture under the
    intent's row lock, calls Stripe outside it, and returns the captured intent when called
    again, so a retry never charges twice.
    """
    intent = payment_for_order(appointment.order)
    if intent is None:
        return PaymentOutcome()
    amount = _amount_due(appointment.order)
    if amount is None or intent.status != PaymentIntentRecord.Status.AUTHORISED:
        return PaymentOutcome(intent=intent, captured=intent.amount_captured)
    try:
        if amount <= 0:
            intent = payment_void(intent=intent)
        else:
            intent = payment_capture(intent=intent, amount=min(amount, intent.amount_authorised))
    except PaymentError as exc:
        return PaymentOutcome(intent=intent, error=str(exc))
    return PaymentOutcome(intent=intent, captured=intent.amount_captured)


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
        outcome = appointment_settle_payment(appointment)
        settled += bool(outcome.intent is not None and not outcome.error)
    return settled
