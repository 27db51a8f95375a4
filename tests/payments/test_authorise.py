"""Authorise: manual-capture PaymentIntents off-session, the same key twice, declines, no card,
3-D Secure, far dates (scheduled, then authorised by the beat task): against localstripe, reading
back what Stripe holds and what Oscar's payment models say (``payments/services/authorise.py``)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.core import mail
from django.utils import timezone
from oscar.apps.payment.models import Source

from payments import stripe_client as sc
from payments.cards import card_set_default
from payments.exceptions import CardDeclined, NoSavedCard, PaymentInProgress
from payments.models import PaymentIntentRecord
from payments.services import authorise_due_payments, payment_authorise_or_schedule, payment_sync
from tests.payments.conftest import (
    DECLINED_AT_CHARGE,
    NEEDS_3DS,
    authorise,
    make_order,
    save_card,
    txns,
)

pytestmark = pytest.mark.django_db
S = PaymentIntentRecord.Status


def test_authorise_holds_the_order_total_on_the_default_card(localstripe, resident, order, visa):
    intent = authorise(order, resident)

    assert intent.status == S.AUTHORISED
    assert intent.amount_authorised == Decimal("120.00")
    pi = sc.payment_intent_retrieve(intent.stripe_id)
    assert (pi["status"], pi["amount"], pi["currency"], pi["capture_method"]) == (
        "requires_capture",
        12000,
        "cny",
        "manual",
    )
    assert pi["customer"] == resident.stripe_customer.stripe_id
    assert pi["payment_method"] == visa.stripe_payment_method_id
    source, rows = txns(order)
    assert (source.amount_allocated, source.amount_debited, source.reference) == (
        Decimal("120.00"),
        Decimal("0.00"),
        intent.stripe_id,
    )
    assert str(source.source_type) == "Stripe card"
    assert rows == [("Authorise", Decimal("120.00"))]


def test_the_same_key_twice_returns_the_same_payment_intent(localstripe, resident, order, visa):
    first = authorise(order, resident)
    again = authorise(order, resident)

    assert again.pk == first.pk and again.stripe_id == first.stripe_id
    assert PaymentIntentRecord.objects.count() == 1
    assert len(sc.payment_intent_list(customer=resident.stripe_customer.stripe_id)) == 1
    assert txns(order)[1] == [("Authorise", Decimal("120.00"))]


def test_another_key_for_an_order_already_paid_is_refused(localstripe, resident, order, visa):
    authorise(order, resident, key="first")

    with pytest.raises(PaymentInProgress):
        authorise(order, resident, key="second")
    assert len(sc.payment_intent_list(customer=resident.stripe_customer.stripe_id)) == 1


def test_a_card_declined_at_charge_leaves_nothing_behind(localstripe, resident, order):
    save_card(resident, DECLINED_AT_CHARGE)

    with pytest.raises(CardDeclined, match="declined"):
        authorise(order, resident)

    intent = PaymentIntentRecord.objects.get(order=order)
    assert (intent.status, intent.amount_authorised) == (S.FAILED, Decimal("0"))
    assert not Source.objects.filter(order=order).exists()
    intents = sc.payment_intent_list(customer=resident.stripe_customer.stripe_id)
    assert [pi["status"] for pi in intents] == ["canceled"]


def test_booking_without_a_card_asks_for_one(localstripe, resident, order):
    with pytest.raises(NoSavedCard):
        authorise(order, resident)
    assert not PaymentIntentRecord.objects.exists()


def test_a_card_that_needs_authentication_completes_in_the_browser(localstripe, resident, order):
    save_card(resident, NEEDS_3DS)

    intent = authorise(order, resident)
    assert intent.status == S.REQUIRES_ACTION
    assert intent.client_secret
    assert not Source.objects.filter(order=order).exists()

    # What Stripe.js's confirmCardPayment does against localstripe when the resident confirms.
    response = requests.post(
        f"{localstripe}/v1/payment_intents/{intent.stripe_id}/_authenticate?success=true",
        json={"key": "pk_test_linli_localstripe", "client_secret": intent.client_secret},
        timeout=5,
    )
    assert response.status_code == 200
    intent = payment_sync(intent=intent)
    assert intent.status == S.AUTHORISED
    assert txns(order)[1] == [("Authorise", Decimal("120.00"))]


def test_a_far_date_is_authorised_48_hours_before_by_the_beat_task(
    localstripe, resident, order, visa
):
    starts = timezone.now() + timedelta(days=9)
    intent = payment_authorise_or_schedule(
        order=order, user=resident, amount=Decimal("120"), idempotency_key="far", starts_at=starts
    )
    assert intent.status == S.SCHEDULED
    assert intent.authorise_at == starts - timedelta(hours=48)
    assert authorise_due_payments(now=timezone.now()) == 0

    assert authorise_due_payments(now=starts - timedelta(hours=47)) == 1
    intent.refresh_from_db()
    assert intent.status == S.AUTHORISED
    assert sc.payment_intent_retrieve(intent.stripe_id)["status"] == "requires_capture"
    assert authorise_due_payments(now=starts - timedelta(hours=47)) == 0


def test_a_failed_far_date_authorisation_tells_the_resident_and_retries_with_a_new_card(
    localstripe, resident, order
):
    save_card(resident, DECLINED_AT_CHARGE)
    starts = timezone.now() + timedelta(days=9)
    intent = payment_authorise_or_schedule(
        order=order, user=resident, amount=Decimal("120"), idempotency_key="far", starts_at=starts
    )

    authorise_due_payments(now=starts - timedelta(hours=47))
    intent.refresh_from_db()
    assert intent.status == S.FAILED
    assert len(mail.outbox) == 1 and "/shop/accounts/cards/" in mail.outbox[0].body

    new_card = save_card(resident)
    card_set_default(user=resident, card=new_card)
    intent.refresh_from_db()
    assert intent.status == S.SCHEDULED
    authorise_due_payments()
    intent.refresh_from_db()
    assert (intent.status, intent.card) == (S.AUTHORISED, new_card)


def test_amounts_and_orders_stay_apart_per_resident(localstripe, resident, other_resident, visa):
    save_card(other_resident)
    mine = authorise(make_order(resident, "80.00"), resident, key="a")
    theirs = authorise(make_order(other_resident, "45.50"), other_resident, key="b")

    assert (mine.amount_authorised, theirs.amount_authorised) == (
        Decimal("80.00"),
        Decimal("45.50"),
    )
    assert sc.payment_intent_retrieve(theirs.stripe_id)["amount"] == 4550
