"""A double-submitted one-click booking creates one PaymentIntent (threads on PostgreSQL)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import transaction

from payments import stripe_client as sc
from payments.exceptions import PaymentInProgress
from payments.models import PaymentIntentRecord
from payments.services import payment_authorise
from payments.services.sync import lock_intent
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


def test_lock_intent_queued_behind_a_card_change_reads_the_new_card(localstripe, resident):
    """A writer changes the intent's card (a scheduled authorisation taking the new default
    card) while another waits for the intent's lock: the waiter must read the row as committed.
    A ``SELECT ... LEFT JOIN card ... FOR UPDATE OF intent`` is re-checked by PostgreSQL against
    the old joined card row and came back with no card at all."""
    first, second = save_card(resident), save_card(resident)
    intent = PaymentIntentRecord.objects.create(
        order=make_order(resident),
        user=resident,
        card=first,
        amount=Decimal("120"),
        idempotency_key="card-change",
    )
    holding, waiting = threading.Event(), threading.Event()

    def writer():
        with transaction.atomic():
            lock_intent(intent.pk)
            holding.set()
            waiting.wait(10)
            time.sleep(0.5)  # the reader is queued on the lock by now
            PaymentIntentRecord.objects.filter(pk=intent.pk).update(card=second)

    def reader():
        holding.wait(10)
        with transaction.atomic():
            waiting.set()
            locked = lock_intent(intent.pk)
            return locked.card_id, locked.card

    results = run_concurrently(lambda i: (writer, reader)[i](), 2)
    assert results[1] == (second.pk, second), results
