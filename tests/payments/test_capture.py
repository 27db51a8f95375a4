"""Capture on completion, a fee captured on a late cancellation (the rest released), a void on a
free one: against localstripe (``payments/services/capture.py``)."""

from decimal import Decimal

import pytest

from payments import stripe_client as sc
from payments.exceptions import InvalidPaymentOperation
from payments.models import PaymentIntentRecord
from payments.services import (
    payment_capture,
    payment_settle_cancellation,
    payment_sync,
    payment_void,
)
from tests.payments.conftest import authorise, txns

pytestmark = pytest.mark.django_db
S = PaymentIntentRecord.Status


def test_capture_on_completion_debits_the_whole_amount(localstripe, resident, order, visa):
    intent = payment_capture(intent=authorise(order, resident))

    assert (intent.status, intent.amount_captured) == (S.CAPTURED, Decimal("120.00"))
    assert sc.payment_intent_retrieve(intent.stripe_id)["status"] == "succeeded"
    source, rows = txns(order)
    assert (source.amount_allocated, source.amount_debited) == (
        Decimal("120.00"),
        Decimal("120.00"),
    )
    assert rows == [("Authorise", Decimal("120.00")), ("Debit", Decimal("120.00"))]
    # Capturing again changes nothing.
    assert payment_capture(intent=intent).amount_captured == Decimal("120.00")
    assert len(txns(order)[1]) == 2


def test_a_cancellation_with_a_fee_captures_only_the_fee(localstripe, resident, order, visa):
    intent = payment_settle_cancellation(intent=authorise(order, resident), fee=Decimal("30"))

    assert (intent.status, intent.amount_captured) == (S.CAPTURED, Decimal("30.00"))
    pi = sc.payment_intent_retrieve(intent.stripe_id)
    charge = sc.latest_charge(pi)
    assert pi["status"] == "succeeded"
    # localstripe releases the rest as a refund of the charge: 120 - 90 = 30 kept.
    assert charge["amount"] - charge["amount_refunded"] == 3000
    source, rows = txns(order)
    assert (source.amount_allocated, source.amount_debited, source.amount_refunded) == (
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("0.00"),
    )
    assert rows == [("Authorise", Decimal("120.00")), ("Debit", Decimal("30.00"))]
    # Stripe's release of the rest is not mistaken for a refund by a later re-read.
    assert payment_sync(intent=intent).amount_refunded == Decimal("0.00")


def test_a_free_cancellation_voids_the_authorisation(localstripe, resident, order, visa):
    intent = payment_settle_cancellation(intent=authorise(order, resident), fee=Decimal("0"))

    assert intent.status == S.CANCELED
    assert sc.payment_intent_retrieve(intent.stripe_id)["status"] == "canceled"
    source, rows = txns(order)
    assert (source.amount_allocated, source.amount_debited) == (Decimal("0.00"), Decimal("0.00"))
    assert rows == [("Authorise", Decimal("120.00")), ("Void", Decimal("120.00"))]
    assert payment_void(intent=intent).status == S.CANCELED  # idempotent
    with pytest.raises(InvalidPaymentOperation):
        payment_capture(intent=intent)
