"""Authorise: manual-capture PaymentIntents confirmed off-session with the saved card.

One click authorises the booking's price on the resident's default card without them present
(``off_session=true``, https://docs.stripe.com/payments/save-and-reuse) and with
``capture_method=manual``, so the money is only held until the job is done
(https://docs.stripe.com/payments/place-a-hold-on-a-payment-method). An uncaptured authorisation
lapses (Visa's merchant-initiated window, the shortest, is 4 days 18 h), so a booking further
ahead than ``marketplace.policy.AUTHORISE_NOW_HORIZON`` is scheduled instead and authorised
``AUTHORISE_BEFORE_START`` before its start by the beat task (``authorise_due_payments``); a job
moved later than its hold lasts is authorised again (``payment_replan``).

Amounts are yuan ``Decimal``; ``payments.stripe_client`` turns them into fen for Stripe.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.models import Order

from marketplace.policy import (
    AUTHORISE_BEFORE_START,
    AUTHORISE_NOW_HORIZON,
    CAPTURE_AFTER_START,
)
from payments import stripe_client as sc
from payments.cards import default_card
from payments.exceptions import (
    CardDeclined,
    InvalidPaymentOperation,
    NoSavedCard,
    PaymentInProgress,
    PaymentServiceUnavailable,
)
from payments.models import PaymentIntentRecord, SavedCard
from payments.services.capture import payment_void
from payments.services.sync import mark_failed, payment_apply_stripe_state

logger = logging.getLogger("linli.payments")

Status = PaymentIntentRecord.Status


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
        mark_failed(intent.pk, str(getattr(exc, "user_message", "") or exc))
        raise CardDeclined() from exc
    except sc.UNKNOWN_OUTCOME as exc:
        # Stripe may or may not have acted: the intent stays pending and
        # ``payments_reconcile`` looks it up by metadata within the hour.
        logger.warning("authorise of intent %s: outcome unknown: %s", intent.pk, exc)
        raise PaymentServiceUnavailable() from exc
    except stripe.StripeError as exc:
        mark_failed(intent.pk, str(exc))
        raise PaymentServiceUnavailable() from exc
    intent = payment_apply_stripe_state(intent_pk=intent.pk, pi=pi)
    if intent.status == Status.FAILED:
        raise CardDeclined()
    return intent


def _card_for(user, card: SavedCard | None) -> SavedCard:
    card = card or default_card(user)
    if card is None or card.user_id != user.pk:
        raise NoSavedCard()
    return card


def payment_authorise(
    *, order: Order, user, amount: Decimal, idempotency_key: str, card: SavedCard | None = None
) -> PaymentIntentRecord:
    """Authorise ``amount`` (yuan) for ``order`` off-session on the user's default (or given) card.

    Creates and confirms a manual-capture PaymentIntent (``capture_method=manual``): the money is
    held, not taken, until ``payment_capture``. Returns the intent: ``AUTHORISED``, or
    ``REQUIRES_ACTION`` (the bank wants 3-D Secure: send the browser to
    ``payments.urls.intent_action_url(intent)``). Raises ``CardDeclined`` (nothing charged,
    nothing held; the declined PaymentIntent is cancelled at Stripe), ``NoSavedCard``,
    ``PaymentInProgress`` (the same key or another live payment for the order is being taken:
    do not undo anything), ``InvalidPaymentOperation`` (the key belongs to another order),
    ``PaymentServiceUnavailable``. Calling it again with the same key returns the same intent
    without calling Stripe; after a decline it tries again (a new attempt, a new
    Idempotency-Key).
    """
    card = _card_for(user, card)
    intent, must_call = _claim_intent(
        order=order, user=user, amount=Decimal(amount), idempotency_key=idempotency_key, card=card
    )
    if not must_call:
        return intent
    return _authorise_claimed(intent)


def payment_schedule(
    *,
    order: Order,
    user,
    amount: Decimal,
    idempotency_key: str,
    authorise_at: datetime,
    card: SavedCard | None = None,
) -> PaymentIntentRecord:
    """Book with the card saved but not authorised; beat authorises it at ``authorise_at`` (UTC).

    Writes a SCHEDULED intent for ``amount`` (yuan) on the default (or given) card; nothing is
    sent to Stripe. Raises ``NoSavedCard``, ``PaymentInProgress`` and
    ``InvalidPaymentOperation`` as ``payment_authorise`` does; the same key returns the same
    intent.
    """
    card = _card_for(user, card)
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
    """When to authorise for an appointment starting at ``starts_at`` (aware datetime).

    None means now; a start further ahead than ``AUTHORISE_NOW_HORIZON`` (3 days 18 h) is
    authorised ``AUTHORISE_BEFORE_START`` (48 h) before it, because an off-session Visa
    authorisation lapses after 4 days 18 h and the job is captured up to
    ``CAPTURE_AFTER_START`` (24 h) after its start
    (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method).
    """
    now = now or timezone.now()
    if starts_at - now > AUTHORISE_NOW_HORIZON:
        return starts_at - AUTHORISE_BEFORE_START
    return None


def payment_authorise_or_schedule(
    *,
    order: Order,
    user,
    amount: Decimal,
    idempotency_key: str,
    starts_at: datetime,
    card: SavedCard | None = None,
) -> PaymentIntentRecord:
    """One click: authorise ``amount`` (yuan) now, or schedule it when the start is far ahead.

    ``card``: the user's default card when the caller has just read it (None: read here).
    See ``authorisation_time`` for when; raises what ``payment_authorise`` (now) or
    ``payment_schedule`` (later) raise.
    """
    when = authorisation_time(starts_at)
    if when is None:
        return payment_authorise(
            order=order, user=user, amount=amount, idempotency_key=idempotency_key, card=card
        )
    return payment_schedule(
        order=order,
        user=user,
        amount=amount,
        idempotency_key=idempotency_key,
        authorise_at=when,
        card=card,
    )


def hold_lasts(intent: PaymentIntentRecord, starts_at: datetime) -> bool:
    """Does the intent's authorisation last until a job starting at ``starts_at`` is captured
    (``CAPTURE_AFTER_START`` after it)? False when it has no ``capture_before``."""
    if intent.capture_before is None:
        return False
    return starts_at + CAPTURE_AFTER_START <= intent.capture_before


def payment_replan(
    *, intent: PaymentIntentRecord, starts_at: datetime, now: datetime | None = None
) -> PaymentIntentRecord:
    """Plan the card payment again for a job moved to ``starts_at`` (aware); returns the live
    intent.

    A SCHEDULED authorisation moves to ``authorisation_time(starts_at)`` (taken at once when
    that is now). An AUTHORISED hold that would lapse before the moved job is captured
    (``hold_lasts``) is voided and a new authorisation of the same amount scheduled (or taken
    at once) under a new key: the order's one live payment. Anything else is left as it is.
    Raises ``PaymentServiceUnavailable`` (Stripe unreachable), ``InvalidPaymentOperation``,
    ``PaymentInProgress`` as ``payment_void`` does.
    """
    now = now or timezone.now()
    if intent.status == Status.AUTHORISED and not hold_lasts(intent, starts_at):
        old = payment_void(intent=intent)
        if old.status != Status.CANCELED:
            return old
        intent, _must_call = _claim_intent(
            order=old.order,
            user=old.user,
            amount=old.amount,
            idempotency_key=f"{old.idempotency_key}:again:{old.order.stripe_intents.count()}"[:128],
            card=old.card or _card_for(old.user, None),
            authorise_at=authorisation_time(starts_at, now=now) or now,
        )
    if intent.status != Status.SCHEDULED:
        return intent
    when = authorisation_time(starts_at, now=now) or now
    PaymentIntentRecord.objects.filter(pk=intent.pk, status=Status.SCHEDULED).update(
        authorise_at=when
    )
    intent.refresh_from_db()
    if when <= now:
        return payment_authorise_scheduled(intent=intent)
    return intent


def payment_authorise_scheduled(*, intent: PaymentIntentRecord) -> PaymentIntentRecord:
    """Authorise a SCHEDULED intent off-session with the user's current default card.

    Only one caller moves it out of SCHEDULED (a conditional UPDATE); the others get the intent
    as it is. With no card, or a declined one, the intent ends FAILED and the resident is
    emailed to update their card (saving or choosing one schedules it again, see
    ``payments.cards``). Returns the intent (AUTHORISED, REQUIRES_ACTION or FAILED). Raises
    ``PaymentServiceUnavailable`` when Stripe cannot be reached.
    """
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
        mark_failed(intent.pk, str(_("No saved card.")))
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
    """Authorise up to ``limit`` scheduled intents whose ``authorise_at`` has come (beat task).

    Returns how many were attempted; one that finds Stripe unavailable stays for the next run.
    """
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
                "url": f"{settings.SITE_URL}{reverse('payments:cards')}",
            }
        )
    send_mail(subject, body, None, [user.email], fail_silently=True)
