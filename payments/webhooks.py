"""Stripe webhooks: verify, de-duplicate, re-read the PaymentIntent, apply idempotently.

The payload is only trusted for the event's id and type and the PaymentIntent's id: the state is
re-read from Stripe, so events applied twice or in any order end where Stripe is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from payments import stripe_client as sc
from payments.models import PaymentIntentRecord, WebhookEvent
from payments.services import payment_apply_stripe_state

logger = logging.getLogger("linli.payments")

TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    """The payload is not a Stripe event signed with our secret within the tolerance."""


def _intent_id_of_payment_intent(obj: dict) -> str | None:
    return obj.get("id")


def _intent_id_of_charge(obj: dict) -> str | None:
    pi = obj.get("payment_intent")
    return pi if isinstance(pi, str) or pi is None else pi.get("id")


# Event type → how to find the PaymentIntent it is about. Anything else is acknowledged.
HANDLERS: dict[str, Callable[[dict], str | None]] = {
    "payment_intent.amount_capturable_updated": _intent_id_of_payment_intent,
    "payment_intent.succeeded": _intent_id_of_payment_intent,
    "payment_intent.payment_failed": _intent_id_of_payment_intent,
    "payment_intent.canceled": _intent_id_of_payment_intent,
    "payment_intent.requires_action": _intent_id_of_payment_intent,
    "charge.refunded": _intent_id_of_charge,
}


def verify_event(payload: bytes, signature: str) -> dict:
    """The event (a dict), if ``signature`` signs the raw ``payload`` with our secret within 300 s.

    The ``Stripe-Signature`` header is checked on the raw bytes, with Stripe's default 5-minute
    tolerance against replays (https://docs.stripe.com/webhooks#verify-events). Raises
    ``BadSignature`` on a bad or old signature, ``BadEvent`` (a ``BadSignature``) on a body
    that is not an event (``check_event_shape``).
    """
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as exc:
        raise BadSignature(str(exc)) from exc
    check_event_shape(event)
    if event.get("api_version") not in (None, sc.STRIPE_API_VERSION):
        # Stripe shapes an event by its endpoint's API version: the endpoint must use ours.
        logger.warning(
            "Stripe event %s has API version %s, Linli is pinned to %s: set the webhook "
            "endpoint's version to match (payments/README.md)",
            event.get("id"),
            event.get("api_version"),
            sc.STRIPE_API_VERSION,
        )
    return event


class BadEvent(BadSignature):
    """A signed body that is not an event Linli can store: answered 400 like a bad signature."""


#: The longest event id and type ``WebhookEvent`` stores; Stripe's are far shorter.
EVENT_FIELD_MAX = 100
#: The longest PaymentIntent id ``PaymentIntentRecord.stripe_id`` stores.
INTENT_ID_MAX = 64


def _is_text(value, max_length: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_length and "\x00" not in value


def check_event_shape(event) -> None:
    """Raise ``BadEvent`` unless ``event`` is shaped as Stripe's events are: a JSON object
    whose ``id`` and ``type`` are non-empty strings of at most 100 characters (no NUL), whose
    ``data.object`` (if any) is an object, and whose PaymentIntent reference (the object's
    ``id`` for ``payment_intent.*``, ``payment_intent`` for ``charge.*``: a string or an
    object with one) is at most 64 characters. https://docs.stripe.com/api/events/object
    """
    if not isinstance(event, dict):
        raise BadEvent("not an event")
    for name in ("id", "type"):
        if not _is_text(event.get(name), EVENT_FIELD_MAX):
            raise BadEvent(f"the event's {name} is not a string of 1 to {EVENT_FIELD_MAX}")
    data = event.get("data") or {}
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(obj or {}, dict):
        raise BadEvent("the event's data.object is not an object")
    find = HANDLERS.get(event["type"])
    if find is None or not obj:
        return
    pi = obj.get("payment_intent") if find is _intent_id_of_charge else obj.get("id")
    if isinstance(pi, dict):
        pi = pi.get("id")
    if pi is not None and not _is_text(pi, INTENT_ID_MAX):
        raise BadEvent(f"the PaymentIntent id is not a string of 1 to {INTENT_ID_MAX}")


def webhook_event_process(*, event: dict) -> str:
    """Apply one verified event. Returns "seen", "ignored" or "applied".

    Raises ``django.db.OperationalError`` when the intent's lock cannot be had in time (the view
    answers 503 and Stripe retries; the event id was not stored, so the retry is applied).
    """
    event_id, event_type = event["id"], event["type"]
    if WebhookEvent.objects.filter(event_id=event_id).exists():
        return "seen"
    find = HANDLERS.get(event_type)
    obj = (event.get("data") or {}).get("object") or {}
    pi_id = find(obj) if find else None
    intent = PaymentIntentRecord.objects.filter(stripe_id=pi_id).first() if pi_id else None
    pi = charge = None
    if intent is not None:
        # Re-read from Stripe, outside any transaction (no lock across the network).
        pi = sc.payment_intent_retrieve(pi_id)
        charge = sc.latest_charge(pi)
    # The event row and the change it causes commit together: a failure leaves neither, and
    # the UNIQUE event id turns a concurrent redelivery into "seen".
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(event_id=event_id, type=event_type)
        except IntegrityError:
            return "seen"
        if intent is None:
            return "ignored"
        payment_apply_stripe_state(intent_pk=intent.pk, pi=pi, charge=charge)
    return "applied"
