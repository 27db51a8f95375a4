"""Basket checkout: several services at several times in one Oscar order.

The same shape as one-click booking (``one_click.appointment_book``), read down from
``basket_checkout``: ``basket_checkout_hold`` places the order and holds a worker for every
line in one transaction (all or nothing), refusing any line or total that would charge other
than the published board (``quote.check_charges``); then, outside any lock, the saved card is
authorised for the order total (``payment.order_pay``), and ``order_confirm``. The forked
checkout view (``marketplace/checkout/views.py``) calls it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.order.models import Order

from bookings.appointments import locking, payment
from bookings.appointments.hold import (
    HoldPlan,
    choose_worker,
    create_appointment,
    free_workers,
    hold_prepare,
    resolve_household,
)
from bookings.appointments.lifecycle import appointment_confirm
from bookings.appointments.orders import (
    SLOT_OPTION_CODE,
    line_slot,
    place_order,
    rows_oscar_needs,
    slot_option,
    slot_value,
)
from bookings.appointments.quote import check_charges
from bookings.availability.search import next_free_slots
from bookings.exceptions import BookingError, InvalidTransition, SlotsUnavailable, SlotUnavailable
from bookings.models import Appointment
from marketplace.catalogue.models import Option

Status = Appointment.Status


def basket_slot_problems(*, basket, household) -> dict[int, str]:
    """Read-only: what stands in the way of booking each basket line (line pk → message)."""
    problems = {}
    option = _existing_slot_option()
    for line in basket.all_lines():
        try:
            plan = _prepare_line(line, household, option=option)
            if not free_workers(plan.candidate_ids, start=plan.start, duration=plan.duration):
                raise SlotUnavailable(_("This time is no longer free. Please choose another."))
        except BookingError as exc:
            problems[line.pk] = str(exc)
    return problems


def _existing_slot_option():
    """The slot option if it exists (None: no line has a slot yet); read, never created."""
    return Option.objects.filter(code=SLOT_OPTION_CODE).first()


def _prepare_line(line, household, *, option=None) -> HoldPlan:
    """The hold plan of one basket line; ``option`` (the slot option) lets the line's slot be
    read from its prefetched attributes (``orders.line_slot``)."""
    if line.quantity != 1:
        raise BookingError(_("Each line books one appointment: set the quantity to 1."))
    start = line_slot(line, option=option)
    if start is None:
        raise BookingError(_("Choose a time for this service."))
    plan = hold_prepare(
        community=household.community,
        product=line.product,
        start=start,
        line_price=line.unit_price_incl_tax,
    )
    # What the line charges, after every discount, is what the board says (or nothing).
    charged = line.line_price_incl_tax_incl_discounts
    check_charges(charged=[charged], quotes=[plan.quote], products=[line.product], total=charged)
    return plan


def basket_checkout_hold(*, user, basket, household, order_number=None) -> Order:
    """Place the basket as one Pending order with one held appointment per line.

    All or nothing: if any line's slot is taken (or otherwise refused) the transaction rolls
    back and ``SlotsUnavailable.problems`` says which lines (basket line pk → message).
    """
    household = resolve_household(user=user, household=household)
    lines = list(basket.all_lines())
    problems, plans = {}, []
    option = _existing_slot_option()
    for line in lines:
        try:
            plans.append(_prepare_line(line, household, option=option))
        except BookingError as exc:
            problems[line.pk] = str(exc)
    if problems:
        raise SlotsUnavailable(
            _("Some services in your basket cannot be booked."), problems=problems
        )
    rows_oscar_needs(user=user, products=[line.product for line in lines])
    return _hold_basket(
        user=user,
        basket=basket,
        household=household,
        lines=lines,
        plans=plans,
        order_number=order_number,
    )


@transaction.atomic
def _hold_basket(*, user, basket, household, lines, plans, order_number) -> Order:
    # Every line's candidates are locked up front, in one pk-ordered statement, so two
    # baskets that share workers queue rather than each holding half of what the other needs.
    locking.lock_workers([pk for p in plans for pk in p.candidate_ids])
    order = place_order(user=user, basket=basket, order_number=order_number)
    # Oscar writes order lines in basket-line order.
    order_lines = list(order.lines.order_by("pk"))
    # The order as written (each line after discounts, and the total) charges exactly the
    # board's prices, or the whole transaction rolls back (2020 national notice §19).
    check_charges(
        charged=[line.line_price_incl_tax for line in order_lines],
        quotes=[plan.quote for plan in plans],
        products=[plan.product for plan in plans],
        total=order.total_incl_tax,
    )
    problems = {}
    for basket_line, plan, order_line in zip(lines, plans, order_lines, strict=True):
        try:
            worker = choose_worker(plan.candidate_ids, start=plan.start, duration=plan.duration)
            create_appointment(
                user=user,
                household=household,
                plan=plan,
                order=order,
                line=order_line,
                worker=worker,
            )
        except SlotUnavailable as exc:
            problems[basket_line.pk] = str(exc)
    if problems:
        raise SlotsUnavailable(
            _("Some services in your basket cannot be booked."), problems=problems
        )
    return order


def basket_checkout(*, user, basket, order_number=None, next_url: str = "") -> Order:
    """Book the basket: hold every line, pay as one click pays, confirm.

    ``basket_checkout_hold`` (raises ``SlotsUnavailable``, ``BookingError``), then with a saved
    default card the order total is authorised (``payment.order_pay``: a refusal releases
    every hold and raises ``PaymentRefused``), then the order is confirmed, unless the bank
    asks for 3-D Secure: the order stays held and ``order.payment_action_url`` is the page to
    send the browser to (then ``next_url``); the payment's signal confirms it. Without a card
    the resident pays after the service.
    """
    order = basket_checkout_hold(
        user=user, basket=basket, household=None, order_number=order_number
    )
    # The hold has committed and no lock is held: the card is authorised now (a network call).
    action_url = payment.order_pay(order=order, user=user, next_url=next_url)
    if not action_url:
        order_confirm(order=order, by=user)
    order.payment_action_url = action_url
    return order


def order_confirm(*, order: Order, by=None) -> list[Appointment]:
    """Confirm every held appointment of an order (after payment, when there is one)."""
    # With their lines, and this very order (one copy whose status follows each
    # confirmation): ``sync_order_status`` reads neither again per appointment.
    appointments = list(order.appointments.filter(status=Status.HELD).select_related("line"))
    for appointment in appointments:
        appointment.order = order
        try:
            appointment_confirm(appointment=appointment, by=by)
        except InvalidTransition:
            appointment.refresh_from_db()  # confirmed meanwhile by the payment's signal
    return appointments


def basket_add_service(*, basket, product, start: datetime, household) -> None:
    """Put a service at a slot in the resident's basket, to check out with others."""
    plan = hold_prepare(community=household.community, product=product, start=start)
    if not free_workers(plan.candidate_ids, start=start, duration=plan.duration):
        raise SlotUnavailable(
            _("This time is no longer free. Please choose another."),
            next_slots=next_free_slots(
                product=product,
                stockrecord=plan.quote.stockrecord,
                community=household.community,
                near=start,
            ),
        )
    value = slot_value(start)
    option = slot_option()
    for line in basket.all_lines():
        # The prefetched attributes: no query per line already in the basket.
        if line.product_id == product.pk and line_slot(line, option=option) == start:
            raise BookingError(_("This service at this time is already in your basket."))
    basket.add_product(product, 1, options=[{"option": option, "value": value}])
