"""Cancelling and rescheduling under the policy: free 24 h or more before the start, the
service's fee within 24 h, refused once it has started. Amounts are computed and recorded here
(``Appointment.fees_due``, ``AppointmentEvent.fee``); the payments app charges them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments import locking
from bookings.appointments.hold import candidate_ids, choose_worker, is_overlap, slot_taken
from bookings.appointments.lifecycle import appointment_rescheduled, appointment_transition
from bookings.appointments.orders import SLOT_OPTION_CODE, slot_value
from bookings.appointments.payment import authorisation_follow, cancellation_settle
from bookings.availability.search import next_free_slots
from bookings.availability.window import validate_start
from bookings.dispatch.outbox import is_escalated
from bookings.exceptions import BookingError, CancellationRefused, SlotUnavailable
from bookings.models import Appointment, AppointmentEvent
from marketplace.policy import FREE_CHANGE_BEFORE, LOCAL_TZ

Status = Appointment.Status

CHANGEABLE = (Status.HELD, Status.CONFIRMED, Status.ACCEPTED)


def cancellation_fee_for(appointment: Appointment, at: datetime | None = None) -> Decimal:
    """What cancelling (or moving) at ``at`` costs: nothing 24 h or more before the start,
    the service's fee within 24 h, and not possible once the service has started."""
    at = at or timezone.now()
    if at >= appointment.start:
        raise CancellationRefused(
            _("The service has already started; it can no longer be cancelled or moved.")
        )
    # No worker could be found (the round escalated): changing or cancelling is free.
    if is_escalated(appointment):
        return Decimal("0.00")
    if appointment.start - at >= FREE_CHANGE_BEFORE:
        return Decimal("0.00")
    return appointment.cancellation_fee


def _lock_appointment(appointment: Appointment) -> Appointment:
    # Why: a cancel and a reschedule (or two tabs) must not both act on the same status.
    locked = locking.lock_appointment(appointment.pk)
    if locked.status not in CHANGEABLE:
        raise CancellationRefused(
            _("This appointment is %(status)s and can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def appointment_cancel(*, appointment: Appointment, by, reason: str = "") -> Decimal:
    """Cancel under the policy and settle the card payment; returns the fee charged.

    The cancellation commits first; only then, with no lock held, the card's authorisation is
    voided (free cancellation) or only the fee is captured.
    """
    fee = _cancel(appointment=appointment, by=by, reason=reason)
    cancellation_settle(appointment=appointment, fee=fee)
    return fee


@transaction.atomic
def _cancel(*, appointment: Appointment, by, reason: str = "") -> Decimal:
    locked = _lock_appointment(appointment)
    fee = cancellation_fee_for(locked)
    if fee:
        locked.fees_due += fee
        locked.save(update_fields=["fees_due", "updated"])
    appointment_transition(
        appointment=locked,
        to=Status.CANCELLED,
        by=by,
        fee=fee,
        reason=reason or _("Cancelled by the resident"),
    )
    appointment.refresh_from_db()
    return fee


def appointment_reschedule(*, appointment: Appointment, new_start: datetime, by) -> Decimal:
    """Move to ``new_start`` under the cancellation policy, keeping the worker if they are
    free then (otherwise another qualified free worker). Returns the fee now due. After the
    move commits, a card authorisation that would lapse before the new start is released and
    scheduled again (``payment.authorisation_follow``)."""
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
    # Committed; no lock held: a card authorisation that would lapse before the new start is
    # taken again later (a Stripe call).
    authorisation_follow(appointment=appointment)
    return fee


@transaction.atomic
def _reschedule(*, appointment, new_start, by) -> Decimal:
    # The lock order (bookings.appointments.locking): the appointment, then every worker.
    locked = _lock_appointment(appointment)
    candidates = candidate_ids(
        product=locked.product,
        stockrecord=locked.stockrecord,
        community=locked.community,
    )
    locking.lock_workers([*candidates, locked.worker_id])
    if new_start == locked.start:
        raise BookingError(_("That is already the time of this appointment."))
    fee = cancellation_fee_for(locked)
    duration = locked.end - locked.start
    keep = locked.worker_id if locked.worker_id in candidates else None
    worker = choose_worker(
        candidates,
        start=new_start,
        duration=duration,
        prefer_id=keep,
        exclude_appointment=locked,
    )
    old_start, old_worker_id = locked.start, locked.worker_id
    locked.start, locked.end, locked.worker = new_start, new_start + duration, worker
    locked.fees_due += fee
    try:
        with transaction.atomic():
            locked.save(update_fields=["start", "end", "worker", "fees_due", "updated"])
    except IntegrityError as exc:
        if is_overlap(exc):
            raise slot_taken() from exc
        raise
    for attr in locked.line.attributes.all():
        if attr.option.code == SLOT_OPTION_CODE:
            attr.value = slot_value(new_start)
            attr.save(update_fields=["value"])
    AppointmentEvent.objects.create(
        appointment=locked,
        actor=by,
        from_status=locked.status,
        to_status=locked.status,
        fee=fee,
        reason=_("Moved from %(old)s to %(new)s")
        % {
            "old": f"{old_start.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}",
            "new": f"{new_start.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}",
        },
    )
    if worker.pk != old_worker_id and locked.status == Status.ACCEPTED:
        # The new worker has not accepted this job yet.
        appointment_transition(
            appointment=locked,
            to=Status.CONFIRMED,
            by=by,
            reason=_("Another worker takes the new time"),
        )
    # What a reschedule triggers: reminders move with the start; an unaccepted job is
    # dispatched afresh.
    appointment_rescheduled(appointment=locked, by=by)
    appointment.refresh_from_db()
    return fee
