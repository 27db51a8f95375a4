"""What the payment signals tell the resident: a refund made, a card payment that failed.

Connected when ``bookings.apps`` starts (imported in ``ready``). The signals come after commit
(``payments.signals``), possibly more than once (a webhook and our own call): each notice has
a key, so a repeat tells nothing.
"""

from __future__ import annotations

from django.dispatch import receiver

from bookings.models import Appointment, Notice
from bookings.notify.events import notify
from payments import signals

Kind = Notice.Kind


def _appointments(intent):
    return Appointment.objects.filter(order_id=intent.order_id).select_related("resident")


@receiver(signals.payment_refunded, dispatch_uid="bookings-notify-refunded")
def refund_made(sender, intent, **kwargs):
    """One notice per succeeded refund, to the order's resident."""
    appointment = _appointments(intent).first()
    if appointment is None:
        return
    for refund in intent.refunds.filter(status="succeeded"):
        notify(
            user=appointment.resident,
            kind=Kind.REFUNDED,
            appointment=appointment,
            key=f"refunded:{refund.pk}",
            context={"amount": str(refund.amount)},
        )


@receiver(signals.payment_failed, dispatch_uid="bookings-notify-payment-failed")
def payment_failed(sender, intent, **kwargs):
    """The resident is told what to do, once per payment and appointment."""
    for appointment in _appointments(intent):
        notify(
            user=appointment.resident,
            kind=Kind.PAYMENT_FAILED,
            appointment=appointment,
            key=f"payment_failed:{intent.pk}:{appointment.pk}",
        )
