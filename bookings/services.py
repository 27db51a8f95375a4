"""Booking an appointment: hold, confirm, release, and the transitions after that.

One-click booking is ``appointment_book``: a hold (one transaction: lock the qualified
workers, pick a free one, write the Oscar order and the held appointment), then — outside
any lock — payment, then confirmation. Basket checkout (``bookings/basket.py``) has the same
shape with one appointment per line; cancelling and rescheduling are in ``bookings/changes.py``.

The price of a booking is decided in exactly one place, ``service_quote``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.analytics.models import ProductRecord, UserRecord
from oscar.apps.basket.models import Basket
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.order.models import Order
from oscar.apps.order.utils import OrderCreator
from oscar.apps.shipping.methods import NoShippingRequired

from bookings.exceptions import (
    BookingError,
    HouseholdRequired,
    InvalidTransition,
    NotOfferedHere,
    PriceNotPublished,
    SlotUnavailable,
)
from bookings.models import Appointment, AppointmentEvent, Worker
from bookings.policy import LOCAL_TZ
from bookings.slots import (
    next_free_slots,
    parse_start,
    qualified_workers,
    service_terms,
    validate_start,
    with_calendar,
    worker_is_free,
)
from marketplace.catalogue.models import Option
from marketplace.models import Household
from marketplace.partner.strategy import CommunityStrategy

SLOT_OPTION_CODE = "slot"
Status = Appointment.Status


# --- price -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    stockrecord: object
    amount: Decimal
    board_revision_id: int | None = None


def service_quote(*, community, product) -> Quote:
    """The price a resident of ``community`` pays for ``product``: the one place it is decided.

    The community's StockRecord through the pricing Strategy, and only if that price is on the
    community's published fee board (``cms.pricing.published_board_price``): a price not on the
    board is refused before anything is written, and the board revision that justified it is
    recorded on the appointment.
    """
    from cms.pricing import PriceNotOnBoard, published_board_price

    info = CommunityStrategy(community=community).fetch_for_product(product)
    if info.stockrecord is None or not info.price.exists:
        raise NotOfferedHere(
            _("%(service)s is not offered in %(community)s.")
            % {"service": product.get_title(), "community": community.display_name}
        )
    try:
        board = published_board_price(
            community=community, product=product, stockrecord=info.stockrecord
        )
    except PriceNotOnBoard as exc:
        raise PriceNotPublished(str(exc)) from exc
    return Quote(
        stockrecord=info.stockrecord, amount=board.amount, board_revision_id=board.revision_id
    )


def _check_line_price(line_price: Decimal, quote: Quote, product) -> None:
    if line_price != quote.amount:
        raise BookingError(
            _("The price of %(service)s has changed to %(price)s. Please review it and book again.")
            % {"service": product.get_title(), "price": f"¥{quote.amount}"}
        )


# --- who, where, when ------------------------------------------------------------------------


def resolve_household(*, user, household=None) -> Household:
    """The household to book for: the one given (if it is the user's) or the default."""
    if household is None:
        household = (
            Household.objects.select_related("community").filter(user=user, is_default=True).first()
        )
        if household is None:
            raise HouseholdRequired(_("Please add your home address before booking."))
    elif household.user_id != user.pk:
        raise BookingError(_("You can only book for your own households."))
    return household


def slot_option() -> Option:
    """The product option that carries a basket or order line's slot (local ISO time)."""
    option, _created = Option.objects.get_or_create(
        code=SLOT_OPTION_CODE, defaults={"name": "预约时段 Time slot", "type": Option.TEXT}
    )
    return option


def line_slot(line) -> datetime | None:
    """The slot start stored on an Oscar basket or order line, or None."""
    for attr in line.attributes.select_related("option"):
        if attr.option.code == SLOT_OPTION_CODE:
            try:
                return parse_start(str(attr.value))
            except BookingError:
                return None
    return None


def _slot_value(start: datetime) -> str:
    return start.astimezone(LOCAL_TZ).isoformat()


# --- the worker lock --------------------------------------------------------------------------


def _lock_workers(worker_ids) -> list[int]:
    """Lock the candidate workers' rows until the transaction ends.

    Why: choosing a free worker is a read and booking them is a write; two bookings that both
    read before either writes would both see the worker free. With the rows locked, the second
    booking waits for the first to commit and then sees its appointment. Rows are locked in
    primary-key order so two bookings wanting overlapping sets queue instead of deadlocking.
    (SQLite has no row locks; its transactions begin IMMEDIATE, so writers queue as a whole.)
    The exclusion constraint stays the last word if anything ever skipped this.
    """
    return list(
        Worker.objects.select_for_update()
        .filter(pk__in=sorted(set(worker_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _free_workers(
    worker_ids, *, start: datetime, duration: timedelta, exclude_appointment=None
) -> list[Worker]:
    """Those of the (locked) workers who have time at ``start``, least loaded first."""
    workers = with_calendar(
        Worker.objects.filter(pk__in=worker_ids).annotate(
            load=Count(
                "appointments",
                filter=Q(
                    appointments__status__in=Appointment.ACTIVE,
                    appointments__start__gte=timezone.now(),
                ),
            )
        ),
        start=start,
        end=start + duration,
        exclude_appointment=exclude_appointment,
    )
    free = [w for w in workers if worker_is_free(w, start, duration)]
    return sorted(free, key=lambda w: (w.load, -w.rating, w.pk))


def _choose_worker(
    candidate_ids, *, start, duration, prefer_id=None, exclude_appointment=None
) -> Worker:
    free = _free_workers(
        candidate_ids, start=start, duration=duration, exclude_appointment=exclude_appointment
    )
    if not free:
        raise SlotUnavailable(_("Sorry, that time was just taken. Please choose another slot."))
    for worker in free:
        if worker.pk == prefer_id:
            return worker
    return free[0]


def _candidate_ids(*, product, stockrecord, community) -> list[int]:
    return list(
        qualified_workers(
            product=product, stockrecord=stockrecord, community=community
        ).values_list("pk", flat=True)
    )


def _is_overlap(exc: IntegrityError) -> bool:
    return "appointment_worker_no_overlap" in str(exc)


# --- orders ------------------------------------------------------------------------------------


def _place_order(*, user, basket, order_number=None) -> Order:
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


@dataclass(frozen=True)
class _Request:
    """One appointment to hold: what, when, at which price, with which candidates."""

    product: object
    start: datetime
    duration: timedelta
    cancellation_fee: Decimal
    quote: Quote
    candidate_ids: list


def _prepare(*, community, product, start, line_price=None) -> _Request:
    validate_start(start)
    quote = service_quote(community=community, product=product)
    if line_price is not None:
        _check_line_price(line_price, quote, product)
    terms = service_terms(product)
    return _Request(
        product=product,
        start=start,
        duration=terms.duration,
        cancellation_fee=terms.cancellation_fee,
        quote=quote,
        candidate_ids=_candidate_ids(
            product=product, stockrecord=quote.stockrecord, community=community
        ),
    )


def _create_appointment(
    *, user, household, request: _Request, order, line, worker: Worker
) -> Appointment:
    """Write the held appointment (the database refuses it if the worker is taken)."""
    try:
        # A savepoint, so a refused insert leaves the outer transaction usable.
        with transaction.atomic():
            appointment = Appointment.objects.create(
                resident=user,
                household=household,
                community=household.community,
                product=request.product,
                stockrecord=request.quote.stockrecord,
                order=order,
                line=line,
                worker=worker,
                start=request.start,
                end=request.start + request.duration,
                status=Status.HELD,
                price=request.quote.amount,
                cancellation_fee=request.cancellation_fee,
                board_revision_id=request.quote.board_revision_id,
            )
    except IntegrityError as exc:
        if _is_overlap(exc):
            raise SlotUnavailable(
                _("Sorry, that time was just taken. Please choose another slot.")
            ) from exc
        raise
    AppointmentEvent.objects.create(
        appointment=appointment,
        actor=user,
        from_status="",
        to_status=Status.HELD,
        reason=_("Booked by the resident"),
    )
    return appointment


# --- one click ------------------------------------------------------------------------------


def appointment_hold(*, user, product, start: datetime, household=None) -> Appointment:
    """Hold a qualified free worker for ``start`` and write the Pending order: one transaction.

    Raises ``HouseholdRequired``, ``NotOfferedHere``, ``BookingError`` (bad time) before
    anything is written, and ``SlotUnavailable`` (with the next free slots) when no worker is
    free; then nothing is left behind.
    """
    household = resolve_household(user=user, household=household)
    request = _prepare(community=household.community, product=product, start=start)
    option = _rows_oscar_needs(user=user, products=[product])
    try:
        return _hold(user=user, household=household, request=request, option=option)
    except SlotUnavailable as exc:
        exc.next_slots = next_free_slots(
            product=product,
            stockrecord=request.quote.stockrecord,
            community=household.community,
            near=start,
        )
        raise


def _rows_oscar_needs(*, user, products) -> Option:
    """Rows a booking transaction would otherwise create on first use, made beforehand.

    Why: Oscar's analytics counts every order in ProductRecord/UserRecord and creates the
    row the first time without a savepoint; inside our transaction a concurrent first use
    would abort the transaction instead of being retried. The slot option likewise: a
    first-ever booking must not make every other booking wait on its uncommitted row.
    ``get_or_create`` outside a transaction settles such races by itself.
    """
    for product in products:
        ProductRecord.objects.get_or_create(product=product)
    UserRecord.objects.get_or_create(user=user)
    return slot_option()


@transaction.atomic
def _hold(*, user, household, request: _Request, option: Option) -> Appointment:
    # The lock comes first: everything this transaction reads about the workers' time is
    # read while no other booking can change it.
    _lock_workers(request.candidate_ids)
    worker = _choose_worker(request.candidate_ids, start=request.start, duration=request.duration)
    basket = Basket.objects.create(owner=user)
    basket.strategy = CommunityStrategy(community=household.community)
    basket_line, _created = basket.add_product(
        request.product, 1, options=[{"option": option, "value": _slot_value(request.start)}]
    )
    _check_line_price(basket_line.unit_price_incl_tax, request.quote, request.product)
    order = _place_order(user=user, basket=basket)
    return _create_appointment(
        user=user,
        household=household,
        request=request,
        order=order,
        line=order.lines.get(),
        worker=worker,
    )


def appointment_confirm(*, appointment: Appointment, by=None) -> Appointment:
    """held → confirmed: the booking stands (after payment, when there is one)."""
    appointment.transition_to(Status.CONFIRMED, by=by, reason=_("Booking confirmed"))
    return appointment


def appointment_release(
    *, appointment: Appointment, reason: str, status=Status.EXPIRED, by=None
) -> Appointment:
    """A hold that will not be confirmed (payment refused, abandoned): free the slot.

    The exclusion constraint only covers active statuses, so leaving ``held`` frees the
    worker; the Oscar order follows to Cancelled.
    """
    if status not in (Status.EXPIRED, Status.CANCELLED):
        raise ValueError(f"A hold is released to expired or cancelled, not {status}")
    appointment.transition_to(status, by=by, reason=reason)
    return appointment


def appointment_book(
    *, user, product, start: datetime, household=None, idempotency_key: str = ""
) -> Appointment:
    """One click: hold, pay, confirm.

    With a saved default card the order total is authorised off-session (or, for a start more
    than 5 days away, scheduled for authorisation 48 h before); a card that needs 3-D Secure
    leaves the appointment held with ``payment_action_url`` set for the browser; a declined card
    releases the hold and raises ``PaymentRefused``. Without a card the resident pays after the
    service. ``idempotency_key`` (the booking form's one-time key) makes a double click return
    the first booking instead of paying twice.
    """
    from bookings import payment_flow

    earlier = payment_flow.appointment_for_key(user=user, idempotency_key=idempotency_key)
    if earlier is not None:
        return earlier
    appointment = appointment_hold(user=user, product=product, start=start, household=household)
    # The hold has committed and no lock is held: the card is authorised now (a network call).
    appointment = payment_flow.appointment_pay(
        appointment=appointment, idempotency_key=idempotency_key
    )
    action_url = getattr(appointment, "payment_action_url", "")
    # The payment's own signal may have confirmed it already (authorised): read it again.
    appointment.refresh_from_db()
    if appointment.status == Status.HELD and not action_url:
        try:
            appointment_confirm(appointment=appointment, by=user)
        except InvalidTransition:
            appointment.refresh_from_db()  # confirmed meanwhile by the payment signal
    appointment.payment_action_url = action_url
    return appointment


# --- lifecycle ---------------------------------------------------------------------------------


def appointment_transition(
    *, appointment: Appointment, to_status, by=None, reason: str = ""
) -> Appointment:
    """Any move the TRANSITIONS table allows, recorded; for dispatch, the console, tasks."""
    appointment.transition_to(to_status, by=by, reason=reason)
    return appointment
