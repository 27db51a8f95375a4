"""Saved cards against localstripe: attach, default, remove, declined at attach."""

import pytest

from payments import stripe_client as sc
from payments.cards import (
    card_attach,
    card_remove,
    card_set_default,
    card_setup_intent_create,
)
from payments.exceptions import CardDeclined, InvalidPaymentOperation
from payments.models import SavedCard, StripeCustomer
from tests.payments.conftest import DECLINED_AT_ATTACH, create_payment_method, save_card

pytestmark = pytest.mark.django_db


def test_a_saved_card_is_attached_to_the_residents_customer_with_brand_last4_and_expiry(
    localstripe, resident
):
    card = save_card(resident)

    customer = StripeCustomer.objects.get(user=resident)
    pm = sc.payment_method_retrieve(card.stripe_payment_method_id)
    assert pm["customer"] == customer.stripe_id
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2030)
    assert card.is_default
    assert str(card) == "Visa •••• 4242"


def test_the_setup_intent_belongs_to_the_residents_customer(localstripe, resident):
    setup = card_setup_intent_create(user=resident)

    si = sc.setup_intent_retrieve(setup["id"])
    assert si["customer"] == resident.stripe_customer.stripe_id
    assert setup["client_secret"].startswith(setup["id"])


def test_a_card_declined_at_attach_leaves_nothing_behind(localstripe, resident):
    pm_id = create_payment_method(DECLINED_AT_ATTACH)

    with pytest.raises(CardDeclined, match="declined"):
        card_attach(user=resident, payment_method_id=pm_id)

    assert not SavedCard.objects.filter(user=resident).exists()
    assert sc.payment_method_retrieve(pm_id)["customer"] is None


def test_the_resident_chooses_the_default_card_and_removing_it_promotes_another(
    localstripe, resident
):
    first = save_card(resident)
    second = save_card(resident, "5555555555554444")
    assert not second.is_default

    card_set_default(user=resident, card=second)
    first.refresh_from_db()
    assert (first.is_default, SavedCard.objects.get(pk=second.pk).is_default) == (False, True)
    customer = sc.client().v1.customers.retrieve(resident.stripe_customer.stripe_id)
    assert customer["invoice_settings"]["default_payment_method"] == (
        second.stripe_payment_method_id
    )

    card_remove(user=resident, card=SavedCard.objects.get(pk=second.pk))
    assert list(SavedCard.objects.filter(user=resident)) == [first]
    first.refresh_from_db()
    assert first.is_default
    assert sc.payment_method_retrieve(second.stripe_payment_method_id)["customer"] is None


def test_one_resident_cannot_take_over_another_residents_card(
    localstripe, resident, other_resident
):
    card = save_card(resident)

    with pytest.raises(InvalidPaymentOperation):
        card_attach(user=other_resident, payment_method_id=card.stripe_payment_method_id)
    with pytest.raises(InvalidPaymentOperation):
        card_set_default(user=other_resident, card=card)
    assert SavedCard.objects.get(pk=card.pk).user == resident
