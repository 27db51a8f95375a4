"""Cancelling and rescheduling under the policy, and the one fee a booking can cost.

The policy (README, "Payment policy for late changes"): changing or cancelling 24 h or more
before the start is free. Within 24 h a **reschedule** is still free of charge but keeps the
late-cancellation fee in place (``Appointment.moved_late``), so cancelling the moved appointment
later costs the fee whenever it is; a **cancellation** costs the service's fee; a **no-show**
(console) costs the same fee. At most one fee per booking, never more than its price, and only
on a card: the fee is captured from the card's authorisation (the rest is released), and a
booking paid after the service has no card to take it from, so it is never announced one.
What is announced here is what ``fees_due`` records and what the card is charged
(``bookings.appointments.settlement``). Amounts are yuan ``Decimal``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.appointments import locking
from bookings.appointments.hold import candidate_ids, choose_worker, is_overlap, slot_taken
from bookings.appointments.lifecycle import appointment_rescheduled, appointment_transition
from bookings.appointments.orders import SLOT_OPTION_CODE, slot_value
from bookings.appointments.payment import cancellation_settle, reschedule_settle
from bookings.availability.search import next_free_slots
from bookings.availability.window import validate_start
from bookings.dispatch.outbox import is_escalated
from bookings.exceptions import BookingError, CancellationRefused, SlotUnavailable
from bookings.models import Appointment, AppointmentEvent
from marketplace.policy import FREE_CHANGE_BEFORE

Status = Appointment.Status

CHANGEABLE = (Status.HELD, Status.CONFIRMED, Status.ACCEPTED)
NO_FEE = Decimal("0.00")


def _refuse_if_started(appointment: Appointment, at: datetime) -> None:
    if at >= appointment.start:
        raise CancellationRefused(
            _("The service has already started; it can no longer be cancelled or moved.")
        )


def late_fee(appointment: Appointment) -> Decimal:
    """The service's late-cancellation (and no-show) fee for this booking, in yuan.

    The fee recorded when it was booked, never more than the price (it is captured from the
    price's authorisation), and nothing for a booking paid after the service (no card to charge).
    """
    if appointment.payment_method != Appointment.PaymentMethod.CARD:
        return NO_FEE
    return min(appointment.cancellation_fee, appointment.price)


def is_late(appointment: Appointment, at: datetime | None = None) -> bool:
    """Is ``at`` (default now) within 24 h (``FREE_CHANGE_BEFORE``) of the start?"""
    return appointment.start - (at or timezone.now()) < FREE_CHANGE_BEFORE


def cancellation_fee_for(appointment: Appointment, at: datetime | None = None) -> Decimal:
    """What cancelling at ``at`` (default now) costs, in yuan: the fee is due within 24 h of the
    start, or at any time once the appointment was moved within 24 h of its start; nothing
    otherwise, nothing when no worker could be found (the round escalated), nothing for a booking
    paid after the service. Raises ``CancellationRefused`` once the service has started."""
    at = at or timezone.now()
    _refuse_if_started(appointment, at)
    if is_escalated(appointment):
        return NO_FEE
    if appointment.moved_late or is_late(appointment, at):
        return late_fee(appointment)
    return NO_FEE


def fee_kept_by_moving(appointment: Appointment, at: datetime | None = None) -> Decimal:
    """The late-cancellation fee (yuan) a move at ``at`` (default now) keeps in place, to be
    told before the move: moving is free, but cancelling the moved appointment later costs it.
    0 when moving now keeps nothing: the same as cancelling now would cost. Raises
    ``CancellationRefused`` once the service has started."""
    return cancellation_fee_for(appointment, at)


def _lock_appointment(appointment: Appointment, related=()) -> Appointment:
    # Why: a cancel and a reschedule (or two tabs) must not both act on the same status.
    locked = locking.lock_appointment(appointment.pk, related=related)
    if locked.status not in CHANGEABLE:
        raise CancellationRefused(
            _("This appointment is %(status)s and can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def appointment_cancel(
    *, appointment: Appointment, by, reason: str = "", waive_fee: bool = False
) -> Decimal:
    """Cancel under the policy and settle the card payment; returns the fee (yuan) charged.
    ``waive_fee``: no fee whatever the policy (a series ended after a price change).

    The cancellation commits first; only then, with no lock held, the order's card payment is
    settled (``payment.cancellation_settle``): voided when nothing is due, else only what is due
    captured, the rest released. Raises ``CancellationRefused``.
    """
    fee = _cancel(appointment=appointment, by=by, reason=reason, waive_fee=waive_fee)
    cancellation_settle(appointment=appointment, fee=fee)
    return fee


@transaction.atomic
def _cancel(*, appointment: Appointment, by, reason: str = "", waive_fee: bool = False) -> Decimal:
    locked = _lock_appointment(appointment)
    fee = cancellation_fee_for(locked)  # raises once started, waived or not
    if waive_fee:
        fee = NO_FEE
    if fee:
        locked.fees_due += fee
        locked.save(update_fields=["fees_due", "updated"])
    appointment_transition(
        appointment=locked,
        to=Status.CANCELLED,
        by=by,
        fee=fee,
        reason=reason or gettext_noop("Cancelled by the resident"),
    )
    appointment.refresh_from_db()
    return fee


def appointment_reschedule(*, appointment: Appointment, new_start: datetime, by) -> Decimal:
    """Move to ``new_start`` (aware), keeping the worker if they are free then (otherwise
    another qualified free worker). Returns the fee charged for moving: always yuan 0.00 (a move
    within 24 h sets ``moved_late`` instead, see the module docstring). Once the move has
    committed, the card's authorisation is planned again for the new start
    (``payment.reschedule_settle``). Raises ``SlotUnavailable`` (with ``next_slots``),
    ``CancellationRefused``, ``BookingError``."""
    validate_start(new_start)
    try:
        fee = _reschedule(appointment=appointment, new_start=new_start, by=by)
    except SlotUnavailable as exc:
        exc.next_slots = next_free_slots(
            product=appointment.product,
            stockrecord=appointment.stockrecord,
            community=appointment.community,
            near=new_start,
        )
        raise
    reschedule_settle(appointment=appointment)
    return fee


#: What a move reads of the appointment besides its row (one statement after the lock).
_MOVE_RELATED = ("product", "stockrecord", "community", "line", "resident")


@transaction.atomic
def _reschedule(*, appointment, new_start, by) -> Decimal:
    # The lock order (bookings.appointments.locking): the appointment, then every worker.
    # Read with it: what the candidates, the slot and the resident's notice need.
    locked = _lock_appointment(appointment, related=_MOVE_RELATED)
    candidates = candidate_ids(
        product=locked.product,
        stockrecord=locked.stockrecord,
        community=locked.community,
    )
    locking.lock_workers([*candidates, locked.worker_id])
    if new_start == locked.start:
        raise BookingError(_("That is already the time of this appointment."))
    _refuse_if_started(locked, timezone.now())
    fee = NO_FEE  # moving is free; a late move keeps the late-cancellation fee in place
    if fee_kept_by_moving(locked):
        locked.moved_late = True
    duration = locked.end - locked.start
    keep = locked.worker_id if locked.worker_id in candidates else None
    worker = choose_worker(
        candidates,
        start=new_start,
        duration=duration,
        prefer_id=keep,
        exclude_appointment=locked,
    )
    old_start, old_worker_id, old_status = locked.start, locked.worker_id, locked.status
    locked.start, locked.end, locked.worker = new_start, new_start + duration, worker
    try:
        with transaction.atomic():
            locked.save(update_fields=["start", "end", "worker", "moved_late", "updated"])
    except IntegrityError as exc:
        if is_overlap(exc):
            raise slot_taken() from exc
        raise
    for attr in locked.line.attributes.select_related("option"):
        if attr.option.code == SLOT_OPTION_CODE:
            attr.value = slot_value(new_start)
            attr.save(update_fields=["value"])
    moved = AppointmentEvent.objects.create(
        appointment=locked,
        actor=by,
        from_status=locked.status,
        to_status=locked.status,
        fee=fee,
        # Stored untranslated with its times (ISO 8601), shown local and in the reader's
        # language (AppointmentEvent.display_reason).
        reason=gettext_noop("Moved from %(old)s to %(new)s"),
        reason_params={"old": old_start.isoformat(), "new": new_start.isoformat()},
    )
    if worker.pk != old_worker_id and locked.status == Status.ACCEPTED:
        # The new worker has not accepted this job yet.
        appointment_transition(
            appointment=locked,
            to=Status.CONFIRMED,
            by=by,
            reason=gettext_noop("Another worker takes the new time"),
        )
    # What a reschedule triggers: reminders move with the start; an unaccepted job is
    # dispatched afresh.
    appointment_rescheduled(
        appointment=locked,
        by=by,
        old_start=old_start,
        old_worker_id=old_worker_id,
        old_status=old_status,
        event=moved,
    )
    appointment.refresh_from_db()
    return fee
