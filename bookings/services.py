"""Booking an appointment: hold, confirm, release, and the transitions after that.

One-click booking is ``appointment_book``: a hold (one transaction: lock the qualified
workers, pick a free one, write the Oscar order and the held appointment), then — outside
any lock — payment, then confirmation. Its order is written directly (``_write_order``: one
order, one line), not through a basket and Oscar's OrderCreator. Basket checkout
(``bookings/basket.py``) has the same shape with one appointment per line and goes through
Oscar; cancelling and rescheduling are in ``bookings/changes.py``.

The price of a booking is decided in exactly one place, ``service_quote``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.analytics.models import ProductRecord, UserRecord
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.order.models import Line, LineAttribute, LinePrice, Order
from oscar.apps.order.utils import OrderCreator
from oscar.apps.shipping.methods import NoShippingRequired

from bookings.appointments import locking
from bookings.exceptions import (
    BookingError,
    HouseholdRequired,
    InvalidTransition,
    NotOfferedHere,
    PriceNotPublished,
    SlotUnavailable,
)
from bookings.models import Appointment, AppointmentEvent, Worker
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
from marketplace.partner.models import StockRecord
from marketplace.partner.strategy import CommunityStrategy
from marketplace.policy import LOCAL_TZ, TRAVEL_BUFFER

SLOT_OPTION_CODE = "slot"
Status = Appointment.Status


# --- price -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    stockrecord: object
    amount: Decimal
    board_revision_id: int | None = None
    price: object = None  # the pricing Strategy's price (incl./excl. tax, currency)


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
        stockrecord=info.stockrecord,
        amount=board.amount,
        board_revision_id=board.revision_id,
        price=info.price,
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


def slot_taken() -> SlotUnavailable:
    """The refusal of a time another booking has just taken."""
    return SlotUnavailable(_("Sorry, that time was just taken. Please choose another slot."))


def _choose_worker(
    candidate_ids, *, start, duration, prefer_id=None, exclude_appointment=None
) -> Worker:
    free = _free_workers(
        candidate_ids, start=start, duration=duration, exclude_appointment=exclude_appointment
    )
    if not free:
        raise slot_taken()
    for worker in free:
        if worker.pk == prefer_id:
            return worker
    return free[0]


def _unbooked_candidates(*, product, stockrecord, community, start, duration) -> list[int]:
    """A first look, without the lock, in one query: the qualified workers with no active
    appointment near ``start``.

    It decides nothing (the locked re-check, ``_free_workers``, reads hours, time off and
    appointments again); it answers a slot taken a moment ago before anything is written or
    anyone queues behind the lock, and it narrows the workers to lock to those worth locking.
    The condition is ``with_calendar``'s: a busy range [start, busy_until) that comes within
    the travel buffer of the job.
    """
    near = Appointment.objects.filter(
        worker=OuterRef("pk"),
        status__in=Appointment.ACTIVE,
        start__lt=start + duration + TRAVEL_BUFFER,
        busy_until__gt=start,
    )
    return list(
        qualified_workers(product=product, stockrecord=stockrecord, community=community)
        .filter(~Exists(near))
        .values_list("pk", flat=True)
    )


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


def _prepare(*, community, product, start, line_price=None, unbooked_only=False) -> _Request:
    """Price, terms and candidate workers of one appointment, before anything is locked.

    ``unbooked_only`` (one click) keeps only the candidates with no active appointment near
    ``start`` (``_unbooked_candidates``); otherwise every qualified worker is a candidate.
    """
    validate_start(start)
    # The community's StockRecord (and its provider), read once: the quote, the order line
    # and the price check all ask this product for it (and Oscar's strategy would query it
    # each time).
    prefetch_related_objects(
        [product],
        Prefetch(
            "stockrecords",
            queryset=StockRecord.objects.filter(community=community).select_related("partner"),
        ),
    )
    quote = service_quote(community=community, product=product)
    if line_price is not None:
        _check_line_price(line_price, quote, product)
    terms = service_terms(product)
    if unbooked_only:
        candidate_ids = _unbooked_candidates(
            product=product,
            stockrecord=quote.stockrecord,
            community=community,
            start=start,
            duration=terms.duration,
        )
    else:
        candidate_ids = _candidate_ids(
            product=product, stockrecord=quote.stockrecord, community=community
        )
    return _Request(
        product=product,
        start=start,
        duration=terms.duration,
        cancellation_fee=terms.cancellation_fee,
        quote=quote,
        candidate_ids=candidate_ids,
    )


def _new_appointment(
    *, user, household, request: _Request, order, line, worker: Worker, status, booking_key=None
) -> Appointment:
    """The appointment row of a hold, unsaved: what one click and basket checkout both write."""
    return Appointment(
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
        status=status,
        price=request.quote.amount,
        cancellation_fee=request.cancellation_fee,
        board_revision_id=request.quote.board_revision_id,
        booking_key=booking_key,
    )


def _booked_event(appointment: Appointment, user) -> AppointmentEvent:
    return AppointmentEvent(
        appointment=appointment,
        actor=user,
        from_status="",
        to_status=Status.HELD,
        reason=_("Booked by the resident"),
    )


def _create_appointment(
    *, user, household, request: _Request, order, line, worker: Worker
) -> Appointment:
    """Write the held appointment (the database refuses it if the worker is taken)."""
    try:
        # A savepoint, so a refused insert leaves the outer transaction usable.
        with transaction.atomic():
            appointment = _new_appointment(
                user=user,
                household=household,
                request=request,
                order=order,
                line=line,
                worker=worker,
                status=Status.HELD,
            )
            appointment.save()
    except IntegrityError as exc:
        if _is_overlap(exc):
            raise slot_taken() from exc
        raise
    _booked_event(appointment, user).save()
    return appointment


# --- one click ------------------------------------------------------------------------------


def appointment_hold(
    *,
    user,
    product,
    start: datetime,
    household=None,
    confirm: bool = False,
    booking_key: str | None = None,
) -> Appointment:
    """Hold a qualified free worker for ``start`` and write its order: one transaction.

    The order is Pending, or with ``confirm`` (nothing to pay now) Confirmed with the appointment in that
    same transaction. With ``booking_key`` (the booking form's one-time key) the key is recorded on
    the appointment, unique per resident: a second hold with the same key writes nothing and
    returns the first appointment, marked ``is_repeat``. Raises ``HouseholdRequired``,
    ``NotOfferedHere``, ``BookingError`` (bad time) before anything is written, and
    ``SlotUnavailable`` (with the next free slots) when no worker is free; then nothing is
    left behind.
    """
    household = resolve_household(user=user, household=household)
    community = household.community
    booking_key = _stored_key(booking_key)
    request = _prepare(community=community, product=product, start=start, unbooked_only=True)
    try:
        if not request.candidate_ids:
            raise slot_taken()
        # Outside the transaction: a first-ever booking creates the option row here, where
        # get_or_create settles a race by itself (see ``_rows_oscar_needs``).
        option = slot_option()
        appointment = _hold_or_earlier(
            user=user,
            household=household,
            request=request,
            option=option,
            booking_key=booking_key or None,
            confirm=confirm,
        )
    except SlotUnavailable as exc:
        # A double click whose first request took the last free worker: the slot is "taken"
        # by this very booking.
        earlier = appointment_for_key(user=user, booking_key=booking_key)
        if earlier is not None:
            return earlier
        exc.next_slots = next_free_slots(
            product=product, stockrecord=request.quote.stockrecord, community=community, near=start
        )
        raise
    return appointment


def appointment_for_key(*, user, booking_key: str) -> Appointment | None:
    """The appointment an earlier click with the same one-time key booked, marked ``is_repeat``."""
    if not booking_key:
        return None
    earlier = Appointment.objects.filter(
        resident=user, booking_key=_stored_key(booking_key)
    ).first()
    if earlier is not None:
        earlier.is_repeat = True
    return earlier


def _stored_key(booking_key: str | None) -> str:
    """The one-time key as the appointment stores it (cut to the column's length)."""
    return (booking_key or "")[: Appointment._meta.get_field("booking_key").max_length]


#: How often a hold is retried when its random order number was taken (rare: 10^12 a day).
_ORDER_NUMBER_ATTEMPTS = 3


def _hold_or_earlier(*, user, household, request, option, booking_key, confirm) -> Appointment:
    """``_hold`` in its own transaction; a refusal by the database is answered here, after
    the rollback, where the winner of a race is visible."""
    for attempt in range(_ORDER_NUMBER_ATTEMPTS):
        try:
            appointment = _hold(
                user=user,
                household=household,
                request=request,
                option=option,
                booking_key=booking_key,
                confirm=confirm,
            )
        except IntegrityError as exc:
            if _is_overlap(exc):
                # Only without the lock (it makes bookings queue): the constraint's refusal.
                raise slot_taken() from exc
            if booking_key and "booking_key" in str(exc):
                # Two requests with one key: the other committed first. Return its booking.
                earlier = appointment_for_key(user=user, booking_key=booking_key)
                if earlier is not None:
                    return earlier
            if _is_order_number_clash(exc) and attempt + 1 < _ORDER_NUMBER_ATTEMPTS:
                continue
            raise
        appointment.is_repeat = False
        return appointment
    raise AssertionError("unreachable")  # pragma: no cover


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
def _hold(
    *, user, household, request: _Request, option: Option, booking_key=None, confirm=False
) -> Appointment:
    """Lock, choose, and write the order, its line and the appointment: one transaction.

    No savepoint around the inserts: a refusal by the database (the no-overlap constraint,
    the booking key, the order number) rolls the whole hold back and is answered by
    ``_hold_or_earlier``.
    """
    # The lock comes first: everything this transaction reads about the workers' time is
    # read while no other booking can change it.
    locking.lock_workers(request.candidate_ids)
    worker = _choose_worker(request.candidate_ids, start=request.start, duration=request.duration)
    status = Status.CONFIRMED if confirm else Status.HELD
    order, line = _write_order(
        user=user, request=request, option=option, status=Appointment.ORDER_STATUS[status]
    )
    appointment = _new_appointment(
        user=user,
        household=household,
        request=request,
        order=order,
        line=line,
        worker=worker,
        status=status,
        booking_key=booking_key,
    )
    appointment.save()
    events = [_booked_event(appointment, user)]
    if confirm:
        # Nothing to authorise: the booking stands in the transaction that made it, so it
        # is never seen held, and its dispatch and reminders commit with it. The timeline
        # still reads held → confirmed, as ``transition_to`` would have written it.
        events.append(
            AppointmentEvent(
                appointment=appointment,
                actor=user,
                from_status=Status.HELD,
                to_status=Status.CONFIRMED,
                reason=_("Booking confirmed"),
            )
        )
    AppointmentEvent.objects.bulk_create(events)
    if confirm:
        from bookings.dispatch import on_transition

        on_transition(appointment, Status.HELD, Status.CONFIRMED, by=user)
    # Last, so the counters' rows are locked only for the commit (always product, then user,
    # as in Oscar's own receivers for the basket path: no deadlock between the two).
    _count_purchase(user=user, product=request.product, order=order)
    return appointment


def _order_number() -> str:
    """A one-click order's number: "A", the local date, 12 random digits.

    Basket orders are numbered by Oscar (100000 + basket id) and the scale seed uses "SC":
    the letter keeps the three apart. The number is unique in the database; a clash (about
    one in 10^12 a day) rolls the hold back and ``_hold_or_earlier`` tries another number.
    """
    return f"A{timezone.localdate():%y%m%d}{secrets.randbelow(10**12):012d}"


def _is_order_number_clash(exc: IntegrityError) -> bool:
    message = str(exc)
    return "order_order_number_key" in message or "order_order.number" in message


def _write_order(*, user, request: _Request, option: Option, status: str) -> tuple[Order, Line]:
    """The one-click order written directly, as Oscar's OrderCreator would write it for a
    basket of this one service (no shipping; no offers or vouchers apply to a booking; a
    service's capacity is its workers' time, not stock): the order, its line, the line's price
    and its slot attribute. Four INSERTs."""
    price = request.quote.price
    # The price comes only from the quote: the Strategy's price must be the board's.
    _check_line_price(price.incl_tax, request.quote, request.product)
    stockrecord = request.quote.stockrecord
    shipping = NoShippingRequired()
    order = Order.objects.create(
        number=_order_number(),
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
        product=request.product,
        title=request.product.get_title(),
        upc=request.product.upc,
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
        line=line, option=option, type=option.code, value=_slot_value(request.start)
    )
    return order, line


def _count_purchase(*, user, product, order: Order) -> None:
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
    service, and the hold is confirmed in the transaction that makes it.

    ``idempotency_key`` (the booking form's one-time key) is recorded on the appointment, unique
    per resident: a double click, even two requests at once, returns the first booking instead
    of booking (or paying) twice.
    """
    from bookings import payment_flow

    # No look-up of the key first: the unique key is the check, and a repeat is rare.
    if not payment_flow.pays_by_card(user):
        # Paid after the service: nothing happens between hold and confirmation.
        return appointment_hold(
            user=user,
            product=product,
            start=start,
            household=household,
            confirm=True,
            booking_key=idempotency_key,
        )
    appointment = appointment_hold(
        user=user, product=product, start=start, household=household, booking_key=idempotency_key
    )
    if appointment.is_repeat:
        return appointment  # the first click's booking, paid (or being paid) by that click
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
