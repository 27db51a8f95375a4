"""Card payments: authorise at booking, capture on completion, void, refund.

The pattern of every money move:

1. a short transaction claims the move in our database (a row under a UNIQUE idempotency key,
   or a ``pending_action`` set under the intent's row lock), so a double click or a retried task
   finds it claimed and never calls Stripe a second time;
2. the Stripe call, outside any transaction (never hold a lock across the network), with an
   Idempotency-Key header for real Stripe as well;
3. a short transaction applies Stripe's answer through ``_apply_stripe_state``, the same
   monotonic, idempotent function the webhooks and the reconciliation use.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import stripe
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.models import Order
from oscar.apps.payment.models import Source, SourceType

from marketplace.policy import AUTHORISE_BEFORE_START, AUTHORISE_NOW_HORIZON  # noqa: E402
from payments import signals
from payments import stripe_client as sc
from payments.cards import default_card
from payments.exceptions import (
    CardDeclined,
    InvalidPaymentOperation,
    NoSavedCard,
    PaymentInProgress,
    PaymentServiceUnavailable,
)
from payments.models import PaymentIntentRecord, Refund, SavedCard

logger = logging.getLogger("linli.payments")

Status = PaymentIntentRecord.Status
SOURCE_TYPE_CODE = "stripe-card"
SOURCE_TYPE_NAME = "Stripe card"
LOCK_TIMEOUT_MS = 5000
# Errors after which we cannot know whether Stripe acted: leave the claim for reconciliation.
UNKNOWN_OUTCOME = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


# --- locking helpers --------------------------------------------------------------------------


def _lock_intent(pk: int) -> PaymentIntentRecord:
    """Lock one intent row for the rest of the current transaction.

    Every writer of an intent (our services, webhooks, reconciliation, beat) takes this lock,
    so their read-compare-write steps never interleave. On PostgreSQL the wait is bounded so a
    webhook can answer 503 and let Stripe retry rather than pile up.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
    return (
        PaymentIntentRecord.objects.select_for_update(of=("self",))
        .select_related("order", "card")
        .get(pk=pk)
    )


def _source_for(intent: PaymentIntentRecord) -> Source:
    """Oscar's payment Source of the order (one per order), locked with the intent."""
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


def _emit(signal, intent: PaymentIntentRecord) -> None:
    transaction.on_commit(lambda: signal.send(sender=PaymentIntentRecord, intent=intent))


# --- the one function that moves our records to Stripe's truth ------------------------------


def _apply_stripe_state(intent: PaymentIntentRecord, pi: dict, charge: dict | None) -> None:
    """Bring ``intent`` and the order's Source forward to the PaymentIntent ``pi``.

    Call with the intent locked (``_lock_intent``). Monotonic and idempotent: a state already
    reached changes nothing, so events applied twice or out of order end in the same place.
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
        source = _source_for(intent)
        source.allocate(authorised_amount, reference=pi["id"], status="requires_capture")
        intent.status = Status.AUTHORISED
        intent.amount_authorised = authorised_amount
        intent.failure_message = ""
        _emit(signals.payment_authorised, intent)

    if stripe_status == "succeeded" and intent.status == Status.AUTHORISED:
        fallback = sc.to_minor(intent.pending_amount or authorised_amount)
        captured = sc.from_minor(sc.captured_minor(pi, charge, fallback))
        source = _source_for(intent)
        source.debit(captured, reference=pi["id"], status="succeeded")
        if captured < authorised_amount:
            # The rest of the authorisation is released at Stripe: no longer ring-fenced.
            source.amount_allocated -= authorised_amount - captured
            source.save(update_fields=["amount_allocated"])
        intent.status = Status.CAPTURED
        intent.amount_captured = captured
        intent.pending_action, intent.pending_amount = "", None
        _emit(signals.payment_captured, intent)

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
            _source_for(intent).allocate(
                authorised_amount, reference=pi["id"], status="requires_capture"
            )
            intent.amount_authorised = authorised_amount
            intent.status = Status.AUTHORISED
        if intent.status == Status.AUTHORISED:
            source = _source_for(intent)
            source.amount_allocated -= intent.amount_authorised
            source.save(update_fields=["amount_allocated"])
            source.transactions.create(
                txn_type="Void",
                amount=intent.amount_authorised,
                reference=pi["id"],
                status="canceled",
            )
            _emit(signals.payment_voided, intent)
        else:
            _emit(signals.payment_failed, intent)
        intent.status = Status.CANCELED
        intent.pending_action, intent.pending_amount = "", None

    if stripe_status == "requires_payment_method" and intent.status in (
        Status.PENDING,
        Status.REQUIRES_ACTION,
    ):
        error = pi.get("last_payment_error") or {}
        intent.status = Status.FAILED
        intent.failure_message = (error.get("message") or "")[:300]
        _emit(signals.payment_failed, intent)

    if intent.status == Status.CAPTURED:
        _apply_refunds(intent, pi, charge)
    intent.save()


def _apply_refunds(intent: PaymentIntentRecord, pi: dict, charge: dict | None) -> None:
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
    _source_for(intent).refund(missing, reference=pi["id"], status="external")
    intent.amount_refunded += missing
    _emit(signals.payment_refunded, intent)
    logger.info("recorded external refund %s of %s on %s", refund.pk, missing, pi["id"])


@transaction.atomic
def payment_apply_stripe_state(
    *, intent_pk: int, pi: dict, charge: dict | None = None
) -> PaymentIntentRecord:
    """Apply a PaymentIntent read from Stripe to our records (webhooks, reconciliation)."""
    intent = _lock_intent(intent_pk)
    _apply_stripe_state(intent, pi, charge if charge is not None else sc.latest_charge(pi))
    return intent


def payment_sync(*, intent: PaymentIntentRecord) -> PaymentIntentRecord:
    """Re-read the PaymentIntent from Stripe and repair our records to match."""
    if not intent.stripe_id:
        return intent
    try:
        pi = sc.payment_intent_retrieve(intent.stripe_id)
        charge = sc.latest_charge(pi)
    except stripe.StripeError as exc:
        raise PaymentServiceUnavailable() from exc
    return payment_apply_stripe_state(intent_pk=intent.pk, pi=pi, charge=charge)


# --- authorise --------------------------------------------------------------------------------


def _claim_intent(
    *,
    order: Order,
    user,
    amount: Decimal,
    idempotency_key: str,
    card: SavedCard,
    authorise_at: datetime | None = None,
) -> tuple[PaymentIntentRecord, bool]:
    """Claim the right to call Stripe for this key: (intent, True) if we must call it."""
    with transaction.atomic():
        # Lock the order: two requests for it (same or different keys) are decided in turn.
        # NO KEY UPDATE, so that foreign-key checks of rows pointing at the order (Oscar's
        # Source, written while another intent is applied) are not blocked: no deadlock.
        list(Order.objects.select_for_update(no_key=True).filter(pk=order.pk).values("pk"))
        existing = (
            PaymentIntentRecord.objects.select_for_update()
            .filter(idempotency_key=idempotency_key)
            .first()
        )
        if existing is not None:
            if existing.order_id != order.pk:
                raise InvalidPaymentOperation(_("This payment belongs to another order."))
            if existing.status == Status.PENDING:
                raise PaymentInProgress()
            if existing.status == Status.FAILED and authorise_at is None:
                # Tried again (a new card, or the same click after a decline): a new attempt.
                try:
                    with transaction.atomic():
                        existing.status, existing.card = Status.PENDING, card
                        existing.attempts = F("attempts") + 1
                        existing.failure_message = ""
                        existing.save()
                except IntegrityError as exc:
                    raise PaymentInProgress() from exc
                existing.refresh_from_db()
                return existing, True
            return existing, False
        try:
            # The UNIQUE key and the one-live-payment-per-order index are the real guards;
            # the savepoint turns a lost race into PaymentInProgress.
            with transaction.atomic():
                intent = PaymentIntentRecord.objects.create(
                    order=order,
                    user=user,
                    card=card,
                    amount=amount,
                    currency=order.currency or "CNY",
                    idempotency_key=idempotency_key,
                    attempts=0 if authorise_at else 1,
                    status=Status.SCHEDULED if authorise_at else Status.PENDING,
                    authorise_at=authorise_at,
                )
        except IntegrityError as exc:
            raise PaymentInProgress() from exc
        return intent, True


def _declined_intent_id(exc: stripe.CardError) -> str | None:
    """The PaymentIntent a declined confirmation left at Stripe (to cancel it)."""
    error = getattr(exc, "error", None)
    pi = getattr(error, "payment_intent", None) if error else None
    if pi:
        return pi if isinstance(pi, str) else pi.get("id")
    charge_id = getattr(error, "charge", None) if error else None
    if charge_id:  # localstripe names the charge only
        try:
            return sc.charge_retrieve(charge_id).get("payment_intent")
        except stripe.StripeError:
            return None
    return None


def _authorise_claimed(intent: PaymentIntentRecord) -> PaymentIntentRecord:
    """Create and confirm the off-session, manual-capture PaymentIntent of a claimed intent."""
    card = intent.card
    customer = getattr(intent.user, "stripe_customer", None)
    try:
        pi = sc.payment_intent_create_off_session(
            amount=intent.amount,
            currency=intent.currency,
            customer=customer.stripe_id,
            payment_method=card.stripe_payment_method_id,
            metadata={"linli_payment": str(intent.pk), "order": intent.order.number},
            idempotency_key=f"linli-pi-{intent.idempotency_key}-{intent.attempts}",
        )
    except stripe.CardError as exc:
        pi_id = _declined_intent_id(exc)
        if pi_id:
            # Leave nothing behind at Stripe either: the failed PaymentIntent is cancelled.
            try:
                sc.payment_intent_cancel(pi_id, idempotency_key=f"linli-cancel-{pi_id}")
            except stripe.StripeError:
                logger.warning("could not cancel declined PaymentIntent %s", pi_id)
        _mark_failed(intent.pk, str(getattr(exc, "user_message", "") or exc))
        raise CardDeclined() from exc
    except UNKNOWN_OUTCOME as exc:
        # Stripe may or may not have acted: the intent stays pending and
        # ``payments_reconcile`` looks it up by metadata within the hour.
        logger.warning("authorise of intent %s: outcome unknown: %s", intent.pk, exc)
        raise PaymentServiceUnavailable() from exc
    except stripe.StripeError as exc:
        _mark_failed(intent.pk, str(exc))
        raise PaymentServiceUnavailable() from exc
    intent = payment_apply_stripe_state(intent_pk=intent.pk, pi=pi)
    if intent.status == Status.FAILED:
        raise CardDeclined()
    return intent


@transaction.atomic
def _mark_failed(intent_pk: int, message: str) -> None:
    intent = _lock_intent(intent_pk)
    if intent.status in (Status.PENDING, Status.REQUIRES_ACTION):
        intent.status = Status.FAILED
        intent.failure_message = message[:300]
        intent.save()
        _emit(signals.payment_failed, intent)


def _card_for(user, card: SavedCard | None) -> SavedCard:
    card = card or default_card(user)
    if card is None or card.user_id != user.pk:
        raise NoSavedCard()
    return card


def payment_authorise(
    *, order: Order, user, amount: Decimal, idempotency_key: str, card: SavedCard | None = None
) -> PaymentIntentRecord:
    """Authorise ``amount`` on the user's default (or given) card, off-session, for ``order``.

    Returns the intent: ``AUTHORISED``, or ``REQUIRES_ACTION`` (send the browser to
    ``intent_action_url(intent)`` to complete 3-D Secure). Raises ``CardDeclined`` (nothing
    charged, nothing held), ``NoSavedCard``, ``PaymentInProgress`` (the same key or another live
    payment for the order is being taken: do not undo anything), ``PaymentServiceUnavailable``.
    Calling it again with the same key returns the same intent without calling Stripe.
    """
    card = _card_for(user, card)
    intent, must_call = _claim_intent(
        order=order, user=user, amount=Decimal(amount), idempotency_key=idempotency_key, card=card
    )
    if not must_call:
        return intent
    return _authorise_claimed(intent)


def payment_schedule(
    *, order: Order, user, amount: Decimal, idempotency_key: str, authorise_at: datetime
) -> PaymentIntentRecord:
    """Book with the card saved but not authorised; beat authorises it at ``authorise_at``."""
    card = _card_for(user, None)
    intent, _must_call = _claim_intent(
        order=order,
        user=user,
        amount=Decimal(amount),
        idempotency_key=idempotency_key,
        card=card,
        authorise_at=authorise_at,
    )
    return intent


def authorisation_time(starts_at: datetime, *, now: datetime | None = None) -> datetime | None:
    """When to authorise for an appointment at ``starts_at``: None = now, else 48 h before."""
    now = now or timezone.now()
    if starts_at - now > AUTHORISE_NOW_HORIZON:
        return starts_at - AUTHORISE_BEFORE_START
    return None


def payment_authorise_or_schedule(
    *, order: Order, user, amount: Decimal, idempotency_key: str, starts_at: datetime
) -> PaymentIntentRecord:
    """One click: authorise now, or schedule the authorisation when the start is > 5 days away."""
    when = authorisation_time(starts_at)
    if when is None:
        return payment_authorise(
            order=order, user=user, amount=amount, idempotency_key=idempotency_key
        )
    return payment_schedule(
        order=order, user=user, amount=amount, idempotency_key=idempotency_key, authorise_at=when
    )


def payment_authorise_scheduled(*, intent: PaymentIntentRecord) -> PaymentIntentRecord:
    """Authorise a scheduled intent off-session with the user's current default card."""
    card = default_card(intent.user)
    # Claim: only one beat run (or worker) moves it from SCHEDULED to PENDING.
    claimed = PaymentIntentRecord.objects.filter(pk=intent.pk, status=Status.SCHEDULED).update(
        status=Status.PENDING,
        attempts=F("attempts") + 1,
        card=card,
        updated=timezone.now(),
    )
    intent.refresh_from_db()
    if not claimed:
        return intent
    if card is None:
        _mark_failed(intent.pk, str(_("No saved card.")))
        _notify_authorisation_failed(intent)
        intent.refresh_from_db()
        return intent
    try:
        return _authorise_claimed(intent)
    except CardDeclined:
        _notify_authorisation_failed(intent)
        intent.refresh_from_db()
        return intent


def authorise_due_payments(*, now: datetime | None = None, limit: int = 100) -> int:
    """Authorise every scheduled intent whose time has come (the beat task calls this)."""
    now = now or timezone.now()
    due = list(
        PaymentIntentRecord.objects.filter(status=Status.SCHEDULED, authorise_at__lte=now)
        .order_by("authorise_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in due:
        intent = PaymentIntentRecord.objects.get(pk=pk)
        try:
            payment_authorise_scheduled(intent=intent)
            done += 1
        except PaymentServiceUnavailable:
            logger.warning("scheduled authorisation %s: Stripe unavailable", pk)
    return done


def _notify_authorisation_failed(intent: PaymentIntentRecord) -> None:
    """Tell the resident (email, in their language) that the card must be updated."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation

    user = intent.user
    if not user.email:
        return
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        subject = str(_("Linli: please update your card"))
        body = str(
            _(
                "We could not authorise ¥%(amount)s on your card for order %(order)s. "
                "Please add or choose another card in your account (%(url)s); "
                "we will try again automatically."
            )
            % {
                "amount": intent.amount,
                "order": intent.order.number,
                "url": f"{settings.SITE_URL}/shop/accounts/cards/",
            }
        )
    send_mail(subject, body, None, [user.email], fail_silently=True)


# --- capture and void ------------------------------------------------------------------------


def _claim_action(
    intent_pk: int, action: str, amount: Decimal | None
) -> tuple[PaymentIntentRecord, bool]:
    with transaction.atomic():
        intent = _lock_intent(intent_pk)
        done = Status.CAPTURED if action == "capture" else Status.CANCELED
        if intent.status == done:
            return intent, False  # already done: calling again changes nothing
        if intent.pending_action:
            raise PaymentInProgress()
        if action == "void" and intent.status in (Status.SCHEDULED, Status.FAILED):
            # Never authorised at Stripe: cancelling is ours alone.
            intent.status = Status.CANCELED
            intent.save()
            _emit(signals.payment_voided, intent)
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


def _finish_action(intent: PaymentIntentRecord, call) -> PaymentIntentRecord:
    try:
        pi = call()
    except UNKNOWN_OUTCOME as exc:
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
    """Capture the authorisation (all of it, or ``amount`` of it: the rest is released)."""
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
    """Cancel the authorisation: nothing is charged, the hold on the card is released."""
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
    """A cancelled appointment: void when free, else capture only the fee."""
    fee = Decimal(fee or 0)
    if fee > 0 and intent.status == Status.AUTHORISED:
        return payment_capture(intent=intent, amount=min(fee, intent.amount_authorised))
    return payment_void(intent=intent)


def payment_for_order(order: Order) -> PaymentIntentRecord | None:
    """The order's live card payment (or its latest one)."""
    live = order.stripe_intents.filter(status__in=PaymentIntentRecord.ACTIVE).first()
    return live or order.stripe_intents.first()


# --- refunds ----------------------------------------------------------------------------------


def payment_refund(
    *,
    intent: PaymentIntentRecord,
    amount: Decimal | None = None,
    reason: str = "",
    idempotency_key: str,
    created_by=None,
) -> Refund:
    """Refund ``amount`` (default: everything not yet refunded) of a captured payment."""
    with transaction.atomic():
        intent = _lock_intent(intent.pk)
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
    except UNKNOWN_OUTCOME as exc:
        raise PaymentServiceUnavailable() from exc
    except stripe.StripeError as exc:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED
        )
        raise InvalidPaymentOperation(_("The payment service refused this refund.")) from exc
    return _refund_succeeded(refund.pk, stripe_refund["id"])


@transaction.atomic
def _refund_succeeded(refund_pk: int, stripe_id: str) -> Refund:
    refund = Refund.objects.get(pk=refund_pk)
    intent = _lock_intent(refund.intent_id)
    refund.refresh_from_db()
    if refund.status != Refund.Status.PENDING:
        return refund
    refund.status, refund.stripe_id = Refund.Status.SUCCEEDED, stripe_id
    refund.save()
    _source_for(intent).refund(refund.amount, reference=stripe_id, status="succeeded")
    intent.amount_refunded += refund.amount
    intent.save()
    _emit(signals.payment_refunded, intent)
    return refund


# --- reconciliation ---------------------------------------------------------------------------


def payments_reconcile(*, older_than: timedelta = timedelta(hours=1)) -> dict[str, int]:
    """Re-read from Stripe every payment stuck in a pending state and repair our records."""
    from django.db.models import Q

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
        _mark_failed(intent.pk, "never reached Stripe")
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
        _refund_succeeded(refund.pk, found[0]["id"])
    else:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED
        )
