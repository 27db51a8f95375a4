"""Our record of an order's card payment and its mirror in Oscar's payment models.

Every money move is written twice: on our ``PaymentIntentRecord`` (Stripe ids, our keys, the
PaymentIntent's state) and in Oscar's ``payment.Source`` of the order (one per order, type
"Stripe card") with a ``payment.Transaction`` per move (Authorise, Debit, Refund, Void), so the
order page and Oscar's dashboard tell the truth. Amounts here are yuan ``Decimal``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.dispatch import Signal
from oscar.apps.order.models import Order
from oscar.apps.payment.models import Source, SourceType

from payments.models import PaymentIntentRecord

SOURCE_TYPE_CODE = "stripe-card"
SOURCE_TYPE_NAME = "Stripe card"


def payment_for_order(order: Order) -> PaymentIntentRecord | None:
    """The order's live card payment, else its latest one, else None.

    "Live" is one of ``PaymentIntentRecord.ACTIVE`` (scheduled, pending, requires action,
    authorised, captured); the database allows at most one per order.
    """
    # One query: the live one first, then newest first (the model's ordering).
    live_first = Case(
        When(status__in=PaymentIntentRecord.ACTIVE, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        PaymentIntentRecord.objects.filter(order_id=order.pk)
        .order_by(live_first, *PaymentIntentRecord._meta.ordering)
        .first()
    )


def source_for(intent: PaymentIntentRecord) -> Source:
    """Oscar's payment ``Source`` of the intent's order, created on first use, row-locked.

    Call inside the transaction that holds the intent's lock (``sync.lock_intent``): the Source's
    running totals (``amount_allocated``, ``amount_debited``, ``amount_refunded``, yuan) are
    read-modify-written by the caller. Its ``reference`` follows the PaymentIntent id.
    """
    source_type, _created = SourceType.objects.get_or_create(
        code=SOURCE_TYPE_CODE, defaults={"name": SOURCE_TYPE_NAME}
    )
    source = (
        Source.objects.select_for_update()
        .filter(order_id=intent.order_id, source_type=source_type)
        .first()
    )
    if source is None:
        source = Source.objects.create(
            order_id=intent.order_id,
            source_type=source_type,
            currency=intent.currency,
            reference=intent.stripe_id or "",
            label=str(intent.card or "")[:128],
        )
    elif intent.stripe_id and source.reference != intent.stripe_id:
        source.reference = intent.stripe_id
        source.save(update_fields=["reference"])
    return source


def emit_after_commit(signal: Signal, intent: PaymentIntentRecord) -> None:
    """Send one of ``payments.signals`` with ``intent=intent`` once the transaction commits.

    Receivers (bookings) hear only of moves that were really recorded: a rolled-back transaction
    sends nothing.
    """
    transaction.on_commit(lambda: signal.send(sender=PaymentIntentRecord, intent=intent))
