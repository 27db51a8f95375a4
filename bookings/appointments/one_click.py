"""One-click booking: ``appointment_book`` holds a worker, pays, confirms.

Read down from ``appointment_book`` to reach every side effect of a booking:

1. ``appointment_hold`` (one transaction): ``hold.hold_prepare`` prices the service
   (``quote.service_quote``, the one price decision) and lists the unbooked candidates; the
   candidates are locked (``locking.lock_workers``, the one lock order), ``hold.choose_worker``
   picks a free one, ``orders.write_order`` writes the Oscar order, its line and slot, and the
   held appointment and its first event are written. Without a card it is confirmed in that same
   transaction: ``lifecycle.transition_effects`` writes the dispatch outbox row (kicked to Celery
   on commit) and plans the reminders; ``orders.count_purchase`` updates Oscar's analytics.
2. With a card, outside any lock: ``payment.appointment_pay`` authorises it (a refusal releases
   the hold through ``lifecycle.appointment_release``).
3. ``lifecycle.appointment_confirm``: held → confirmed and what that triggers (see lifecycle).

The booking key (the form's one-time key) makes a double click return the first booking.
Basket checkout is ``bookings.appointments.basket``; cancel and reschedule ``changes``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from bookings.appointments import locking, payment
from bookings.appointments.hold import (
    HoldPlan,
    appointment_for_key,
    booked_event,
    choose_worker,
    hold_prepare,
    is_overlap,
    new_appointment,
    resolve_household,
    slot_taken,
    stored_key,
)
from bookings.appointments.lifecycle import (
    appointment_confirm,
    appointment_release,
    transition_effects,
)
from bookings.appointments.orders import (
    count_purchase,
    is_order_number_clash,
    slot_option,
    write_order,
)
from bookings.availability.search import next_free_slots
from bookings.exceptions import BookingError, InvalidTransition, SlotUnavailable
from bookings.models import Appointment, AppointmentEvent
from marketplace.catalogue.models import Option
from payments.models import PaymentIntentRecord
from payments.services import payment_for_order
from payments.urls import intent_action_url

Status = Appointment.Status


def appointment_hold(
    *,
    user,
    product,
    start: datetime,
    household=None,
    confirm: bool = False,
    booking_key: str | None = None,
    prefer_worker_id: int | None = None,
    series=None,
    by_card: bool = False,
) -> Appointment:
    """Hold a qualified free worker for ``start`` and write its order: one transaction.

    The order is Pending, or with ``confirm`` (nothing to pay now) Confirmed with the
    appointment in that same transaction. With ``booking_key`` (the booking form's one-time key) the key is recorded on
    the appointment, unique per resident: a second hold with the same key writes nothing and
    returns the first appointment, marked ``is_repeat``. ``prefer_worker_id`` is held when free
    (a series' worker; otherwise the least loaded), and ``series`` is recorded on the
    appointment (``bookings.series``). ``by_card``: it is written with the card as its payment
    method (``appointment_book`` authorises the card next). Raises ``HouseholdRequired``,
    ``ServiceNotOfferedHere``, ``BookingError`` (bad time) before anything is written, and
    ``SlotUnavailable`` (with the next free slots) when no worker is free; then nothing is
    left behind.
    """
    household = resolve_household(user=user, household=household)
    community = household.community
    booking_key = stored_key(booking_key)
    plan = hold_prepare(community=community, product=product, start=start, unbooked_only=True)
    try:
        if not plan.candidate_ids:
            raise slot_taken()
        # Outside the transaction: a first-ever booking creates the option row here, where
        # get_or_create settles a race by itself (see ``orders.rows_oscar_needs``).
        option = slot_option()
        appointment = _hold_or_earlier(
            user=user,
            household=household,
            plan=plan,
            option=option,
            booking_key=booking_key or None,
            confirm=confirm,
            prefer_worker_id=prefer_worker_id,
            series=series,
            by_card=by_card,
        )
    except SlotUnavailable as exc:
        # A double click whose first request took the last free worker: the slot is "taken"
        # by this very booking.
        earlier = appointment_for_key(user=user, booking_key=booking_key)
        if earlier is not None:
            return earlier
        exc.next_slots = next_free_slots(
            product=product, stockrecord=plan.quote.stockrecord, community=community, near=start
        )
        raise
    return appointment


#: How often a hold is retried when its random order number was taken (rare: 10^12 a day).
_ORDER_NUMBER_ATTEMPTS = 3


def _hold_or_earlier(
    *,
    user,
    household,
    plan,
    option,
    booking_key,
    confirm,
    prefer_worker_id=None,
    series=None,
    by_card=False,
) -> Appointment:
    """``_hold`` in its own transaction; a refusal by the database is answered here, after
    the rollback, where the winner of a race is visible."""
    for attempt in range(_ORDER_NUMBER_ATTEMPTS):
        try:
            appointment = _hold(
                user=user,
                household=household,
                plan=plan,
                option=option,
                booking_key=booking_key,
                confirm=confirm,
                prefer_worker_id=prefer_worker_id,
                series=series,
                by_card=by_card,
            )
        except IntegrityError as exc:
            if is_overlap(exc):
                # Only without the lock (it makes bookings queue): the constraint's refusal.
                raise slot_taken() from exc
            if booking_key and "booking_key" in str(exc):
                # Two requests with one key: the other committed first. Return its booking.
                earlier = appointment_for_key(user=user, booking_key=booking_key)
                if earlier is not None:
                    return earlier
            if is_order_number_clash(exc) and attempt + 1 < _ORDER_NUMBER_ATTEMPTS:
                continue
            raise
        appointment.is_repeat = False
        return appointment
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _hold(
    *,
    user,
    household,
    plan: HoldPlan,
    option: Option,
    booking_key=None,
    confirm=False,
    prefer_worker_id=None,
    series=None,
    by_card=False,
) -> Appointment:
    """Lock, choose, and write the order, its line and the appointment: one transaction.

    No savepoint around the inserts: a refusal by the database (the no-overlap constraint,
    the booking key, the order number) rolls the whole hold back and is answered by
    ``_hold_or_earlier``.
    """
    # The lock comes first: everything this transaction reads about the workers' time is
    # read while no other booking can change it.
    locking.lock_workers(plan.candidate_ids)
    worker = choose_worker(
        plan.candidate_ids, start=plan.start, duration=plan.duration, prefer_id=prefer_worker_id
    )
    status = Status.CONFIRMED if confirm else Status.HELD
    order, line = write_order(
        user=user,
        product=plan.product,
        quote=plan.quote,
        start=plan.start,
        option=option,
        status=Appointment.ORDER_STATUS[status],
    )
    appointment = new_appointment(
        user=user,
        household=household,
        plan=plan,
        order=order,
        line=line,
        worker=worker,
        status=status,
        booking_key=booking_key,
        series=series,
        by_card=by_card,
    )
    appointment.save()
    events = [booked_event(appointment, user)]
    if confirm:
        # Nothing to authorise: the booking stands in the transaction that made it, so it
        # is never seen held, and its dispatch and reminders commit with it. The timeline
        # still reads held → confirmed, as ``appointment_transition`` would have written it.
        events.append(
            AppointmentEvent(
                appointment=appointment,
                actor=user,
                from_status=Status.HELD,
                to_status=Status.CONFIRMED,
                reason=gettext_noop("Booking confirmed"),
            )
        )
    AppointmentEvent.objects.bulk_create(events)
    if confirm:
        # What held → confirmed triggers: the dispatch outbox row and the reminders.
        transition_effects(
            appointment=appointment,
            from_status=Status.HELD,
            to=Status.CONFIRMED,
            by=user,
            new=True,
        )
    # Last, so the counters' rows are locked only for the commit (always product, then user,
    # as in Oscar's own receivers for the basket path: no deadlock between the two).
    count_purchase(user=user, product=plan.product, order=order)
    return appointment


def appointment_book(
    *,
    user,
    product,
    start: datetime,
    household=None,
    idempotency_key: str = "",
    prefer_worker_id: int | None = None,
    series=None,
) -> Appointment:
    """One click: hold, pay, confirm.

    With a saved default card the order total is authorised off-session (or, for a start more
    than 5 days away, scheduled for authorisation 48 h before); a card that needs 3-D Secure
    leaves the appointment held with ``payment_action_url`` set for the browser; a declined card
    releases the hold and raises ``PaymentRefused``. Without a card the resident pays after the
    service, and the hold is confirmed in the transaction that makes it.

    ``idempotency_key`` (the booking form's one-time key) is recorded on the appointment, unique
    per resident: a double click, even two requests at once, returns the first booking instead
    of booking (or paying) twice, marked ``is_repeat`` and in the status it really has (held
    while its payment is under way, with ``payment_action_url`` if the bank's page waits;
    cancelled if its payment failed). A key that is not ``hold.BOOKING_KEY_PATTERN`` raises
    ``BookingError`` before anything is written; an unexpected error while paying releases
    the hold before it propagates. ``prefer_worker_id`` and ``series``: see ``appointment_hold``.
    """
    # No look-up of the key first: the unique key is the check, and a repeat is rare.
    card = payment.booking_card(user)  # read once: the payment uses this very row
    if card is None:
        # Paid after the service: nothing happens between hold and confirmation.
        return appointment_hold(
            user=user,
            product=product,
            start=start,
            household=household,
            confirm=True,
            booking_key=idempotency_key,
            prefer_worker_id=prefer_worker_id,
            series=series,
        )
    appointment = appointment_hold(
        user=user,
        product=product,
        start=start,
        household=household,
        booking_key=idempotency_key,
        prefer_worker_id=prefer_worker_id,
        series=series,
        by_card=True,  # the card below: marked in the hold, not by an UPDATE after it
    )
    if appointment.is_repeat:
        # The first click's booking, paid (or being paid) by that click: the caller reports
        # its status as it is (``is_repeat``), with the bank's page if it still waits there.
        return _with_action_url(appointment)
    # The hold has committed and no lock is held: the card is authorised now (a network call).
    try:
        appointment = payment.appointment_pay(
            appointment=appointment, idempotency_key=idempotency_key, card=card
        )
    except BookingError:
        raise  # refused: ``appointment_pay`` released the hold itself
    except Exception:
        # Anything else (a bug, a row the database refused) must not leave the worker held
        # for ``ABANDONED_HOLD_AFTER`` with an order nobody pays, nor a retry of this key
        # find a held booking: the hold is released, then the error goes on as it is.
        _release_unpaid(appointment, by=user)
        raise
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


def _release_unpaid(appointment: Appointment, *, by) -> None:
    """Release a hold whose payment failed unexpectedly (``appointment_book``)."""
    appointment.refresh_from_db()
    if appointment.status == Status.HELD:
        appointment_release(
            appointment=appointment,
            reason=gettext_noop("The booking could not be completed; nothing was charged"),
            status=Status.CANCELLED,
            by=by,
        )


def _with_action_url(appointment: Appointment) -> Appointment:
    """``appointment`` with ``payment_action_url`` set when it is held waiting for the bank's
    page (3-D Secure), as the first click answered."""
    appointment.payment_action_url = ""
    if appointment.status == Status.HELD:
        intent = payment_for_order(appointment.order)
        if intent is not None and intent.status == PaymentIntentRecord.Status.REQUIRES_ACTION:
            appointment.payment_action_url = intent_action_url(
                intent, next_url=appointment.get_absolute_url()
            )
    return appointment
