"""A worker's day in the console: check in, complete, report a no-show, and what they see.

Each action locks the appointment through ``bookings.appointments.locking`` (the one lock
order), moves its status and commits; completing or a no-show then settles the order's card
payment (``payments.services.payment_capture``/``payment_void``) outside any lock or
transaction. ``payments_capture_finished`` is the beat's retry for payments Stripe could not
take meanwhile.

The status moves (``transition_to``) are one line per action: ``appointment_check_in``,
``_complete`` and ``_no_show``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments import locking
from bookings.console.access import FINISHED
from bookings.console.errors import ConsoleError
from bookings.models import Appointment, Worker
from marketplace.policy import CHECK_IN_EARLIEST, LOCAL_TZ, NOTES_MAX
from payments.exceptions import PaymentError
from payments.models import PaymentIntentRecord
from payments.services import payment_capture, payment_for_order, payment_void

Status = Appointment.Status

# --- a worker's day ---------------------------------------------------------------------------


def _lock_own_job(appointment: Appointment, worker: Worker) -> Appointment:
    # Why: check-in, completion and no-show read the status and then move it; the row lock
    # makes a double tap (or a manager reassigning meanwhile) wait and then see the new state.
    locked = locking.lock_appointment(appointment.pk, related=("order", "line"))
    if locked.worker_id != worker.pk:
        raise ConsoleError(_("This job is no longer assigned to you."))
    return locked


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, worker: Worker, now: datetime | None = None
) -> Appointment:
    """accepted → in progress: the worker has arrived.

    Raises ``ConsoleError`` when the job is not the worker's any more, not accepted, or more
    than ``CHECK_IN_EARLIEST`` before its start."""
    now = now or timezone.now()
    locked = _lock_own_job(appointment, worker)
    if locked.status != Status.ACCEPTED:
        raise ConsoleError(
            _("Only an accepted job can be checked in; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    if now < locked.start - CHECK_IN_EARLIEST:
        raise ConsoleError(
            _("Check in when you arrive: from %(time)s.")
            % {"time": f"{timezone.localtime(locked.start - CHECK_IN_EARLIEST):%m-%d %H:%M}"}
        )
    locked.transition_to(Status.IN_PROGRESS, by=worker.user, reason=_("Worker checked in"))
    return locked


@dataclass
class PaymentOutcome:
    """What happened to the card payment of a finished job."""

    intent: object = None
    captured: Decimal = Decimal("0.00")
    error: str = ""


@dataclass
class JobResult:
    """A finished action on a job: the appointment as it now is, and its payment's outcome."""

    appointment: Appointment
    payment: PaymentOutcome = field(default_factory=PaymentOutcome)


def appointment_complete(*, appointment: Appointment, worker: Worker, notes: str = "") -> JobResult:
    """in progress → completed, with the worker's notes; then the card payment is captured.

    The completion commits first; the Stripe call comes after, outside any lock or
    transaction. If Stripe cannot be reached the job stays completed and the capture is left
    for ``payments_capture_finished`` (idempotent: it never captures twice). Raises
    ``ConsoleError`` when the job is not the worker's or not in progress.
    """
    completed = _complete(appointment=appointment, worker=worker, notes=notes)
    return JobResult(appointment=completed, payment=appointment_settle_payment(completed))


@transaction.atomic
def _complete(*, appointment: Appointment, worker: Worker, notes: str) -> Appointment:
    locked = _lock_own_job(appointment, worker)
    if locked.status != Status.IN_PROGRESS:
        raise ConsoleError(
            _("Check in before completing the job; it is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    notes = (notes or "").strip()
    reason = _("Completed: %(notes)s") % {"notes": notes} if notes else _("Completed")
    locked.transition_to(Status.COMPLETED, by=worker.user, reason=reason[:NOTES_MAX])
    return locked


def appointment_no_show(
    *, appointment: Appointment, worker: Worker, notes: str, now: datetime | None = None
) -> JobResult:
    """accepted → no-show: nobody was home. The service's late-cancellation fee becomes due
    and is what the card is charged (the rest of the authorisation is released).

    Raises ``ConsoleError`` when the job is not the worker's or not accepted, before the start
    time, or without ``notes`` saying what happened."""
    now = now or timezone.now()
    done = _no_show(appointment=appointment, worker=worker, notes=notes, now=now)
    return JobResult(appointment=done, payment=appointment_settle_payment(done))


@transaction.atomic
def _no_show(*, appointment: Appointment, worker: Worker, notes: str, now: datetime) -> Appointment:
    locked = _lock_own_job(appointment, worker)
    if locked.status != Status.ACCEPTED:
        raise ConsoleError(
            _("A no-show can only be reported for an accepted job; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    if now < locked.start:
        raise ConsoleError(_("A no-show can be reported from the start time on."))
    notes = (notes or "").strip()
    if not notes:
        raise ConsoleError(_("Please say what happened (for example: nobody answered the door)."))
    fee = locked.cancellation_fee
    if fee:
        locked.fees_due += fee
        locked.save(update_fields=["fees_due", "updated"])
    locked.transition_to(
        Status.NO_SHOW,
        by=worker.user,
        fee=fee,
        reason=(_("No-show: %(notes)s") % {"notes": notes})[:NOTES_MAX],
    )
    return locked


def _amount_due(order) -> Decimal | None:
    """What the order's card should be charged now, or None while a job is still to do.

    An order can hold several appointments (basket checkout) and one authorisation: it is
    captured once, when none of them is still active: the prices of the completed jobs
    plus the fees due on the others.
    """
    rows = list(order.appointments.values_list("status", "price", "fees_due"))
    if any(s in Appointment.ACTIVE for s, _p, _f in rows):
        return None
    return sum(
        ((p if s == Status.COMPLETED else Decimal(0)) + f for s, p, f in rows), Decimal("0.00")
    )


def appointment_settle_payment(appointment: Appointment) -> PaymentOutcome:
    """Capture (or void) the card payment of a finished job's order, if it has one.

    Called with no transaction open: ``payment_capture`` claims the capture under the
    intent's row lock, calls Stripe outside it, and returns the captured intent when called
    again, so a retry never charges twice.
    """
    intent = payment_for_order(appointment.order)
    if intent is None:
        return PaymentOutcome()
    amount = _amount_due(appointment.order)
    if amount is None or intent.status != PaymentIntentRecord.Status.AUTHORISED:
        return PaymentOutcome(intent=intent, captured=intent.amount_captured)
    try:
        if amount <= 0:
            intent = payment_void(intent=intent)
        else:
            intent = payment_capture(intent=intent, amount=min(amount, intent.amount_authorised))
    except PaymentError as exc:
        return PaymentOutcome(intent=intent, error=str(exc))
    return PaymentOutcome(intent=intent, captured=intent.amount_captured)


def payments_capture_finished(*, limit: int = 100) -> int:
    """Capture what completion could not (Stripe was down meanwhile): for a beat task.

    Settles at most ``limit`` orders whose card is still only authorised although their jobs
    are finished. Returns how many orders' payments were settled."""
    order_ids = list(
        PaymentIntentRecord.objects.filter(
            status=PaymentIntentRecord.Status.AUTHORISED,
            pending_action="",
            order__appointments__status__in=FINISHED,
        )
        .values_list("order_id", flat=True)
        .distinct()[:limit]
    )
    settled = 0
    for order_id in order_ids:
        appointment = Appointment.objects.filter(order_id=order_id).order_by("pk").first()
        outcome = appointment_settle_payment(appointment)
        settled += bool(outcome.intent is not None and not outcome.error)
    return settled


# --- lists -------------------------------------------------------------------------------------


def worker_jobs(worker: Worker, *, now: datetime | None = None):
    """(today's jobs, upcoming jobs) of a worker, by local (Asia/Shanghai) day.

    Today's list holds the day's confirmed, accepted, in-progress and finished jobs, plus any
    job still in progress from an earlier day; upcoming holds the next 30 active ones."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    day_start = datetime.combine(today, time(0), tzinfo=LOCAL_TZ)
    day_end = day_start + timedelta(days=1)
    base = Appointment.objects.filter(worker=worker).select_related("product", "community")
    visible = Q(status__in=(Status.CONFIRMED, Status.ACCEPTED, Status.IN_PROGRESS))
    today_jobs = list(
        base.filter(start__gte=day_start, start__lt=day_end).filter(
            visible | Q(status__in=FINISHED)
        )
    )
    upcoming = list(base.filter(visible, start__gte=day_end).order_by("start")[:30])
    # A job still in progress from an earlier day stays on the list until completed.
    stuck = list(base.filter(status=Status.IN_PROGRESS, start__lt=day_start))
    return stuck + today_jobs, upcoming
