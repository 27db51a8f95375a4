"""What the bad-input tests count: every row a request could leave behind."""

from __future__ import annotations

from oscar.apps.order.models import Line, Order

from bookings.models import Appointment, AppointmentEvent, DispatchRound, JobOffer, TimeOff
from payments.models import PaymentIntentRecord, Refund, WebhookEvent

COUNTED = (
    Order,
    Line,
    Appointment,
    AppointmentEvent,
    PaymentIntentRecord,
    Refund,
    WebhookEvent,
    DispatchRound,
    JobOffer,
    TimeOff,
)


def row_counts() -> dict[str, int]:
    """{model name: rows} of orders, appointments, payments, webhook events, dispatch rounds,
    job offers and time off."""
    return {model.__name__: model.objects.count() for model in COUNTED}
