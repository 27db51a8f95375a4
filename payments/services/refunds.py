"""Refunds of a captured payment (staff, the admin action, cancellation policy).

The Refund row and its UNIQUE key exist before Stripe is called, so a double click or a retry
never refunds twice; the call carries an Idempotency-Key too
(https://docs.stripe.com/api/idempotent_requests). Refunds are of captured money only: an
authorisation that was never captured is voided instead (``payment_void``,
https://docs.stripe.com/refunds). Amounts are yuan ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal

import stripe
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from payments import signals
from payments import stripe_client as sc
from payments.exceptions import InvalidPaymentOperation, PaymentServiceUnavailable
from payments.models import PaymentIntentRecord, Refund
from payments.services.records import emit_after_commit, source_for
from payments.services.sync import lock_intent

Status = PaymentIntentRecord.Status


def payment_refund(
    *,
    intent: PaymentIntentRecord,
    amount: Decimal | None = None,
    reason: str = "",
    idempotency_key: str,
    created_by=None,
) -> Refund:
    """Refund ``amount`` (yuan; default: everything not yet refunded) of a captured payment.

    ``reason`` is kept (200 characters); ``created_by`` is the staff user, if any. Returns the
    Refund (SUCCEEDED); the same ``idempotency_key`` returns the same Refund without calling
    Stripe. Raises ``InvalidPaymentOperation`` (not captured, amount not in (0, refundable],
    the key belongs to another payment, or Stripe refused: the Refund is marked FAILED) and
    ``PaymentServiceUnavailable`` (outcome unknown: the Refund stays PENDING and the
    reconciliation settles it).
    """
    with transaction.atomic():
        intent = lock_intent(intent.pk)
        existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.intent_id != intent.pk:
                raise InvalidPaymentOperation(_("This refund belongs to another payment."))
            return existing
        if intent.status != Status.CAPTURED:
            raise InvalidPaymentOperation(_("Only a captured payment can be refunded."))
        in_flight = intent.refunds.filter(status=Refund.Status.PENDING).aggregate(t=Sum("amount"))[
            "t"
        ] or Decimal(0)
        refundable = intent.amount_captured - intent.amount_refunded - in_flight
        amount = refundable if amount is None else Decimal(amount)
        if not (Decimal(0) < amount <= refundable):
            raise InvalidPaymentOperation(
                _("The refund must be more than ¥0 and at most ¥%(max)s.") % {"max": refundable}
            )
        refund = Refund.objects.create(
            intent=intent,
            amount=amount,
            reason=reason[:200],
            idempotency_key=idempotency_key,
            created_by=created_by,
        )
    try:
        stripe_refund = sc.refund_create(
            payment_intent=intent.stripe_id,
            amount=amount,
            metadata={"linli_refund": idempotency_key},
            idempotency_key=f"linli-refund-{idempotency_key}",
        )
    except sc.UNKNOWN_OUTCOME as exc:
        raise PaymentServiceUnavailable() from exc
    except stripe.StripeError as exc:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED
        )
        raise InvalidPaymentOperation(_("The payment service refused this refund.")) from exc
    return refund_succeeded(refund.pk, stripe_refund["id"])


@transaction.atomic
def refund_succeeded(refund_pk: int, stripe_id: str) -> Refund:
    """Record that Stripe made the PENDING refund ``refund_pk`` (Stripe refund id ``stripe_id``).

    Adds it to the intent's ``amount_refunded`` and to Oscar's Source (a "Refund" Transaction)
    and sends ``payment_refunded`` after commit. A refund no longer PENDING is returned as it is.
    """
    refund = Refund.objects.get(pk=refund_pk)
    intent = lock_intent(refund.intent_id)
    refund.refresh_from_db()
    if refund.status != Refund.Status.PENDING:
        return refund
    refund.status, refund.stripe_id = Refund.Status.SUCCEEDED, stripe_id
    refund.save()
    source_for(intent).refund(refund.amount, reference=stripe_id, status="succeeded")
    intent.amount_refunded += refund.amount
    intent.save()
    emit_after_commit(signals.payment_refunded, intent)
    return refund
