"""Helpers for the board-rule tests: a basket checkout walked as the buttons do, a dashboard
site offer as Oscar's dashboard saves it, and the invariant every order must keep."""

from __future__ import annotations

import json
from decimal import Decimal

from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.order.models import Order
from wagtail.models import Revision

from payments.models import PaymentIntentRecord


def basket_checkout(client, product, start, *, place=True):
    """Add ``product`` at ``start`` to the basket and place the order (the preview's button).

    Returns the last response (the add's, when the add was refused)."""
    added = client.post(
        f"/shop/services/{product.pk}/basket/",
        {"start": start.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if added.status_code != 302 or not place:
        return added
    return place_order(client)


def place_order(client):
    """Walk Oscar's checkout from the basket to the placed order."""
    client.get("/shop/checkout/", follow=True)
    client.get("/shop/checkout/payment-details/")
    client.get("/shop/checkout/preview/")
    return client.post(
        "/shop/checkout/preview/", {"action": "place_order"}, HTTP_ACCEPT_LANGUAGE="en"
    )


def site_offer(percent: int = 10) -> ConditionalOffer:
    """A site offer of ``percent`` % on every product, as the dashboard's offer wizard saves it."""
    everything, _created = Range.objects.get_or_create(
        name="All services", defaults={"includes_all_products": True}
    )
    condition, _created = Condition.objects.get_or_create(
        range=everything, type=Condition.COUNT, value=1
    )
    benefit, _created = Benefit.objects.get_or_create(
        range=everything, type=Benefit.PERCENTAGE, value=percent
    )
    offer, _created = ConditionalOffer.objects.get_or_create(
        name=f"{percent}% off everything",
        defaults={
            "offer_type": ConditionalOffer.SITE,
            "condition": condition,
            "benefit": benefit,
            "status": ConditionalOffer.OPEN,
        },
    )
    return offer


def board_price(revision_id, product_id) -> Decimal | None:
    """The price ``revision_id`` of a fee board published for ``product_id`` (None: absent)."""
    content = Revision.objects.get(pk=revision_id).content
    services = content.get("life_services") or []
    if isinstance(services, str):
        services = json.loads(services)
    for entry in services:
        if entry.get("product_id") == product_id:
            return Decimal(str(entry["price"]))
    return None


def assert_every_charge_is_on_its_board():
    """Every appointment's price is on the board revision it names, and is what its order
    line charges after discounts; every order's total is the sum of its appointments' prices,
    and its card payment (if any) is for exactly that total, with each appointment marked as
    paid by card."""
    for order in Order.objects.prefetch_related("appointments__line", "lines"):
        appointments = list(order.appointments.all())
        if not appointments:
            continue
        for appointment in appointments:
            assert appointment.board_revision_id is not None
            on_board = board_price(appointment.board_revision_id, appointment.product_id)
            line = appointment.line
            assert on_board == appointment.price == line.unit_price_incl_tax
            assert line.line_price_incl_tax == line.line_price_before_discounts_incl_tax
            assert line.line_price_incl_tax == appointment.price
        assert order.total_incl_tax == sum(a.price for a in appointments)
        assert not order.discounts.exists()
        for intent in PaymentIntentRecord.objects.filter(order=order):
            assert intent.amount == order.total_incl_tax
            assert {a.payment_method for a in appointments} == {"card"}
