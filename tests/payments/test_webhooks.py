"""Webhooks: signed fixtures built from the objects localstripe holds, delivered in order once,
or shuffled and twice; bad signatures, old timestamps, unknown events, lock timeouts."""

import hashlib
import hmac
import itertools
import json
import random
import threading
import time
from decimal import Decimal

import pytest
import requests
from django.db import connection, transaction
from oscar.apps.payment.models import Source

from payments import stripe_client as sc
from payments.models import PaymentIntentRecord, WebhookEvent
from payments.services import payment_authorise, sync
from tests.payments.conftest import NEEDS_3DS, make_order, save_card

URL = "/payments/stripe/webhook/"
_ids = itertools.count(1)


def signed(event: dict, secret: str = "whsec_linli_test", at: int | None = None):
    payload = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    signature = hmac.new(
        secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256
    ).hexdigest()
    return payload, f"t={timestamp},v1={signature}"


def event_for(event_type: str, obj: dict) -> dict:
    return {
        "id": f"evt_test_{next(_ids)}_{random.randint(0, 10**9)}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def deliver(client, event, **kwargs):
    payload, header = signed(event, **kwargs)
    return client.post(
        URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def authenticate(base_url: str, intent, success=True):
    """What Stripe.js's confirmCardPayment does against localstripe."""
    r = requests.post(
        f"{base_url}/v1/payment_intents/{intent.stripe_id}/_authenticate?success="
        f"{'true' if success else 'false'}",
        json={"key": "pk_test_linli_localstripe", "client_secret": intent.client_secret},
        timeout=5,
    )
    assert r.status_code == 200


def state(intent):
    intent.refresh_from_db()
    source = Source.objects.filter(order=intent.order).first()
    figures = (
        (
            source.amount_allocated,
            source.amount_debited,
            source.amount_refunded,
            sorted((t.txn_type, t.amount) for t in source.transactions.all()),
        )
        if source
        else None
    )
    return (
        intent.status,
        intent.amount_authorised,
        intent.amount_captured,
        intent.amount_refunded,
        intent.refunds.count(),
        figures,
    )


# Each scenario: what happens at Stripe (the resident's bank, Stripe's dashboard), step by
# step, and the event Stripe sends after each step.
def steps_captured_then_refunded(base, intent):
    yield lambda: authenticate(base, intent), "payment_intent.amount_capturable_updated", "pi"
    yield (
        lambda: sc.payment_intent_capture(
            intent.stripe_id, amount=Decimal("120"), idempotency_key=f"t-{intent.pk}"
        ),
        "payment_intent.succeeded",
        "pi",
    )
    yield (
        lambda: sc.client().v1.refunds.create(
            params={"payment_intent": intent.stripe_id, "amount": 5000}
        ),
        "charge.refunded",
        "charge",
    )


def steps_voided(base, intent):
    yield lambda: authenticate(base, intent), "payment_intent.amount_capturable_updated", "pi"
    yield (
        lambda: sc.payment_intent_cancel(intent.stripe_id, idempotency_key="c"),
        "payment_intent.canceled",
        "pi",
    )


def steps_failed(base, intent):
    yield (lambda: authenticate(base, intent, success=False), "payment_intent.payment_failed", "pi")


def new_intent(user, key):
    intent = payment_authorise(
        order=make_order(user), user=user, amount=Decimal("120"), idempotency_key=key
    )
    assert intent.status == PaymentIntentRecord.Status.REQUIRES_ACTION
    return intent


def snapshot(intent, kind):
    pi = sc.payment_intent_retrieve(intent.stripe_id)
    return pi if kind == "pi" else sc.latest_charge(pi)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scenario,final",
    [
        (steps_captured_then_refunded, "captured"),
        (steps_voided, "canceled"),
        (steps_failed, "failed"),
    ],
)
def test_events_twice_and_shuffled_end_like_one_ordered_delivery(
    localstripe, client, resident, scenario, final
):
    save_card(resident, NEEDS_3DS)

    ordered = new_intent(resident, "ordered")
    for act, event_type, kind in scenario(localstripe, ordered):
        act()
        assert deliver(client, event_for(event_type, snapshot(ordered, kind))).status_code == 200

    replayed = new_intent(resident, "replayed")
    events = []
    for act, event_type, kind in scenario(localstripe, replayed):
        events.append(event_for(event_type, snapshot(replayed, kind)))  # payload of that moment
        act()
    deliveries = events * 2
    random.Random(4).shuffle(deliveries)
    for event in deliveries:
        assert deliver(client, event).status_code == 200

    assert state(ordered)[0] == final
    assert state(replayed) == state(ordered)
    assert WebhookEvent.objects.count() == 2 * len(events)


@pytest.mark.django_db
def test_an_external_refund_is_recorded_once_with_the_dashboard_figures(
    localstripe, client, resident
):
    save_card(resident, NEEDS_3DS)
    intent = new_intent(resident, "k")
    for act, _type, _kind in steps_captured_then_refunded(localstripe, intent):
        act()
    charge = snapshot(intent, "charge")
    for _ in range(2):
        deliver(client, event_for("charge.refunded", charge))

    assert state(intent)[:5] == (
        "captured",
        Decimal("120.00"),
        Decimal("120.00"),
        Decimal("50.00"),
        1,
    )
    source = Source.objects.get(order=intent.order)
    assert (source.amount_debited, source.amount_refunded) == (Decimal("120.00"), Decimal("50.00"))


@pytest.mark.django_db
def test_a_bad_signature_is_rejected_and_changes_nothing(localstripe, client, resident):
    save_card(resident, NEEDS_3DS)
    intent = new_intent(resident, "k")
    authenticate(localstripe, intent)
    event = event_for("payment_intent.amount_capturable_updated", snapshot(intent, "pi"))

    assert deliver(client, event, secret="whsec_someone_else").status_code == 400
    payload, header = signed(event)
    tampered = payload.replace(b'"livemode": false', b'"livemode": true')
    assert (
        client.post(
            URL, data=tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        ).status_code
        == 400
    )
    assert client.post(URL, data=payload, content_type="application/json").status_code == 400
    assert state(intent)[0] == "requires_action"
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_an_old_timestamp_is_rejected(localstripe, client, resident):
    event = event_for("payment_intent.succeeded", {"id": "pi_nothing"})

    assert deliver(client, event, at=int(time.time()) - 301).status_code == 400
    assert deliver(client, event, at=int(time.time()) - 200).status_code == 200


@pytest.mark.django_db
def test_unknown_events_and_unknown_intents_are_acknowledged(localstripe, client):
    assert deliver(client, event_for("customer.created", {"id": "cus_x"})).status_code == 200
    response = deliver(client, event_for("payment_intent.succeeded", {"id": "pi_not_ours"}))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lock_timeout_answers_503_and_the_retry_is_applied(
    localstripe, client, resident, monkeypatch
):
    monkeypatch.setattr(sync, "LOCK_TIMEOUT_MS", 300)
    save_card(resident, NEEDS_3DS)
    intent = new_intent(resident, "k")
    authenticate(localstripe, intent)
    event = event_for("payment_intent.amount_capturable_updated", snapshot(intent, "pi"))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                PaymentIntentRecord.objects.select_for_update().get(pk=intent.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(10)
    try:
        assert deliver(client, event).status_code == 503
    finally:
        release.set()
        holder.join()
    assert not WebhookEvent.objects.filter(event_id=event["id"]).exists()
    assert deliver(client, event).status_code == 200
    assert state(intent)[0] == "authorised"
