"""The ledger reads what Stripe did: a model of Stripe's reporting, and localstripe's.

``StripeModel`` plays Stripe's documented reporting of a manual-capture card PaymentIntent and
its charge, in fen:

- PaymentIntent ``amount_capturable``: what can still be captured (the authorisation, until it is
  captured or cancelled); ``amount_received``: what was captured
  (https://docs.stripe.com/api/payment_intents/object);
- Charge ``amount_captured``: what was captured; ``amount_refunded``: refunds, **and** the part of
  the authorisation a partial capture released (an authorisation of 12000 captured for 3000 reads
  ``amount_captured`` 3000, ``amount_refunded`` 9000), ``captured``, ``refunded``
  (https://docs.stripe.com/api/charges/object);
- a partial capture releases the rest (``amount_to_capture``,
  https://docs.stripe.com/payments/place-a-hold-on-a-payment-method); cancelling an authorised
  PaymentIntent releases all of it (https://docs.stripe.com/api/payment_intents/cancel).

Each sequence (authorise → partial capture → release, full capture, refund after capture, void) is
applied through ``payment_apply_stripe_state`` as a webhook or our own call would, twice and out
of order, and the ledger must say captured − refunded = what the resident paid, with no refund
where nothing was paid back. The same sequences then run against localstripe, whose reporting
differs (no ``amount_received``/``amount_captured``; the released part listed as a Refund).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from oscar.apps.payment.models import Source

from payments import signals
from payments import stripe_client as sc
from payments.models import PaymentIntentRecord, Refund
from payments.services import (
    payment_apply_stripe_state,
    payment_capture,
    payment_refund,
    payment_sync,
    payment_void,
)
from tests.payments.conftest import authorise, make_order

pytestmark = pytest.mark.django_db
Status = PaymentIntentRecord.Status


class StripeModel:
    """One manual-capture PaymentIntent as Stripe reports it (see the module docstring)."""

    def __init__(self, pi_id: str, amount: int):
        self.pi = {
            "id": pi_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "capture_method": "manual",
            "status": "requires_confirmation",
        }
        self.charge = {
            "id": f"ch_{pi_id}",
            "object": "charge",
            "payment_intent": pi_id,
            "amount": amount,
            "amount_captured": 0,
            "amount_refunded": 0,
            "captured": False,
            "refunded": False,
            "status": "succeeded",
        }

    def snapshot(self) -> tuple[dict, dict]:
        return dict(self.pi), dict(self.charge)

    def authorise(self):
        self.pi.update(status="requires_capture", amount_capturable=self.pi["amount"])
        return self.snapshot()

    def capture(self, amount: int | None = None):
        amount = self.pi["amount"] if amount is None else amount
        released = self.pi["amount"] - amount
        self.pi.update(status="succeeded", amount_capturable=0, amount_received=amount)
        self.charge.update(captured=True, amount_captured=amount, amount_refunded=released)
        return self.snapshot()

    def refund(self, amount: int):
        self.charge["amount_refunded"] += amount
        self.charge["refunded"] = self.charge["amount_refunded"] == self.charge["amount"]
        return self.snapshot()

    def cancel(self):
        self.pi.update(status="canceled", amount_capturable=0)
        self.charge.update(amount_refunded=self.charge["amount"], refunded=True)
        return self.snapshot()


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """The payments signals sent (after commit), by name."""
    sent: list[str] = []
    receivers = {}
    for name in ("payment_authorised", "payment_captured", "payment_voided", "payment_refunded"):

        def receiver(sender, intent, _name=name, **kwargs):
            sent.append(_name)

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False, dispatch_uid=f"test-{name}")
    yield sent
    for name in receivers:
        getattr(signals, name).disconnect(dispatch_uid=f"test-{name}")


def _intent(resident, order) -> PaymentIntentRecord:
    return PaymentIntentRecord.objects.create(
        order=order,
        user=resident,
        amount=Decimal("120.00"),
        currency="CNY",
        idempotency_key=f"model-{order.pk}",
    )


def _apply(intent, states, capture):
    for pi, charge in states:
        with capture(execute=True):
            payment_apply_stripe_state(intent_pk=intent.pk, pi=pi, charge=charge)
    intent.refresh_from_db()
    return intent


def _ledger(intent):
    source = Source.objects.get(order=intent.order)
    return {
        "status": intent.status,
        "captured": intent.amount_captured,
        "refunded": intent.amount_refunded,
        "released": (intent.amount_authorised - intent.amount_captured)
        if intent.status == Status.CAPTURED
        else Decimal("0.00"),
        "refund_rows": list(intent.refunds.values_list("amount", "external")),
        "source": (source.amount_allocated, source.amount_debited, source.amount_refunded),
    }


def _sequences(pi_id):
    """name → (states in order, the ledger they must leave)."""
    m = StripeModel(pi_id, 12000)
    partial = [m.authorise(), m.capture(3000)]
    m = StripeModel(pi_id, 12000)
    full = [m.authorise(), m.capture()]
    m = StripeModel(pi_id, 12000)
    refund_after_capture = [m.authorise(), m.capture(), m.refund(5000)]
    m = StripeModel(pi_id, 12000)
    partial_then_refund = [m.authorise(), m.capture(3000), m.refund(1000)]
    m = StripeModel(pi_id, 12000)
    void = [m.authorise(), m.cancel()]
    d = Decimal
    return {
        "partial capture releases the rest": (
            partial,
            {
                "status": Status.CAPTURED,
                "captured": d("30.00"),
                "refunded": d("0.00"),
                "released": d("90.00"),
                "refund_rows": [],
                "source": (d("30.00"), d("30.00"), d("0.00")),
            },
            ["payment_authorised", "payment_captured"],
        ),
        "full capture": (
            full,
            {
                "status": Status.CAPTURED,
                "captured": d("120.00"),
                "refunded": d("0.00"),
                "released": d("0.00"),
                "refund_rows": [],
                "source": (d("120.00"), d("120.00"), d("0.00")),
            },
            ["payment_authorised", "payment_captured"],
        ),
        "refund after capture": (
            refund_after_capture,
            {
                "status": Status.CAPTURED,
                "captured": d("120.00"),
                "refunded": d("50.00"),
                "released": d("0.00"),
                "refund_rows": [(d("50.00"), True)],
                "source": (d("120.00"), d("120.00"), d("50.00")),
            },
            ["payment_authorised", "payment_captured", "payment_refunded"],
        ),
        "refund after a partial capture": (
            partial_then_refund,
            {
                "status": Status.CAPTURED,
                "captured": d("30.00"),
                "refunded": d("10.00"),
                "released": d("90.00"),
                "refund_rows": [(d("10.00"), True)],
                "source": (d("30.00"), d("30.00"), d("10.00")),
            },
            ["payment_authorised", "payment_captured", "payment_refunded"],
        ),
        "void": (
            void,
            {
                "status": Status.CANCELED,
                "captured": d("0.00"),
                "refunded": d("0.00"),
                "released": d("0.00"),
                "refund_rows": [],
                "source": (d("0.00"), d("0.00"), d("0.00")),
            },
            ["payment_authorised", "payment_voided"],
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "partial capture releases the rest",
        "full capture",
        "refund after capture",
        "refund after a partial capture",
        "void",
    ],
)
@pytest.mark.parametrize("delivery", ["in order", "twice", "last first"])
def test_the_ledger_reads_stripes_reporting(
    name, delivery, resident, heard, django_capture_on_commit_callbacks
):
    order = make_order(resident)
    intent = _intent(resident, order)
    states, expected, signals_sent = _sequences(f"pi_model_{order.pk}")[name]
    if delivery == "twice":
        states = [s for state in states for s in (state, state)]
    elif delivery == "last first":
        states = [states[-1], *states]
    intent = _apply(intent, states, django_capture_on_commit_callbacks)
    assert _ledger(intent) == expected
    if delivery != "last first":
        assert heard == signals_sent
    assert "payment_refunded" not in heard or expected["refunded"] > 0


def test_a_partial_capture_is_not_a_refund_however_often_stripe_says_so(
    resident, heard, django_capture_on_commit_callbacks
):
    """The issue's example: ¥120 authorised, ¥30 captured (a late-cancellation fee); Stripe's
    ``charge.refunded`` event for the released ¥90 arrives too (re-read, applied again)."""
    order = make_order(resident)
    intent = _intent(resident, order)
    m = StripeModel(f"pi_fee_{order.pk}", 12000)
    states = [m.authorise(), m.capture(3000)]
    intent = _apply(intent, [*states, states[-1], states[-1]], django_capture_on_commit_callbacks)
    assert (intent.amount_captured, intent.amount_refunded) == (Decimal("30.00"), Decimal("0"))
    assert not Refund.objects.filter(intent=intent).exists()
    assert "payment_refunded" not in heard


def test_the_reading_functions_follow_stripes_fields():
    m = StripeModel("pi_x", 12000)
    m.authorise()
    pi, charge = m.capture(3000)
    assert sc.captured_minor(pi, charge, fallback=0) == 3000
    assert sc.released_minor(charge, 3000) == 9000
    assert sc.refunded_minor(charge, 3000) == 0
    pi, charge = m.refund(1000)
    assert sc.refunded_minor(charge, 3000) == 1000
    # localstripe: neither amount_received nor amount_captured; our capture request stands in.
    local_charge = {"amount": 12000, "amount_refunded": 9000, "captured": True}
    assert sc.captured_minor({"id": "pi_l"}, local_charge, fallback=3000) == 3000
    assert sc.refunded_minor(local_charge, 3000) == 0


# --- the same sequences at localstripe ----------------------------------------------------------


def _localstripe_kept(intent) -> int:
    """What localstripe kept of the payment, in fen: it reports neither ``amount_received`` nor
    ``amount_captured`` and counts the released part of a partial capture in the charge's
    ``amount_refunded`` (listing a Refund for it), so kept = amount - amount_refunded once
    captured, 0 when cancelled."""
    pi = sc.payment_intent_retrieve(intent.stripe_id)
    if pi["status"] != "succeeded":
        return 0
    charge = sc.latest_charge(pi)
    assert "amount_received" not in pi and "amount_captured" not in charge
    return charge["amount"] - charge["amount_refunded"]


def test_localstripe_partial_capture_releases_the_rest_and_no_refund_is_recorded(
    order, resident, visa, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intent = authorise(order, resident)
        intent = payment_capture(intent=intent, amount=Decimal("30.00"))
    assert _localstripe_kept(intent) == 3000
    with django_capture_on_commit_callbacks(execute=True):
        intent = payment_sync(intent=intent)
        intent = payment_sync(intent=intent)
    assert (intent.amount_captured, intent.amount_refunded, intent.amount_released) == (
        Decimal("30.00"),
        Decimal("0.00"),
        Decimal("90.00"),
    )
    assert not intent.refunds.exists()
    assert heard == ["payment_authorised", "payment_captured"]
    # A refund after the partial capture is one.
    with django_capture_on_commit_callbacks(execute=True):
        payment_refund(intent=intent, amount=Decimal("10.00"), idempotency_key="r1")
        intent = payment_sync(intent=intent)
    assert (intent.amount_captured, intent.amount_refunded) == (Decimal("30.00"), Decimal("10"))
    assert _localstripe_kept(intent) == 2000 == sc.to_minor(intent.refundable)


@pytest.mark.parametrize("capture", [None, Decimal("120.00")])
def test_localstripe_full_capture_refund_and_void(order, resident, visa, capture):
    intent = payment_capture(intent=authorise(order, resident), amount=capture)
    payment_refund(intent=intent, amount=Decimal("50.00"), idempotency_key="r-full")
    intent = payment_sync(intent=intent)
    assert (intent.amount_captured, intent.amount_refunded) == (Decimal("120"), Decimal("50"))
    assert _localstripe_kept(intent) == 7000
    other = make_order(resident)
    voided = payment_void(intent=authorise(other, resident, key="book-void"))
    voided = payment_sync(intent=voided)
    assert voided.status == Status.CANCELED
    assert (voided.amount_captured, voided.amount_refunded) == (Decimal("0"), Decimal("0"))
    assert _localstripe_kept(voided) == 0
