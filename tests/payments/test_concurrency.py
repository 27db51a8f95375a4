"""A double-submitted one-click booking creates one PaymentIntent (threads on PostgreSQL)."""

from decimal import Decimal

import pytest

from payments import stripe_client as sc
from payments.exceptions import PaymentInProgress
from payments.models import PaymentIntentRecord
from payments.services import payment_authorise
from tests.payments.conftest import make_order, save_card
from tests.support import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("same_key", [True, False], ids=["same-key", "another-key-same-order"])
def test_a_double_submitted_authorise_creates_one_payment_intent(localstripe, resident, same_key):
    save_card(resident)
    order = make_order(resident)
    keys = iter(range(100))

    def submit():
        key = "one-click" if same_key else f"one-click-{next(keys)}"
        return payment_authorise(
            order=order, user=resident, amount=Decimal("120"), idempotency_key=key
        )

    results = run_concurrently(lambda _i: submit(), 4)

    intents = [r for r in results if isinstance(r, PaymentIntentRecord)]
    assert all(isinstance(r, PaymentIntentRecord | PaymentInProgress) for r in results), results
    assert intents and {i.pk for i in intents} == {PaymentIntentRecord.objects.get().pk}
    stripe_intents = sc.payment_intent_list(customer=resident.stripe_customer.stripe_id)
    assert len(stripe_intents) == 1
    assert PaymentIntentRecord.objects.get().status == "authorised"
