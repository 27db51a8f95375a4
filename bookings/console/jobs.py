"""A worker's day in the console: check in, complete, report a no-show, and what they see.

Each action locks the appointment through ``bookings.appointments.locking`` (the one lock
order), moves its status and commits; completing or a no-show then settles the order's card
payment (``bookings.appointments.settlement``) outside any lock or transaction.

The status moves (``appointment_transition``, with everything they trigger) are one line per action: ``appointment_check_in``,
``_complete`` and ``_no_show``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.appointments import locking
from bookings.appointments.changes import late_fee
from bookings.appointments.lifecycle import appointment_transition
from bookings.appointments.settlement import PaymentOutcome, appointment_settle_payment
from bookings.console.access import FINISHED
from bookings.console.errors import ConsoleError
from bookings.models import Appointment, JobOffer, Worker
from marketplace.policy import CHECK_IN_EARLIEST, LOCAL_TZ, NOTES_MAX

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
    appointment_transition(
        appointment=locked,
        to=Status.IN_PROGRESS,
        by=worker.user,
        reason=gettext_noop("Worker checked in"),
    )
    return locked


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
    # The fixed words untranslated, the worker's notes as written: translated when shown.
    appointment_transition(
        appointment=locked,
        to=Status.COMPLETED,
        by=worker.user,
        reason=gettext_noop("Completed: %(notes)s") if notes else gettext_noop("Completed"),
        reason_params={"notes": notes[:NOTES_MAX]} if notes else None,
    )
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
    fee = late_fee(locked)  # the late-cancellation fee, as the resident was told (changes.py)
    if fee:
        locked.fees_due += fee
        locked.save(update_fields=["fees_due", "updated"])
    appointment_transition(
        appointment=locked,
        to=Status.NO_SHOW,
        by=worker.user,
        fee=fee,
        reason=gettext_noop("No-show: %(notes)s"),
        reason_params={"notes": notes[:NOTES_MAX]},
    )
    return locked


# --- lists -------------------------------------------------------------------------------------


def worker_jobs(worker: Worker, *, now: datetime | None = None):
    """(today's jobs, upcoming jobs) of a worker, by local (Asia/Shanghai) day.

    Today's list holds the day's confirmed, accepted, in-progress and finished jobs, plus any
    job still in progress from an earlier day; upcoming holds the next 30 active ones. A job
    with an open offer to this worker is an offer (``offers``), in neither list."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    day_start = datetime.combine(today, time(0), tzinfo=LOCAL_TZ)
    day_end = day_start + timedelta(days=1)
    base = Appointment.objects.filter(worker=worker).select_related("product", "community")
    # A job still offered to this worker (not yet accepted) is listed under "new offers" only,
    # never again as a confirmed job.
    offered = JobOffer.objects.filter(
        appointment=OuterRef("pk"), worker=worker, status=JobOffer.Status.OPEN
    )
    visible = Q(status__in=(Status.CONFIRMED, Status.ACCEPTED, Status.IN_PROGRESS)) & ~Q(
        Exists(offered)
    )
    todays = Q(start__gte=day_start, start__lt=day_end) & (visible | Q(status__in=FINISHED))
    # A job still in progress from an earlier day stays on the list until completed. It
    # started before today, so in start order it comes before today's jobs: one query.
    stuck = Q(status=Status.IN_PROGRESS, start__lt=day_start)
    today_jobs = list(base.filter(todays | stuck).order_by("start", "pk"))
    upcoming = list(base.filter(visible, start__gte=day_end).order_by("start")[:30])
    return today_jobs, upcoming
