"""The Oscar orders behind bookings: the lean one-click order writer, basket orders through
Oscar's ``OrderCreator``, the slot attribute of a line, and Oscar's analytics counters."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from oscar.apps.analytics.models import ProductRecord, UserRecord
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.order.models import Line, LineAttribute, LinePrice, Order
from oscar.apps.order.utils import OrderCreator, OrderNumberGenerator
from oscar.apps.shipping.methods import NoShippingRequired

from bookings.appointments.quote import Quote, check_line_price
from bookings.availability.window import parse_start
from bookings.exceptions import BookingError
from marketplace.catalogue.models import Option
from marketplace.policy import LOCAL_TZ

SLOT_OPTION_CODE = "slot"


# --- the slot of a line --------------------------------------------------------------------


def slot_option() -> Option:
    """The product option that carries a basket or order line's slot (local ISO time)."""
    option, _created = Option.objects.get_or_create(
        code=SLOT_OPTION_CODE, defaults={"name": "预约时段 Time slot", "type": Option.TEXT}
    )
    return option


def line_slot(line, *, option: Option | None = None) -> datetime | None:
    """The slot start stored on an Oscar basket or order line, or None.

    With ``option`` (the slot option, ``slot_option()``) a line whose attributes are
    prefetched, as Oscar's ``Basket.all_lines`` prefetches them, costs no query; otherwise one
    query reads the line's attributes with their options."""
    if option is not None and "attributes" in getattr(line, "_prefetched_objects_cache", {}):
        values = [a.value for a in line.attributes.all() if a.option_id == option.pk]
    else:
        values = [
            a.value
            for a in line.attributes.select_related("option")
            if a.option.code == SLOT_OPTION_CODE
        ]
    if not values:
        return None
    try:
        return parse_start(str(values[0]))
    except BookingError:
        return None


def slot_value(start: datetime) -> str:
    """How a line stores its slot: the start as a local ISO 8601 string."""
    return start.astimezone(LOCAL_TZ).isoformat()


# --- basket orders (Oscar's OrderCreator) ----------------------------------------------------


def place_order(*, user, basket, order_number=None) -> Order:
    """An Oscar order for ``basket`` (services only: no shipping), status Pending."""
    shipping = NoShippingRequired()
    charge = shipping.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    order = OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=shipping,
        shipping_charge=charge,
        user=user,
        order_number=order_number,
        status=settings.OSCAR_INITIAL_ORDER_STATUS,
    )
    basket.submit()
    return order


# --- one-click orders (the lean writer) ------------------------------------------------------


class OneClickOrderNumberGenerator(OrderNumberGenerator):
    """A one-click order's number: "A", the local date, 12 random digits (Oscar's seam).

    Basket orders are numbered by Oscar (100000 + basket id) and the scale seed uses "SC":
    the letter keeps the three apart. The number is unique in the database; a clash (about
    one in 10^12 a day) rolls the hold back and the one-click hold tries another number.
    """

    def order_number(self, basket=None) -> str:
        return f"A{timezone.localdate():%y%m%d}{secrets.randbelow(10**12):012d}"


def new_order_number() -> str:
    """A fresh one-click order number (``OneClickOrderNumberGenerator``)."""
    return OneClickOrderNumberGenerator().order_number()


def is_order_number_clash(exc: IntegrityError) -> bool:
    """Did the database refuse an order because its number was taken?"""
    message = str(exc)
    return "order_order_number_key" in message or "order_order.number" in message


def write_order(
    *, user, product, quote: Quote, start: datetime, option: Option, status: str
) -> tuple[Order, Line]:
    """The one-click order: the order, its line, the line's price and its slot attribute.

    Written directly, as Oscar's OrderCreator would write it for a basket of this one service
    (no shipping; no offers or vouchers apply to a booking; a service's capacity is its
    workers' time, not stock). Why not through ``OrderCreator``: it needs a basket, and
    writing a basket and its line only to submit them, plus its offer and stock steps, is most
    of a one-click booking's queries; these are four INSERTs. The number still comes from
    Oscar's seam (``OneClickOrderNumberGenerator``). ``status`` is an Oscar order status.
    """
    price = quote.price
    # The price comes only from the quote: the Strategy's price must be the board's.
    check_line_price(price.incl_tax, quote, product)
    stockrecord = quote.stockrecord
    shipping = NoShippingRequired()
    order = Order.objects.create(
        number=new_order_number(),
        site=Site.objects.get_current(),
        user=user,
        currency=price.currency,
        total_incl_tax=price.incl_tax,
        total_excl_tax=price.excl_tax,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        shipping_method=str(shipping.name),
        shipping_code=shipping.code,
        status=status,
    )
    line = Line.objects.create(
        order=order,
        partner=stockrecord.partner,
        partner_name=stockrecord.partner.name,
        partner_sku=stockrecord.partner_sku,
        stockrecord=stockrecord,
        product=product,
        title=product.get_title(),
        upc=product.upc,
        quantity=1,
        line_price_excl_tax=price.excl_tax,
        line_price_incl_tax=price.incl_tax,
        line_price_before_discounts_excl_tax=price.excl_tax,
        line_price_before_discounts_incl_tax=price.incl_tax,
        unit_price_incl_tax=price.incl_tax,
        unit_price_excl_tax=price.excl_tax,
        tax_code=getattr(price, "tax_code", None),
        num_allocated=1,
        status=status,
    )
    LinePrice.objects.create(
        order=order,
        line=line,
        quantity=1,
        price_incl_tax=price.incl_tax,
        price_excl_tax=price.excl_tax,
        tax_code=getattr(price, "tax_code", None),
    )
    LineAttribute.objects.create(
        line=line, option=option, type=option.code, value=slot_value(start)
    )
    return order, line


# --- Oscar's analytics -------------------------------------------------------------------------


def rows_oscar_needs(*, user, products) -> Option:
    """Rows a booking transaction would otherwise create on first use, made beforehand.

    Why: Oscar's analytics counts every order in ProductRecord/UserRecord and creates the
    row the first time without a savepoint; inside our transaction a concurrent first use
    would abort the transaction instead of being retried. The slot option likewise: a
    first-ever booking must not make every other booking wait on its uncommitted row.
    ``get_or_create`` outside a transaction settles such races by itself. Returns the option.
    """
    for product in products:
        ProductRecord.objects.get_or_create(product=product)
    UserRecord.objects.get_or_create(user=user)
    return slot_option()


def count_purchase(*, user, product, order: Order) -> None:
    """What Oscar's analytics records for a placed order (its ``order_placed`` receivers):
    the service's purchases and the resident's orders. One UPDATE each; the row is created
    on first use, in a savepoint, so a concurrent first booking retries as an UPDATE instead
    of aborting the booking transaction."""
    _bump(ProductRecord, {"product": product}, {"num_purchases": 1})
    _bump(
        UserRecord,
        {"user": user},
        {"num_orders": 1, "num_order_lines": 1, "num_order_items": 1},
        total_spent=order.total_incl_tax,
        date_last_order=order.date_placed,
    )


def _bump(model, key: dict, counters: dict, **also) -> None:
    """Add ``counters`` (and ``total_spent``) to ``model``'s row for ``key``; set the rest."""
    changes = {field: F(field) + n for field, n in counters.items()}
    changes.update(also)
    if "total_spent" in also:
        changes["total_spent"] = F("total_spent") + also["total_spent"]
    if model.objects.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **counters, **also)
    except IntegrityError:
        model.objects.filter(**key).update(**changes)
