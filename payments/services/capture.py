"""Capture and void an authorised PaymentIntent.

Capture takes all or part of the held amount when the job is done; capturing less releases the
rest of the authorisation (``amount_to_capture``,
https://docs.stripe.com/payments/place-a-hold-on-a-payment-method). Void cancels the
PaymentIntent so nothing is charged and the hold is released
(https://docs.stripe.com/api/payment_intents/cancel); Oscar records it as a "Void" Transaction.
A cancelled appointment settles with one of the two (``payment_settle_cancellation``).

Each move is claimed first (``pending_action`` under the intent's lock), so a double click or a
retried task never sends it to Stripe twice. Amounts are yuan ``Decimal``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

import stripe
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from payments import signals
from payments import stripe_client as sc
from payments.exceptions import (
    InvalidPaymentOperation,
    PaymentInProgress,
    PaymentServiceUnavailable,
)
from payments.models import PaymentIntentRecord
from payments.services.records import emit_after_commit
from payments.services.sync import lock_intent, payment_apply_stripe_state

logger = logging.getLogger("linli.payments")

Status = PaymentIntentRecord.Status


def _claim_action(
    intent_pk: int, action: str, amount: Decimal | None
) -> tuple[PaymentIntentRecord, bool]:
    """Claim ``action`` ("capture" or "void"): (intent, True) if we must call Stripe."""
    with transaction.atomic():
        intent = lock_intent(intent_pk)
        done = Status.CAPTURED if action == "capture" else Status.CANCELED
        if intent.status == done:
            return intent, False  # already done: calling again changes nothing
        if intent.pending_action:
            raise PaymentInProgress()
        if action == "void" and intent.status in (Status.SCHEDULED, Status.FAILED):
            # Never authorised at Stripe: cancelling is ours alone.
            intent.status = Status.CANCELED
            intent.save()
            emit_after_commit(signals.payment_voided, intent)
            return intent, False
        allowed = (
            (Status.AUTHORISED,)
            if action == "capture"
            else (Status.AUTHORISED, Status.REQUIRES_ACTION)
        )
        if intent.status not in allowed:
            raise InvalidPaymentOperation(
                _("A payment that is “%(status)s” cannot be changed this way.")
                % {"status": intent.get_status_display()}
            )
        if action == "capture":
            amount = intent.amount_authorised if amount is None else Decimal(amount)
            if not (Decimal(0) < amount <= intent.amount_authorised):
                raise InvalidPaymentOperation(
                    _("The amount to capture must be more than ¥0 and at most ¥%(max)s.")
                    % {"max": intent.amount_authorised}
                )
        intent.pending_action, intent.pending_amount = action, amount
        intent.save()
        return intent, True


def _finish_action(intent: PaymentIntentRecord, call: Callable[[], dict]) -> PaymentIntentRecord:
    """Make the claimed Stripe ``call`` (no lock held) and apply the PaymentIntent it returns."""
    try:
        pi = call()
    except sc.UNKNOWN_OUTCOME as exc:
        logger.warning(
            "%s of intent %s: outcome unknown: %s", intent.pending_action, intent.pk, exc
        )
        raise PaymentServiceUnavailable() from exc
    except stripe.StripeError as exc:
        # Stripe refused: release the claim so that the move can be tried again.
        PaymentIntentRecord.objects.filter(pk=intent.pk).update(
            pending_action="", pending_amount=None
        )
        raise InvalidPaymentOperation(_("The payment service refused this operation.")) from exc
    return payment_apply_stripe_state(intent_pk=intent.pk, pi=pi)


def payment_capture(
    *, intent: PaymentIntentRecord, amount: Decimal | None = None
) -> PaymentIntentRecord:
    """Capture the authorisation: all of it, or ``amount`` (yuan) of it, the rest released.

    Stripe allows one capture per PaymentIntent; what is not captured is released to the card.
    Returns the intent (CAPTURED). Capturing a captured intent again returns it unchanged.
    Raises ``InvalidPaymentOperation`` (not authorised, amount not in (0, authorised], or
    refused by Stripe: the claim is released), ``PaymentInProgress`` (another capture or void
    is in flight), ``PaymentServiceUnavailable`` (outcome unknown: the reconciliation settles
    it).
    """
    intent, must_call = _claim_action(intent.pk, "capture", amount)
    if not must_call:
        return intent
    return _finish_action(
        intent,
        lambda: sc.payment_intent_capture(
            intent.stripe_id,
            amount=intent.pending_amount,
            idempotency_key=f"linli-capture-{intent.idempotency_key}",
        ),
    )


def payment_void(*, intent: PaymentIntentRecord) -> PaymentIntentRecord:
    """Void the authorisation: cancel the PaymentIntent, nothing charged, the hold released.

    A scheduled or failed intent never reached Stripe (or holds nothing there) and is cancelled
    on our side alone. Returns the intent (CANCELED, shown as "Voided"); voiding again returns it
    unchanged. Raises ``InvalidPaymentOperation`` (captured already, or refused by Stripe),
    ``PaymentInProgress``, ``PaymentServiceUnavailable`` as ``payment_capture`` does.
    """
    intent, must_call = _claim_action(intent.pk, "void", None)
    if not must_call:
        return intent
    return _finish_action(
        intent,
        lambda: sc.payment_intent_cancel(
            intent.stripe_id,
            idempotency_key=f"linli-void-{intent.idempotency_key}",
        ),
    )


def payment_settle_cancellation(
    *, intent: PaymentIntentRecord, fee: Decimal
) -> PaymentIntentRecord:
    """Settle a cancelled appointment's payment: void when ``fee`` (yuan) is 0, else capture it.

    The fee is capped at the authorised amount; a partial capture releases the rest. Raises what
    ``payment_capture`` or ``payment_void`` raise.
    """
    fee = Decimal(fee or 0)
    if fee > 0 and intent.status == Status.AUTHORISED:
        return payment_capture(intent=intent, amount=min(fee, intent.amount_authorised))
    return payment_void(intent=intent)
