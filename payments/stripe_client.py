"""The one place that talks to Stripe (or localstripe, when ``STRIPE_API_BASE`` is set).

Returns plain dicts so that services and tests do not depend on stripe-python's object model.
Amounts cross this edge as fen ``int`` (Stripe's smallest currency unit for CNY,
https://docs.stripe.com/currencies#minor-units); the domain speaks yuan ``Decimal``, converted by
``to_minor``/``from_minor``. Every call raises ``stripe.StripeError`` subclasses as stripe-python
does; none retries on its own (``max_network_retries=0``): our callers decide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe
from django.conf import settings

#: The Stripe API version every call is made with, pinned so that a stripe-python upgrade never
#: changes the shapes Linli reads. It is the version stripe-python 16.1 was built for; the
#: ``stripe`` range in pyproject.toml stays inside that major (16.x speaks the "endive" family).
#: Create the webhook endpoint with the same version (payments/README.md), so that events
#: arrive in these shapes too. Changing it: read Stripe's upgrade notes for every version in
#: between, move the range in pyproject.toml, ``make lock``, and run tests/payments.
STRIPE_API_VERSION = "2026-10-28.endive"

#: Errors after which we cannot know whether Stripe acted (network, 5xx, rate limit): the caller
#: leaves its claim in place for the reconciliation instead of releasing it.
UNKNOWN_OUTCOME = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


def client() -> stripe.StripeClient:
    """A client for the configured keys; against localstripe only the base address changes."""
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=0,
        stripe_version=STRIPE_API_VERSION,
    )


def as_dict(obj: Any) -> dict:
    """A stripe-python object (or any mapping) as a plain dict."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def to_minor(amount: Decimal) -> int:
    """¥12.34 → 1234 fen (CNY has two decimal places at Stripe)."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(amount: int | None) -> Decimal:
    """1234 fen → ¥12.34 (``Decimal`` with two places); None → ¥0.00."""
    return (Decimal(amount or 0) / 100).quantize(Decimal("0.01"))


def stripe_js_url() -> str:
    """Stripe.js: localstripe serves a compatible one under its own base address."""
    base = settings.STRIPE_API_BASE
    return f"{base.rstrip('/')}/js.stripe.com/v3/" if base else "https://js.stripe.com/v3/"


# --- calls ----------------------------------------------------------------------------------


def customer_create(*, email: str, name: str, user_pk: int) -> dict:
    """Create the Customer of user ``user_pk`` (idempotent per user); returns the Customer."""
    return as_dict(
        client().v1.customers.create(
            params={"email": email, "name": name, "metadata": {"linli_user": str(user_pk)}},
            options={"idempotency_key": f"linli-customer-{user_pk}"},
        )
    )


def setup_intent_create(*, customer: str) -> dict:
    """A card SetupIntent for ``customer`` (id), for later off-session use; has ``client_secret``.

    https://docs.stripe.com/payments/save-and-reuse
    """
    return as_dict(
        client().v1.setup_intents.create(
            params={"customer": customer, "usage": "off_session", "payment_method_types": ["card"]}
        )
    )


def setup_intent_retrieve(setup_intent_id: str) -> dict:
    """The SetupIntent ``seti_...`` (``status``, ``customer``, ``payment_method``)."""
    return as_dict(client().v1.setup_intents.retrieve(setup_intent_id))


def payment_method_retrieve(payment_method_id: str) -> dict:
    """The PaymentMethod ``pm_...`` (``type``, ``customer``, ``card`` brand/last4/expiry)."""
    return as_dict(client().v1.payment_methods.retrieve(payment_method_id))


def payment_method_attach(payment_method_id: str, *, customer: str) -> dict:
    """Attach the PaymentMethod to ``customer``; a card the bank declines raises CardError."""
    return as_dict(
        client().v1.payment_methods.attach(payment_method_id, params={"customer": customer})
    )


def payment_method_detach(payment_method_id: str) -> dict:
    """Detach the PaymentMethod from its Customer (it can no longer be charged)."""
    return as_dict(client().v1.payment_methods.detach(payment_method_id))


def customer_set_default_payment_method(customer: str, payment_method_id: str | None) -> dict:
    """Set (or clear, with None) the Customer's ``invoice_settings.default_payment_method``."""
    return as_dict(
        client().v1.customers.update(
            customer,
            params={"invoice_settings": {"default_payment_method": payment_method_id or ""}},
        )
    )


def payment_intent_create_off_session(
    *,
    amount: Decimal,
    currency: str,
    customer: str,
    payment_method: str,
    metadata: dict,
    idempotency_key: str,
) -> dict:
    """A manual-capture PaymentIntent for ``amount`` (yuan), confirmed at once off-session.

    ``capture_method=manual`` holds the money until ``payment_intent_capture``
    (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method); ``off_session=true``
    with ``confirm=true`` charges a saved card with the customer absent
    (https://docs.stripe.com/payments/save-and-reuse). Returns the PaymentIntent
    (``requires_capture``, or ``requires_action`` when the bank wants 3-D Secure); a decline
    raises ``stripe.CardError``.
    """
    return as_dict(
        client().v1.payment_intents.create(
            params={
                "amount": to_minor(amount),
                "currency": currency.lower(),
                "customer": customer,
                "payment_method": payment_method,
                "payment_method_types": ["card"],
                "capture_method": "manual",
                "confirm": True,
                "off_session": True,
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    )


def payment_intent_retrieve(payment_intent_id: str) -> dict:
    """The PaymentIntent ``pi_...`` as Stripe holds it now (amounts in fen)."""
    return as_dict(client().v1.payment_intents.retrieve(payment_intent_id))


def payment_intent_list(*, customer: str) -> list[dict]:
    """The customer's PaymentIntents (localstripe cannot filter: filter here as well)."""
    c = client()
    try:
        page = c.v1.payment_intents.list(params={"customer": customer, "limit": 100})
    except stripe.InvalidRequestError:
        page = c.v1.payment_intents.list(params={"limit": 100})
    intents = [as_dict(pi) for pi in page.auto_paging_iter()]
    return [pi for pi in intents if pi.get("customer") == customer]


def payment_intent_capture(
    payment_intent_id: str, *, amount: Decimal, idempotency_key: str
) -> dict:
    """Capture ``amount`` (yuan) of an authorised PaymentIntent; the rest is released.

    ``amount_to_capture`` below the authorised amount is a partial capture: Stripe releases
    the remainder (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method).
    """
    return as_dict(
        client().v1.payment_intents.capture(
            payment_intent_id,
            params={"amount_to_capture": to_minor(amount)},
            options={"idempotency_key": idempotency_key},
        )
    )


def payment_intent_cancel(payment_intent_id: str, *, idempotency_key: str) -> dict:
    """Cancel a PaymentIntent not yet captured: releases any hold (our "void").

    https://docs.stripe.com/api/payment_intents/cancel
    """
    return as_dict(
        client().v1.payment_intents.cancel(
            payment_intent_id, options={"idempotency_key": idempotency_key}
        )
    )


def charge_retrieve(charge_id: str) -> dict:
    """The Charge ``ch_...`` (``amount``, ``amount_captured``, ``amount_refunded`` in fen)."""
    return as_dict(client().v1.charges.retrieve(charge_id))


def refund_create(
    *, payment_intent: str, amount: Decimal, metadata: dict, idempotency_key: str
) -> dict:
    """Refund ``amount`` (yuan) of a captured PaymentIntent; returns the Refund.

    https://docs.stripe.com/api/refunds/create
    """
    return as_dict(
        client().v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": to_minor(amount),
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    )


def refund_list(*, payment_intent: str) -> list[dict]:
    """Every Refund of the PaymentIntent (metadata included), as Stripe lists them."""
    page = client().v1.refunds.list(params={"payment_intent": payment_intent, "limit": 100})
    return [as_dict(r) for r in page.auto_paging_iter()]


def latest_charge(pi: dict) -> dict | None:
    """The PaymentIntent's charge as a dict (localstripe embeds it, Stripe gives its id)."""
    charge = pi.get("latest_charge")
    if charge is None:
        return None
    if isinstance(charge, str):
        return charge_retrieve(charge)
    return charge


def captured_minor(pi: dict, charge: dict | None, fallback: int) -> int:
    """How much of the PaymentIntent was captured (fen).

    Stripe says it in the PaymentIntent's ``amount_received`` and the charge's
    ``amount_captured`` (https://docs.stripe.com/api/payment_intents/object#payment_intent_object-amount_received,
    https://docs.stripe.com/api/charges/object#charge_object-amount_captured); localstripe says
    neither, so ``fallback`` (what we asked to capture) stands in for it.
    """
    if pi.get("amount_received") is not None:
        return int(pi["amount_received"])
    if charge and charge.get("amount_captured") is not None:
        return int(charge["amount_captured"])
    return fallback


def released_minor(charge: dict | None, captured: int) -> int:
    """How much of a captured charge's authorisation was released, not taken (fen).

    A partial capture (``amount_to_capture`` below the authorised ``amount``) releases the rest
    to the card (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method#capture-funds).
    That rest is no refund: nothing was ever taken. ``captured`` is ``captured_minor``.
    """
    if not charge or not charge.get("captured"):
        return 0
    return max(0, int(charge.get("amount") or 0) - captured)


def refunded_minor(charge: dict | None, captured: int) -> int:
    """How much of the captured amount was refunded, whoever refunded it (fen).

    The charge's ``amount_refunded`` also counts the part of the authorisation a partial capture
    released: Stripe reports an authorisation of 12000 captured for 3000 as ``amount_captured``
    3000 and ``amount_refunded`` 9000, and localstripe (which reports no ``amount_captured``)
    even lists a Refund of 9000 for it. The released part (``released_minor``) is taken off, so
    only money paid back after it was taken counts; never more than ``captured``.
    """
    if not charge:
        return 0
    refunded = int(charge.get("amount_refunded") or 0) - released_minor(charge, captured)
    return max(0, min(refunded, captured))


def capture_before(charge: dict | None) -> datetime | None:
    """When the charge's authorisation lapses (aware, UTC), as Stripe reports it in
    ``payment_method_details.card.capture_before``
    (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method); None when not reported
    (localstripe)."""
    card = ((charge or {}).get("payment_method_details") or {}).get("card") or {}
    stamp = card.get("capture_before")
    if not stamp:
        return None
    return datetime.fromtimestamp(int(stamp), tz=UTC)
