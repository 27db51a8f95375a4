"""Fixtures for payments: orders to pay, cards saved at localstripe as the browser would, and the
helpers the services tests share (authorise an order, read its Oscar payment rows)."""

import itertools
from decimal import Decimal

import pytest
from django.utils import translation
from oscar.apps.order.models import Order
from oscar.apps.payment.models import Source

from payments import stripe_client as sc
from payments.cards import card_attach
from payments.services import payment_authorise

_numbers = itertools.count(100001)

VISA = "4242424242424242"
DECLINED_AT_ATTACH = "4000000000000002"  # localstripe declines it when attached
DECLINED_AT_CHARGE = "4000000000000341"  # attaches, then every charge is declined
NEEDS_3DS = "4000002500003155"  # off-session confirmation requires authentication


def make_order(user, total="120.00") -> Order:
    return Order.objects.create(
        number=f"L{next(_numbers)}-{user.pk}",
        user=user,
        currency="CNY",
        site_id=None,
        total_incl_tax=Decimal(total),
        total_excl_tax=Decimal(total),
    )


def create_payment_method(number: str) -> str:
    """A PaymentMethod as Stripe.js creates it from the card element (not yet attached)."""
    pm = sc.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return pm["id"]


def save_card(user, number: str = VISA):
    return card_attach(user=user, payment_method_id=create_payment_method(number))


def authorise(order, user, key="book-1"):
    """Authorise the order's total on the user's default card under ``key``."""
    return payment_authorise(
        order=order, user=user, amount=order.total_incl_tax, idempotency_key=key
    )


def txns(order):
    """The order's Oscar payment Source and its Transactions as ``[(txn_type, amount)]``."""
    source = Source.objects.get(order=order)
    return source, [(t.txn_type, t.amount) for t in source.transactions.order_by("pk")]


@pytest.fixture(autouse=True)
def _english():
    """Messages asserted in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def order(resident):
    return make_order(resident)


@pytest.fixture
def visa(localstripe, resident):
    return save_card(resident, VISA)
