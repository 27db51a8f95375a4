"""Basket checkout: several services at several times in one Oscar order.

The same shape as one-click booking (``one_click.appointment_book``): ``basket_checkout_hold``
places the order and holds a worker for every line in one transaction (all or nothing), the
payment seam follows, then ``order_confirm``. The forked checkout view
(``marketplace/checkout/views.py``) calls them.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.order.models import Order

from bookings.appointments import locking
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
    line_slot,
    place_order,
    rows_oscar_needs,
    slot_option,
    slot_value,
)
from bookings.availability.search import next_free_slots
from bookings.exceptions import BookingError, SlotsUnavailable, SlotUnavailable
from bookings.models import Appointment

Status = Appointment.Status


def basket_slot_problems(*, basket, household) -> dict[int, str]:
    """Read-only: what stands in the way of booking each basket line (line pk → message)."""
    problems = {}
    for line in basket.all_lines():
        try:
            plan = _prepare_line(line, household)
            if not free_workers(plan.candidate_ids, start=plan.start, duration=plan.duration):
                raise SlotUnavailable(_("This time is no longer free. Please choose another."))
        except BookingError as exc:
            problems[line.pk] = str(exc)
    return problems


def _prepare_line(line, household) -> HoldPlan:
    if line.quantity != 1:
        raise BookingError(_("Each line books one appointment: set the quantity to 1."))
    start = line_slot(line)
    if start is None:
        raise BookingError(_("Choose a time for this service."))
    return hold_prepare(
        community=household.community,
        product=line.product,
        start=start,
        line_price=line.unit_price_incl_tax,
    )


def basket_checkout_hold(*, user, basket, household, order_number=None) -> Order:
    """Place the basket as one Pending order with one held appointment per line.

    All or nothing: if any line's slot is taken (or otherwise refused) the transaction rolls
    back and ``SlotsUnavailable.problems`` says which lines (basket line pk → message).
    """
    household = resolve_household(user=user, household=household)
    lines = list(basket.all_lines())
    problems, plans = {}, []
    for line in lines:
        try:
            plans.append(_prepare_line(line, household))
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
    problems = {}
    for basket_line, plan, order_line in zip(lines, plans, order.lines.order_by("pk"), strict=True):
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


def order_confirm(*, order: Order, by=None) -> list[Appointment]:
    """Confirm every held appointment of an order (after payment, when there is one)."""
    appointments = list(order.appointments.filter(status=Status.HELD))
    for appointment in appointments:
        appointment_confirm(appointment=appointment, by=by)
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
    for line in basket.all_lines():
        if line.product_id == product.pk and line_slot(line) == start:
            raise BookingError(_("This service at this time is already in your basket."))
    basket.add_product(product, 1, options=[{"option": slot_option(), "value": value}])
