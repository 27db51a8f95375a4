"""Saved cards: the user's Stripe Customer, SetupIntents, attach, default, remove.

Stripe calls happen outside database transactions (never hold a lock across the network);
each service writes its rows in one short transaction afterwards.
"""

from __future__ import annotations

import logging

import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments import stripe_client as sc
from payments.exceptions import CardDeclined, InvalidPaymentOperation, PaymentServiceUnavailable
from payments.models import PaymentIntentRecord, SavedCard, StripeCustomer

logger = logging.getLogger("linli.payments")


def stripe_customer_get_or_create(*, user) -> StripeCustomer:
    """The user's Stripe Customer, created at Stripe on first use."""
    existing = StripeCustomer.objects.filter(user=user).first()
    if existing:
        return existing
    try:
        customer = sc.customer_create(
            email=user.email, name=user.get_full_name() or user.email, user_pk=user.pk
        )
    except stripe.StripeError as exc:
        logger.warning("stripe customer create failed for user %s: %s", user.pk, exc)
        raise PaymentServiceUnavailable() from exc
    try:
        # The OneToOne on user decides a race between two first cards; the loser's Stripe
        # customer stays empty and harmless.
        with transaction.atomic():
            return StripeCustomer.objects.create(user=user, stripe_id=customer["id"])
    except IntegrityError:
        return StripeCustomer.objects.get(user=user)


def card_setup_intent_create(*, user) -> dict:
    """A SetupIntent for the card element: returns ``{"id", "client_secret"}``."""
    customer = stripe_customer_get_or_create(user=user)
    try:
        si = sc.setup_intent_create(customer=customer.stripe_id)
    except stripe.StripeError as exc:
        raise PaymentServiceUnavailable() from exc
    return {"id": si["id"], "client_secret": si["client_secret"]}


def card_attach_from_setup_intent(*, user, setup_intent_id: str) -> SavedCard:
    """Save the card of a SetupIntent the browser confirmed, if it is this user's."""
    customer = stripe_customer_get_or_create(user=user)
    try:
        si = sc.setup_intent_retrieve(setup_intent_id)
    except stripe.InvalidRequestError as exc:
        raise InvalidPaymentOperation(_("This card setup is unknown.")) from exc
    except stripe.StripeError as exc:
        raise PaymentServiceUnavailable() from exc
    if si.get("customer") != customer.stripe_id:
        raise InvalidPaymentOperation(_("This card setup is unknown."))
    if si.get("status") != "succeeded" or not si.get("payment_method"):
        raise CardDeclined(
            _("The card could not be verified. Please try again or use another card.")
        )
    pm = si["payment_method"]
    return card_attach(user=user, payment_method_id=pm if isinstance(pm, str) else pm["id"])


def card_attach(*, user, payment_method_id: str) -> SavedCard:
    """Attach a PaymentMethod to the user's Customer and save its brand, last four and expiry.

    A card the bank declines leaves nothing behind: no row here, nothing attached at Stripe.
    """
    customer = stripe_customer_get_or_create(user=user)
    existing = SavedCard.objects.filter(stripe_payment_method_id=payment_method_id).first()
    if existing:
        if existing.user_id != user.pk:
            raise InvalidPaymentOperation(_("This card is unknown."))
        return existing
    try:
        pm = sc.payment_method_retrieve(payment_method_id)
        if pm.get("customer") not in (None, customer.stripe_id):
            raise InvalidPaymentOperation(_("This card is unknown."))
        if pm.get("type") != "card":
            raise InvalidPaymentOperation(_("Only cards can be saved."))
        if pm.get("customer") != customer.stripe_id:
            # Stripe attaches on SetupIntent confirmation; localstripe does not: attach here.
            pm = sc.payment_method_attach(payment_method_id, customer=customer.stripe_id)
    except stripe.CardError as exc:
        raise CardDeclined(
            _("Your card was declined. It was not saved; please use another card.")
        ) from exc
    except stripe.InvalidRequestError as exc:
        raise InvalidPaymentOperation(_("This card is unknown.")) from exc
    except stripe.StripeError as exc:
        raise PaymentServiceUnavailable() from exc

    card_data = pm["card"]
    with transaction.atomic():
        # Lock the user's cards so that "first card becomes default" is decided once.
        has_default = (
            SavedCard.objects.select_for_update().filter(user=user, is_default=True).exists()
        )
        card, _created = SavedCard.objects.get_or_create(
            stripe_payment_method_id=payment_method_id,
            defaults={
                "user": user,
                "brand": card_data.get("brand") or "card",
                "last4": card_data["last4"],
                "exp_month": card_data["exp_month"],
                "exp_year": card_data["exp_year"],
                "is_default": not has_default,
            },
        )
    if card.is_default:
        _tell_stripe_default(customer, card)
        _retry_failed_scheduled_payments(user=user)
    return card


@transaction.atomic
def _set_default_row(*, user, card: SavedCard) -> SavedCard:
    # Lock the user's cards: clearing the old default and setting the new one is one step, and
    # the partial unique index forbids two defaults if another request races us.
    cards = list(SavedCard.objects.select_for_update().filter(user=user))
    if card.pk not in {c.pk for c in cards}:
        raise InvalidPaymentOperation(_("This card is unknown."))
    SavedCard.objects.filter(user=user, is_default=True).exclude(pk=card.pk).update(
        is_default=False
    )
    SavedCard.objects.filter(pk=card.pk).update(is_default=True)
    card.refresh_from_db()
    return card


def card_set_default(*, user, card: SavedCard) -> SavedCard:
    """Make ``card`` the one used for one-click bookings."""
    card = _set_default_row(user=user, card=card)
    customer = StripeCustomer.objects.filter(user=user).first()
    if customer:
        _tell_stripe_default(customer, card)
    _retry_failed_scheduled_payments(user=user)
    return card


def card_remove(*, user, card: SavedCard) -> None:
    """Detach the card at Stripe and forget it; the newest remaining card becomes default."""
    if card.user_id != user.pk:
        raise InvalidPaymentOperation(_("This card is unknown."))
    try:
        sc.payment_method_detach(card.stripe_payment_method_id)
    except stripe.InvalidRequestError:
        pass  # already detached or unknown at Stripe: forgetting it is what was asked
    except stripe.StripeError as exc:
        raise PaymentServiceUnavailable() from exc
    with transaction.atomic():
        # Same lock as _set_default_row: removal and promotion of the next default are one step.
        list(SavedCard.objects.select_for_update().filter(user=user))
        was_default = SavedCard.objects.filter(pk=card.pk, is_default=True).exists()
        SavedCard.objects.filter(pk=card.pk).delete()
        successor = SavedCard.objects.filter(user=user).order_by("-created", "-id").first()
        if was_default and successor:
            SavedCard.objects.filter(pk=successor.pk).update(is_default=True)
    customer = StripeCustomer.objects.filter(user=user).first()
    if customer and was_default:
        successor = SavedCard.objects.filter(user=user, is_default=True).first()
        _tell_stripe_default(customer, successor)


def default_card(user) -> SavedCard | None:
    """The user's default card (the one one-click bookings use), or None if they have none."""
    return SavedCard.objects.filter(user=user, is_default=True).first()


def _tell_stripe_default(customer: StripeCustomer, card: SavedCard | None) -> None:
    """Mirror the default at Stripe (its dashboard and invoices use it); ours is authoritative."""
    try:
        sc.customer_set_default_payment_method(
            customer.stripe_id, card.stripe_payment_method_id if card else None
        )
    except stripe.StripeError as exc:
        logger.warning("could not set default card at Stripe for %s: %s", customer, exc)


def _retry_failed_scheduled_payments(*, user) -> int:
    """A far-date authorisation that failed is tried again at the next beat tick with the new
    default card (``authorise_due_payments``)."""
    retried = 0
    for intent in PaymentIntentRecord.objects.filter(
        user=user, status=PaymentIntentRecord.Status.FAILED, authorise_at__isnull=False
    ):
        try:
            with transaction.atomic():
                retried += PaymentIntentRecord.objects.filter(
                    pk=intent.pk, status=PaymentIntentRecord.Status.FAILED
                ).update(
                    status=PaymentIntentRecord.Status.SCHEDULED,
                    authorise_at=timezone.now(),
                    failure_message="",
                )
        except IntegrityError:
            continue  # the order already has another live payment
    return retried
