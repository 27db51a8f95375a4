"""Holding a worker: what one click and basket checkout share before and while they lock.

``hold_prepare`` prices and checks one appointment and lists its candidate workers, before
anything is locked; ``choose_worker`` picks a free one under the worker lock
(``bookings.appointments.locking``); ``new_appointment`` and ``booked_event`` are the rows a
hold writes. The one-click hold itself is ``bookings.appointments.one_click.appointment_hold``;
the basket's is ``bookings.appointments.basket.basket_checkout_hold``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.appointments.quote import Quote, check_line_price, service_quote
from bookings.availability.calendars import qualified_workers, with_calendar, worker_is_free
from bookings.availability.search import service_terms
from bookings.availability.window import validate_start
from bookings.exceptions import BookingError, HouseholdRequired, SlotUnavailable
from bookings.models import Appointment, AppointmentEvent, Worker
from marketplace.models import Household
from marketplace.partner.models import StockRecord
from marketplace.policy import TRAVEL_BUFFER

Status = Appointment.Status


def resolve_household(*, user, household=None) -> Household:
    """The household to book for: the one given (if it is the user's) or the default.

    Raises ``HouseholdRequired`` (no household yet) or ``BookingError`` (someone else's)."""
    if household is None:
        household = (
            Household.objects.select_related("community").filter(user=user, is_default=True).first()
        )
        if household is None:
            raise HouseholdRequired(_("Please add your home address before booking."))
    elif household.user_id != user.pk:
        raise BookingError(_("You can only book for your own households."))
    return household


def slot_taken() -> SlotUnavailable:
    """The refusal of a time another booking has just taken."""
    return SlotUnavailable(_("Sorry, that time was just taken. Please choose another slot."))


def is_overlap(exc: IntegrityError) -> bool:
    """Was ``exc`` the no-overlap exclusion constraint refusing a worker's second job?"""
    return "appointment_worker_no_overlap" in str(exc)


# --- which workers -----------------------------------------------------------------------------


def free_workers(
    worker_ids, *, start: datetime, duration: timedelta, exclude_appointment=None
) -> list[Worker]:
    """Those of the (locked) workers who have time at ``start``, least loaded first.

    A worker's load (their active future appointments, counted) only orders two or more
    candidates: a single candidate is not counted (a busy worker's count is most of the
    query's cost), and gets ``load`` 0."""
    worker_ids = list(worker_ids)
    workers = Worker.objects.filter(pk__in=worker_ids)
    if len(worker_ids) > 1:
        # A correlated count, not a join: its WHERE reaches the partial index of active
        # appointments (``appointment_worker_active``), where a join's FILTER read the worker's
        # whole history (2,000 buffers at 1M appointments; issue 20).
        coming = (
            Appointment.objects.filter(
                worker=OuterRef("pk"), status__in=Appointment.ACTIVE, start__gte=timezone.now()
            )
            .order_by()
            .values("worker")
            .annotate(n=Count("pk"))
            .values("n")
        )
        workers = workers.annotate(load=Coalesce(Subquery(coming), 0))
    else:
        workers = workers.annotate(load=Value(0))
    workers = with_calendar(
        workers,
        start=start,
        end=start + duration,
        exclude_appointment=exclude_appointment,
    )
    free = [w for w in workers if worker_is_free(w, start, duration)]
    return sorted(free, key=lambda w: (w.load, -w.rating, w.pk))


def choose_worker(
    candidate_ids, *, start, duration, prefer_id=None, exclude_appointment=None
) -> Worker:
    """The free worker to hold: ``prefer_id`` if free, else the least loaded (``free_workers``).

    Call it under the lock of ``candidate_ids``. Raises ``SlotUnavailable`` when nobody is free.
    """
    free = free_workers(
        candidate_ids, start=start, duration=duration, exclude_appointment=exclude_appointment
    )
    if not free:
        raise slot_taken()
    for worker in free:
        if worker.pk == prefer_id:
            return worker
    return free[0]


def unbooked_candidates(*, product, stockrecord, community, start, duration) -> list[int]:
    """A first look, without the lock, in one query: the qualified workers with no active
    appointment near ``start``.

    It decides nothing (the locked re-check, ``free_workers``, reads hours, time off and
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


def candidate_ids(*, product, stockrecord, community) -> list[int]:
    """The ids of every qualified worker (``qualified_workers``), ascending."""
    return list(
        qualified_workers(
            product=product, stockrecord=stockrecord, community=community
        ).values_list("pk", flat=True)
    )


# --- preparing a hold ------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldPlan:
    """One appointment to hold: what, when, at which price, with which candidates."""

    product: object
    start: datetime
    duration: timedelta
    cancellation_fee: Decimal
    quote: Quote
    candidate_ids: list


def hold_prepare(*, community, product, start, line_price=None, unbooked_only=False) -> HoldPlan:
    """Price, terms and candidate workers of one appointment, before anything is locked.

    ``unbooked_only`` (one click) keeps only the candidates with no active appointment near
    ``start`` (``unbooked_candidates``); otherwise every qualified worker is a candidate.
    Raises ``BookingError`` (bad time, changed ``line_price``), ``ServiceNotOfferedHere``,
    ``PriceNotPublished``.
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
        check_line_price(line_price, quote, product)
    terms = service_terms(product)
    if unbooked_only:
        candidates = unbooked_candidates(
            product=product,
            stockrecord=quote.stockrecord,
            community=community,
            start=start,
            duration=terms.duration,
        )
    else:
        candidates = candidate_ids(
            product=product, stockrecord=quote.stockrecord, community=community
        )
    return HoldPlan(
        product=product,
        start=start,
        duration=terms.duration,
        cancellation_fee=terms.cancellation_fee,
        quote=quote,
        candidate_ids=candidates,
    )


# --- the rows of a hold ------------------------------------------------------------------------


def new_appointment(
    *,
    user,
    household,
    plan: HoldPlan,
    order,
    line,
    worker: Worker,
    status,
    booking_key=None,
    series=None,
    by_card: bool = False,
) -> Appointment:
    """The appointment row of a hold, unsaved: what one click and basket checkout both write.
    ``by_card``: the resident's default card is to be authorised for it (payment method card;
    otherwise the model's default, paid after the service)."""
    extra = {"payment_method": Appointment.PaymentMethod.CARD} if by_card else {}
    return Appointment(
        **extra,
        resident=user,
        household=household,
        community=household.community,
        product=plan.product,
        stockrecord=plan.quote.stockrecord,
        order=order,
        line=line,
        worker=worker,
        start=plan.start,
        end=plan.start + plan.duration,
        status=status,
        price=plan.quote.amount,
        cancellation_fee=plan.cancellation_fee,
        board_revision_id=plan.quote.board_revision_id,
        booking_key=booking_key,
        series=series,
    )


def booked_event(appointment: Appointment, user) -> AppointmentEvent:
    """The first event of an appointment's timeline (unsaved): booked, held."""
    return AppointmentEvent(
        appointment=appointment,
        actor=user,
        from_status="",
        to_status=Status.HELD,
        reason=gettext_noop("Booked by the resident"),
    )


def create_appointment(
    *, user, household, plan: HoldPlan, order, line, worker: Worker
) -> Appointment:
    """Write the held appointment and its first event (the database refuses a taken worker:
    ``SlotUnavailable``)."""
    try:
        # A savepoint, so a refused insert leaves the outer transaction usable.
        with transaction.atomic():
            appointment = new_appointment(
                user=user,
                household=household,
                plan=plan,
                order=order,
                line=line,
                worker=worker,
                status=Status.HELD,
            )
            appointment.save()
    except IntegrityError as exc:
        if is_overlap(exc):
            raise slot_taken() from exc
        raise
    booked_event(appointment, user).save()
    return appointment


# --- the booking key ---------------------------------------------------------------------------


#: The one-time key a booking form sends (``<nonce>:<start>``, ``booking_nonce``): letters,
#: digits and ``: + . _ -``, at most 100 characters, so that the payment's key made of it
#: (``payment._key``: ``book:<user id>:<key>``) fits its 128-character column.
BOOKING_KEY_PATTERN = r"[A-Za-z0-9:+._-]{1,100}"
BOOKING_KEY_MAX_LENGTH = 100


def stored_key(booking_key: str | None) -> str:
    """The one-time key as the appointment stores it ("" for none).

    Raises ``BookingError`` (400) for a key that is not ``BOOKING_KEY_PATTERN``, before
    anything is written: a key cut to fit would make two bookings one, and one that does not
    fit the payment's key column would fail after the hold."""
    key = booking_key or ""
    if key and not re.fullmatch(BOOKING_KEY_PATTERN, key):
        raise BookingError(
            _(
                "The booking key must be 1 to %(max)d letters, digits or the signs : + . _ -. "
                "Please reload the page and book again."
            )
            % {"max": BOOKING_KEY_MAX_LENGTH}
        )
    return key


def appointment_for_key(*, user, booking_key: str) -> Appointment | None:
    """The appointment an earlier click with the same one-time key booked, marked ``is_repeat``."""
    if not booking_key:
        return None
    earlier = Appointment.objects.filter(resident=user, booking_key=stored_key(booking_key)).first()
    if earlier is not None:
        earlier.is_repeat = True
    return earlier
