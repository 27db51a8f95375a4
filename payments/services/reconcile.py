"""Reconciliation: re-read from Stripe what we left pending and repair our records (hourly beat).

A Stripe call whose outcome we could not know (a timeout, a 5xx: ``stripe_client.UNKNOWN_OUTCOME``)
leaves its claim in place; an hour later this finds the PaymentIntent (by id, or by our
``linli_payment`` metadata when the create call never answered) or the refund (by our
``linli_refund`` metadata) and applies what Stripe holds.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import stripe
from django.db.models import Q
from django.utils import timezone

from payments import stripe_client as sc
from payments.exceptions import PaymentServiceUnavailable
from payments.models import PaymentIntentRecord, Refund
from payments.services.refunds import refund_succeeded
from payments.services.sync import mark_failed, payment_apply_stripe_state

logger = logging.getLogger("linli.payments")

Status = PaymentIntentRecord.Status


def payments_reconcile(*, older_than: timedelta = timedelta(hours=1)) -> dict[str, int]:
    """Re-read from Stripe every payment and refund stuck pending for ``older_than``; repair them.

    Intents still PENDING or REQUIRES_ACTION, or with a capture/void in flight, and PENDING
    refunds. An authorisation nobody completed (3-D Secure abandoned) or whose booking gave up is
    cancelled at Stripe so nothing stays held. Returns ``{"intents": n, "refunds": m}``, the
    counts repaired; one that fails is logged and left for the next run.
    """
    cutoff = timezone.now() - older_than
    counts = {"intents": 0, "refunds": 0}
    stuck = PaymentIntentRecord.objects.filter(
        Q(status__in=[Status.PENDING, Status.REQUIRES_ACTION]) | ~Q(pending_action=""),
        updated__lt=cutoff,
    )
    for intent in stuck:
        try:
            _reconcile_intent(intent)
            counts["intents"] += 1
        except (stripe.StripeError, PaymentServiceUnavailable) as exc:
            logger.warning("reconcile intent %s failed: %s", intent.pk, exc)
    for refund in Refund.objects.filter(status=Refund.Status.PENDING, updated__lt=cutoff):
        try:
            _reconcile_refund(refund)
            counts["refunds"] += 1
        except stripe.StripeError as exc:
            logger.warning("reconcile refund %s failed: %s", refund.pk, exc)
    return counts


def _reconcile_intent(intent: PaymentIntentRecord) -> None:
    pi = None
    if intent.stripe_id:
        pi = sc.payment_intent_retrieve(intent.stripe_id)
    elif hasattr(intent.user, "stripe_customer"):
        matches = [
            p
            for p in sc.payment_intent_list(customer=intent.user.stripe_customer.stripe_id)
            if (p.get("metadata") or {}).get("linli_payment") == str(intent.pk)
        ]
        pi = matches[-1] if matches else None
    if pi is None:
        mark_failed(intent.pk, "never reached Stripe")
        return
    stale_claim = intent.status in (Status.PENDING, Status.REQUIRES_ACTION)
    if stale_claim and pi["status"] in (
        "requires_action",
        "requires_confirmation",
        "requires_payment_method",
    ):
        # The resident never completed it (or the caller gave up an hour ago): release it.
        pi = sc.payment_intent_cancel(pi["id"], idempotency_key=f"linli-abandon-{pi['id']}")
    elif intent.status == Status.PENDING and pi["status"] == "requires_capture":
        # Authorised, but the booking that asked for it got an error an hour ago and released
        # its slot: hold nothing on the card for a booking that does not exist.
        pi = sc.payment_intent_cancel(pi["id"], idempotency_key=f"linli-abandon-{pi['id']}")
    intent = payment_apply_stripe_state(intent_pk=intent.pk, pi=pi)
    if intent.pending_action and pi["status"] == "requires_capture":
        # The capture/void call never landed: release the claim so it can be retried.
        PaymentIntentRecord.objects.filter(pk=intent.pk).update(
            pending_action="", pending_amount=None
        )


def _reconcile_refund(refund: Refund) -> None:
    intent = refund.intent
    found = [
        r
        for r in sc.refund_list(payment_intent=intent.stripe_id)
        if (r.get("metadata") or {}).get("linli_refund") == refund.idempotency_key
    ]
    if found and found[0].get("status") in ("succeeded", "pending"):
        refund_succeeded(refund.pk, found[0]["id"])
    else:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED
        )
