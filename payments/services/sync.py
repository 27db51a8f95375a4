"""Bring our records to Stripe's truth: the lock on an intent and the one state-applying function.

Our services (after their own Stripe call), the webhooks and the reconciliation all end in
``apply_stripe_state``: it moves a ``PaymentIntentRecord`` and the order's Oscar Source forward
to what a PaymentIntent read from Stripe says, monotonically and idempotently, so a state applied
twice or out of order changes nothing the second time. PaymentIntent statuses are Stripe's
(https://docs.stripe.com/payments/paymentintents/lifecycle).
"""

from __future__ import annotations

import logging
from decimal import Decimal

import stripe
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.policy import AUTHORISATION_VALIDITY
from payments import signals
from payments import stripe_client as sc
from payments.exceptions import PaymentServiceUnavailable
from payments.models import PaymentIntentRecord, Refund
from payments.services.records import emit_after_commit, source_for

logger = logging.getLogger("linli.payments")

Status = PaymentIntentRecord.Status
#: How long (milliseconds, PostgreSQL only) a writer waits for an intent's row lock before
#: ``django.db.OperationalError``; the webhook view answers 503 and Stripe retries.
LOCK_TIMEOUT_MS = 5000


def lock_intent(pk: int) -> PaymentIntentRecord:
    """Lock the intent with primary key ``pk`` for the rest of the current transaction.

    Every writer of an intent (our services, webhooks, reconciliation, beat) takes this lock,
    so their read-compare-write steps never interleave. On PostgreSQL the wait is bounded by
    ``LOCK_TIMEOUT_MS`` so a webhook can answer 503 and let Stripe retry rather than pile up.
    Returns the row with ``order`` and ``card`` loaded. Raises ``PaymentIntentRecord.DoesNotExist``
    and, on a lock timeout, ``django.db.OperationalError``.

    The lock is taken by a statement on the intent's table alone and the row (with its order and
    card) read by a second one, as ``bookings.appointments.locking.lock_appointment`` does. Why:
    a ``SELECT ... JOIN ... FOR UPDATE OF`` that waits behind a writer is re-checked by
    PostgreSQL against the *old* joined rows, so a writer that changed ``card`` (a scheduled
    authorisation taking the new default card) made the waiting caller miss a row that exists
    (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
    locked = (
        PaymentIntentRecord.objects.select_for_update()
        .filter(pk=pk)
        .order_by()
        .values_list("pk", flat=True)
    )
    if not list(locked):
        raise PaymentIntentRecord.DoesNotExist(f"No payment intent {pk}")
    return PaymentIntentRecord.objects.select_related("order", "card").get(pk=pk)


def apply_stripe_state(intent: PaymentIntentRecord, pi: dict, charge: dict | None) -> None:
    """Bring ``intent`` and the order's Source forward to the PaymentIntent ``pi``; save it.

    ``pi`` is a PaymentIntent as a dict (amounts in fen), ``charge`` its latest charge or None.
    Call with the intent locked (``lock_intent``). Monotonic and idempotent: a state already
    reached changes nothing, so events applied twice or out of order end in the same place.
    Each move records an Oscar Transaction and sends its signal after commit:

    - ``requires_capture`` (or ``succeeded``) → AUTHORISED: ``Authorise`` of ``pi.amount``;
    - ``succeeded`` → CAPTURED: ``Debit`` of what was captured; a partial capture releases the
      rest of the authorisation at Stripe
      (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method), so the rest is no
      longer allocated on the Source either;
    - ``canceled`` → CANCELED: ``Void`` of the authorisation (voided), or a failure if it never
      was authorised;
    - ``requires_payment_method`` after a confirmation → FAILED with Stripe's message;
    - on a captured intent, refunds made at Stripe (its dashboard) are recorded as ours.
    """
    assert intent.stripe_id in (None, pi["id"]), "PaymentIntent of another record"
    if intent.stripe_id is None:
        intent.stripe_id = pi["id"]
    if pi.get("client_secret") and not intent.client_secret:
        intent.client_secret = pi["client_secret"]
    stripe_status = pi["status"]
    authorised_amount = sc.from_minor(pi["amount"])

    if stripe_status == "requires_action" and intent.status == Status.PENDING:
        intent.status = Status.REQUIRES_ACTION

    if stripe_status in ("requires_capture", "succeeded") and intent.status in (
        Status.PENDING,
        Status.REQUIRES_ACTION,
        Status.SCHEDULED,
    ):
        source = source_for(intent)
        source.allocate(authorised_amount, reference=pi["id"], status="requires_capture")
        intent.status = Status.AUTHORISED
        intent.amount_authorised = authorised_amount
        intent.capture_before = sc.capture_before(charge) or (
            timezone.now() + AUTHORISATION_VALIDITY
        )
        intent.failure_message = ""
        emit_after_commit(signals.payment_authorised, intent)

    if stripe_status == "succeeded" and intent.status == Status.AUTHORISED:
        fallback = sc.to_minor(intent.pending_amount or authorised_amount)
        captured = sc.from_minor(sc.captured_minor(pi, charge, fallback))
        source = source_for(intent)
        source.debit(captured, reference=pi["id"], status="succeeded")
        if captured < authorised_amount:
            # The rest of the authorisation is released at Stripe: no longer ring-fenced.
            source.amount_allocated -= authorised_amount - captured
            source.save(update_fields=["amount_allocated"])
        intent.status = Status.CAPTURED
        intent.amount_captured = captured
        intent.pending_action, intent.pending_amount = "", None
        emit_after_commit(signals.payment_captured, intent)

    if stripe_status == "canceled" and intent.status in (
        Status.PENDING,
        Status.REQUIRES_ACTION,
        Status.AUTHORISED,
    ):
        was_authorised = bool(
            charge and charge.get("status") == "succeeded" and not charge.get("captured")
        )
        if intent.status != Status.AUTHORISED and was_authorised:
            # Authorised then cancelled, and we learn both at once (events out of order): record
            # the authorisation too, so the figures are those of an ordered delivery.
            source_for(intent).allocate(
                authorised_amount, reference=pi["id"], status="requires_capture"
            )
            intent.amount_authorised = authorised_amount
            intent.status = Status.AUTHORISED
        if intent.status == Status.AUTHORISED:
            source = source_for(intent)
            source.amount_allocated -= intent.amount_authorised
            source.save(update_fields=["amount_allocated"])
            source.transactions.create(
                txn_type="Void",
                amount=intent.amount_authorised,
                reference=pi["id"],
                status="canceled",
            )
            emit_after_commit(signals.payment_voided, intent)
        else:
            emit_after_commit(signals.payment_failed, intent)
        intent.status = Status.CANCELED
        intent.pending_action, intent.pending_amount = "", None

    if stripe_status == "requires_payment_method" and intent.status in (
        Status.PENDING,
        Status.REQUIRES_ACTION,
    ):
        error = pi.get("last_payment_error") or {}
        intent.status = Status.FAILED
        intent.failure_message = (error.get("message") or "")[:300]
        emit_after_commit(signals.payment_failed, intent)

    if intent.status == Status.CAPTURED:
        _apply_external_refunds(intent, pi, charge)
    intent.save()


def _apply_external_refunds(intent: PaymentIntentRecord, pi: dict, charge: dict | None) -> None:
    """Record refunds made outside Linli (Stripe dashboard) so our totals match Stripe's.

    Compares totals rather than replaying events: refunds we created (even in flight) count as
    known, so nothing is counted twice whatever the order of events.
    """
    stripe_refunded = sc.from_minor(sc.refunded_minor(charge, sc.to_minor(intent.amount_captured)))
    known = intent.refunds.exclude(status=Refund.Status.FAILED).aggregate(t=Sum("amount"))["t"]
    missing = stripe_refunded - (known or Decimal(0))
    if missing <= 0:
        return
    missing = min(missing, intent.amount_captured - intent.amount_refunded)
    if missing <= 0:
        return
    refund = Refund.objects.create(
        intent=intent,
        amount=missing,
        status=Refund.Status.SUCCEEDED,
        external=True,
        idempotency_key=f"external:{pi['id']}:{intent.refunds.count() + 1}",
        reason=str(_("Refunded at Stripe")),
    )
    source_for(intent).refund(missing, reference=pi["id"], status="external")
    intent.amount_refunded += missing
    emit_after_commit(signals.payment_refunded, intent)
    logger.info("recorded external refund %s of %s on %s", refund.pk, missing, pi["id"])


@transaction.atomic
def mark_failed(intent_pk: int, message: str) -> None:
    """Mark a pending (or 3-D Secure) intent FAILED with ``message`` (cut to 300 characters).

    Only PENDING and REQUIRES_ACTION move: an intent Stripe already moved on is left alone.
    Sends ``payment_failed`` after commit.
    """
    intent = lock_intent(intent_pk)
    if intent.status in (Status.PENDING, Status.REQUIRES_ACTION):
        intent.status = Status.FAILED
        intent.failure_message = message[:300]
        intent.save()
        emit_after_commit(signals.payment_failed, intent)


def payment_apply_stripe_state(
    *, intent_pk: int, pi: dict, charge: dict | None = None
) -> PaymentIntentRecord:
    """Apply a PaymentIntent read from Stripe to our records (webhooks, reconciliation).

    ``pi`` is the PaymentIntent as a dict (fen); ``charge`` its latest charge, fetched from
    Stripe when not given. Returns the updated intent. Raises ``django.db.OperationalError`` on
    a lock timeout and ``stripe.StripeError`` if the charge cannot be fetched.
    """
    if charge is None:
        # Before the lock: never hold a row lock across a network call.
        charge = sc.latest_charge(pi)
    with transaction.atomic():
        intent = lock_intent(intent_pk)
        apply_stripe_state(intent, pi, charge)
    return intent


def payment_sync(*, intent: PaymentIntentRecord) -> PaymentIntentRecord:
    """Re-read the intent's PaymentIntent from Stripe and repair our records to match.

    An intent that never reached Stripe (no ``stripe_id``) is returned unchanged. Used after
    3-D Secure in the browser and by staff. Raises ``PaymentServiceUnavailable`` when Stripe
    cannot be read.
    """
    if not intent.stripe_id:
        return intent
    try:
        pi = sc.payment_intent_retrieve(intent.stripe_id)
        charge = sc.latest_charge(pi)
    except stripe.StripeError as exc:
        raise PaymentServiceUnavailable() from exc
    return payment_apply_stripe_state(intent_pk=intent.pk, pi=pi, charge=charge)
