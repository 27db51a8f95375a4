"""What an appointment's transitions trigger, called in order from one place.

The model only records a move (``Appointment.record_transition``: the conditional UPDATE and
the ``AppointmentEvent`` row). Everything a move sets off is called here, explicitly, in the
same transaction, so a reader of ``appointment_book`` (or of any console or dispatch service)
reaches every side effect by reading down:

1. the Oscar line and order status follow (``Appointment.sync_order_status``, a model method
   that touches only the appointment's own line and order);
2. held → confirmed: the dispatch outbox row (``bookings.dispatch.outbox``, kicked to Celery on
   commit) and the reminders (``bookings.notify.reminders.reminders_plan``);
3. → cancelled, expired or no-show: the open job offer is withdrawn and the open dispatch
   rounds closed (their pending offer and escalation notices cancelled), and the pending
   reminders cancelled;
4. → completed: the rating request is planned;
5. the people concerned are told (``bookings.notify.events.transition_notices``: booked,
   accepted, started, completed, cancelled), once each, after commit.

A reschedule is not a transition (the status stays); ``appointment_rescheduled`` is what it
triggers. Messages are rows sent after commit (``bookings.notify``), never under a lock.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop

from bookings.availability.slot_cache import calendars_changed
from bookings.dispatch.outbox import dispatch_round_create, round_withdraw
from bookings.models import Appointment
from bookings.notify.events import reschedule_notices, transition_notices
from bookings.notify.reminders import rating_request_plan, reminders_cancel, reminders_plan
from bookings.packages.settle import package_settle
from bookings.waitlist.freed import waitlist_time_freed

Status = Appointment.Status

#: The statuses that end an appointment without it being done.
ENDED = (Status.CANCELLED, Status.EXPIRED, Status.NO_SHOW)


@transaction.atomic
def appointment_transition(
    *,
    appointment: Appointment,
    to,
    by=None,
    reason: str = "",
    reason_params: dict | None = None,
    fee=Decimal("0.00"),
) -> Appointment:
    """Move ``appointment`` to status ``to`` and run what the move triggers; one transaction.

    ``by`` is the user who moved it (None: the system), ``reason`` goes on the timeline (a
    fixed reason as its untranslated source text, ``STANDARD_REASONS``, with the values it
    names in ``reason_params``; or a person's own words),
    ``fee`` (yuan) is the late-change fee this move made due, recorded on the event. Returns
    the appointment (its ``status`` updated). Raises ``InvalidTransition`` when TRANSITIONS
    forbids the move or another request moved the appointment first; then nothing is written.

    Side effects, in order (see the module docstring): the Oscar line and order status; on
    held → confirmed the dispatch outbox row and the reminders; on an end (cancelled, expired,
    no-show) the open offer withdrawn, open rounds closed, pending reminders cancelled; on
    completion the rating request.
    """
    from_status = appointment.status
    event = appointment.record_transition(
        to, by=by, reason=reason, reason_params=reason_params, fee=fee
    )
    # The status is written by a queryset update (no signal): an ended job frees the time.
    calendars_changed([appointment.worker_id])
    appointment.sync_order_status()
    transition_effects(appointment=appointment, from_status=from_status, to=to, by=by, event=event)
    return appointment


def transition_effects(
    *, appointment: Appointment, from_status, to, by=None, event=None, new: bool = False
) -> None:
    """What a recorded move from ``from_status`` to ``to`` triggers (not the order status).

    Inside the caller's transaction. ``appointment_transition`` calls it; so does the one-click
    hold that books and confirms in one transaction (it writes the order already Confirmed and
    the held → confirmed event itself), with ``new``: the appointment was inserted by this
    very transaction, so it has nothing planned yet (no reminders to read).
    """
    if from_status == Status.HELD and to == Status.CONFIRMED:
        appointment_confirmed(appointment=appointment, new=new)
    elif to in ENDED:
        appointment_ended(appointment=appointment, by=by)
    elif to == Status.COMPLETED:
        rating_request_plan(appointment)
    transition_notices(appointment=appointment, from_status=from_status, to=to, event=event)


def appointment_confirmed(*, appointment: Appointment, new: bool = False) -> None:
    """The booking stands: the outbox row (kicked on commit) and the reminders (``new``: the
    appointment was inserted in this transaction and has none yet)."""
    dispatch_round_create(appointment=appointment, reason=gettext_noop("Booking confirmed"))
    reminders_plan(appointment, new=new)


def appointment_ended(*, appointment: Appointment, by=None) -> None:
    """Cancelled, expired or no-show: withdraw the open offer, close the open rounds, cancel
    the pending reminders.

    An escalated appointment cancels free of charge (``changes.cancellation_fee_for``), so the
    payment settlement that follows a cancellation (``payment.cancellation_settle``) voids the
    whole authorisation: the resident's full refund."""
    round_withdraw(appointment, by=by, note=gettext_noop("The appointment was cancelled"))
    reminders_cancel(appointment)
    # Paid by a prepaid package: the visit goes back, or is kept as the late fee.
    package_settle(appointment=appointment)
    # A time freed: the waiting list of that day is offered it after the commit.
    waitlist_time_freed(appointment=appointment)


def appointment_rescheduled(
    *,
    appointment: Appointment,
    by=None,
    old_start=None,
    old_worker_id=None,
    old_status=None,
    event=None,
) -> None:
    """What a reschedule triggers, inside its transaction: the reminders move with the start;
    a job no worker has accepted yet is dispatched afresh (open offer
    withdrawn, new round); with ``old_start`` (aware) given, the resident and the workers
    concerned are told (``reschedule_notices``; ``event``: the move's row)."""
    reminders_plan(appointment)
    if old_start is not None:
        reschedule_notices(
            appointment=appointment,
            old_start=old_start,
            old_worker_id=old_worker_id,
            old_status=old_status or appointment.status,
            event=event,
        )
    if appointment.status == Status.CONFIRMED:
        round_withdraw(appointment, by=by, note=gettext_noop("The appointment was moved"))
        dispatch_round_create(
            appointment=appointment, reason=gettext_noop("The appointment was moved")
        )


def appointment_confirm(*, appointment: Appointment, by=None) -> Appointment:
    """held → confirmed: the booking stands (after payment, when there is one).

    Raises ``InvalidTransition`` if it is no longer held (e.g. confirmed meanwhile)."""
    return appointment_transition(
        appointment=appointment,
        to=Status.CONFIRMED,
        by=by,
        reason=gettext_noop("Booking confirmed"),
    )


def appointment_release(
    *, appointment: Appointment, reason: str, status=Status.EXPIRED, by=None
) -> Appointment:
    """A hold that will not be confirmed (payment refused, abandoned): free the slot.

    The exclusion constraint only covers active statuses, so leaving ``held`` frees the
    worker; the Oscar order follows to Cancelled. ``status`` is expired or cancelled
    (``ValueError`` otherwise).
    """
    if status not in (Status.EXPIRED, Status.CANCELLED):
        raise ValueError(f"A hold is released to expired or cancelled, not {status}")
    return appointment_transition(appointment=appointment, to=status, by=by, reason=reason)
