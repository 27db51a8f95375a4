"""Reconciliation of calls whose answer was lost: an authorisation nobody finished, a capture
that reached Stripe unrecorded: against localstripe (``payments/services/reconcile.py``)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments import stripe_client as sc
from payments.exceptions import PaymentInProgress
from payments.models import PaymentIntentRecord
from payments.services import payment_capture, payments_reconcile
from tests.payments.conftest import authorise, txns

pytestmark = pytest.mark.django_db
S = PaymentIntentRecord.Status


def test_reconcile_releases_an_authorisation_whose_caller_never_finished(
    localstripe, resident, order, visa
):
    # The web process died after Stripe authorised and before we stored the answer.
    intent = PaymentIntentRecord.objects.create(
        order=order,
        user=resident,
        card=visa,
        amount=Decimal("120"),
        idempotency_key="lost",
        attempts=1,
    )
    pi = sc.payment_intent_create_off_session(
        amount=Decimal("120"),
        currency="CNY",
        customer=resident.stripe_customer.stripe_id,
        payment_method=visa.stripe_payment_method_id,
        metadata={"linli_payment": str(intent.pk)},
        idempotency_key="x",
    )
    assert payments_reconcile()["intents"] == 0  # not an hour old yet
    PaymentIntentRecord.objects.filter(pk=intent.pk).update(
        updated=timezone.now() - timedelta(hours=2)
    )

    assert payments_reconcile()["intents"] == 1
    intent.refresh_from_db()
    assert (intent.stripe_id, intent.status) == (pi["id"], S.CANCELED)
    assert sc.payment_intent_retrieve(pi["id"])["status"] == "canceled"


def test_reconcile_finishes_a_capture_whose_answer_was_lost(localstripe, resident, order, visa):
    intent = authorise(order, resident)
    # The capture reached Stripe but the process died before recording it.
    PaymentIntentRecord.objects.filter(pk=intent.pk).update(
        pending_action="capture", pending_amount=Decimal("120")
    )
    sc.payment_intent_capture(intent.stripe_id, amount=Decimal("120"), idempotency_key="y")
    with pytest.raises(PaymentInProgress):
        payment_capture(intent=intent)
    PaymentIntentRecord.objects.filter(pk=intent.pk).update(
        updated=timezone.now() - timedelta(hours=2)
    )

    payments_reconcile()
    intent.refresh_from_db()
    assert (intent.status, intent.amount_captured, intent.pending_action) == (
        S.CAPTURED,
        Decimal("120.00"),
        "",
    )
    assert txns(order)[1][-1] == ("Debit", Decimal("120.00"))
