"""Refunds of a captured payment, partial then full, a double submit: against localstripe
(``payments/services/refunds.py``)."""

from decimal import Decimal

import pytest

from payments import stripe_client as sc
from payments.exceptions import InvalidPaymentOperation
from payments.models import PaymentIntentRecord, Refund
from payments.services import payment_capture, payment_refund, payment_sync
from tests.payments.conftest import authorise, txns

pytestmark = pytest.mark.django_db
S = PaymentIntentRecord.Status


def test_partial_then_full_refund_of_a_captured_payment(localstripe, resident, order, visa):
    intent = payment_capture(intent=authorise(order, resident))

    partial = payment_refund(
        intent=intent, amount=Decimal("20"), reason="late", idempotency_key="refund-1"
    )
    assert (
        payment_refund(
            intent=intent, amount=Decimal("20"), reason="late", idempotency_key="refund-1"
        ).pk
        == partial.pk
    )  # double submit
    rest = payment_refund(intent=intent, reason="complaint", idempotency_key="refund-2")

    assert (partial.status, partial.amount, rest.amount) == (
        Refund.Status.SUCCEEDED,
        Decimal("20.00"),
        Decimal("100.00"),
    )
    intent.refresh_from_db()
    assert intent.amount_refunded == Decimal("120.00")
    refunds = sc.refund_list(payment_intent=intent.stripe_id)
    assert sorted(r["amount"] for r in refunds) == [2000, 10000]
    source, rows = txns(order)
    assert source.amount_refunded == Decimal("120.00")
    assert rows[-2:] == [("Refund", Decimal("20.00")), ("Refund", Decimal("100.00"))]
    with pytest.raises(InvalidPaymentOperation):
        payment_refund(intent=intent, amount=Decimal("1"), idempotency_key="refund-3")
    # A re-read of Stripe finds nothing new to record.
    assert payment_sync(intent=intent).amount_refunded == Decimal("120.00")
