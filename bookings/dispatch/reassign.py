"""A worker who can no longer do a job hands it back: it goes through dispatch again.

A worker stops being able to do their future jobs when they are deactivated (``Worker.is_active``
or their user account's ``is_active``), move to another provider, or lose the skill (a product
class) or the community a job needs. Their affected future jobs (held, confirmed or accepted,
not yet started) are re-dispatched in the same transaction as the change:

- a confirmed or accepted job (accepted goes back to confirmed: the next worker has not
  accepted) has its open offer withdrawn and a new dispatch round: the next eligible worker
  (``assignment.next_worker``) gets the hold and an offer, or, with nobody left, the round is
  escalated (the provider's managers alerted, the resident offered another time or a free
  cancellation), exactly as after a decline;
- a held job (its payment still in progress, at most ``ABANDONED_HOLD_AFTER``) moves its hold
  to the next free worker if there is one. Otherwise it stays held by the leaving worker: once
  confirmed, its offer goes to them, lapses unanswered (they cannot sign in to the console),
  and the next round finds nobody and escalates (a known delay of one offer timeout).

The leaving worker is recorded on the round as a withdrawn attempt, so this round never offers
the job back to them. Their pending reminder goes with the job: a worker's reminder is sent to
whoever has accepted it when it is due (``bookings.notify.reminders``).

Called from the signal handlers of ``bookings.dispatch.handlers`` (so every path that changes a
worker, the Django admin, Wagtail's and Oscar's user pages, the shell, takes it) with the locks
taken by ``worker_jobs_lock`` in the one lock order (``bookings.appointments.locking``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from bookings.appointments import locking
from bookings.appointments.lifecycle import appointment_transition
from bookings.availability.calendars import qualified_workers
from bookings.dispatch.assignment import move_hold, next_worker, redispatch
from bookings.dispatch.outbox import round_withdraw
from bookings.models import Appointment, DispatchAttempt, DispatchRound

Status = Appointment.Status

#: The statuses of a job a worker hands back (in progress and ended jobs stay as they are).
HANDED_BACK = (Status.HELD, Status.CONFIRMED, Status.ACCEPTED)


def worker_future_jobs(worker_ids: Iterable[int], *, now=None):
    """The future jobs (held, confirmed, accepted; start after ``now``) of these workers."""
    now = now or timezone.now()
    return Appointment.objects.filter(
        worker_id__in=list(worker_ids), status__in=HANDED_BACK, start__gt=now
    )


def worker_jobs_lock(worker_ids: Iterable[int]) -> list[Appointment]:
    """Lock, in the one lock order, the future jobs of these workers (pk order), then these
    workers and every worker who could take one of the jobs (one sorted call). Returns the
    jobs, re-read under the lock. Inside the caller's transaction.

    Why every candidate now: re-dispatching a job moves its hold to one of them, and the lock
    order allows one worker lock per transaction; a later call for rows already held here
    waits for nobody."""
    worker_ids = list(worker_ids)
    ids = list(worker_future_jobs(worker_ids).values_list("pk", flat=True))
    jobs = locking.lock_appointments(
        ids, related=("product", "stockrecord__partner", "community", "resident")
    )
    candidates = set(worker_ids)
    for job in jobs:
        candidates.update(_candidates(job))
    locking.lock_workers(candidates)
    now = timezone.now()
    return [
        j for j in jobs if j.worker_id in worker_ids and j.status in HANDED_BACK and j.start > now
    ]


def _candidates(job: Appointment) -> list[int]:
    return list(
        qualified_workers(
            product=job.product, stockrecord=job.stockrecord, community=job.community
        ).values_list("pk", flat=True)
    )


def worker_jobs_reassign(
    *, worker_id: int, jobs: Iterable[Appointment], reason: str, by=None, only: Q | None = None
) -> list[Appointment]:
    """Re-dispatch the jobs of ``jobs`` (from ``worker_jobs_lock``) that worker ``worker_id``
    still holds and, with ``only`` (a ``Q`` on ``Appointment``), that match it; ``reason``
    (translated) goes on the timeline and the dispatch record, ``by`` is who made the change
    (None: the system). Returns the jobs handed back. Raises nothing of its own: a job nobody
    else can take is escalated, not refused."""
    jobs = [j for j in jobs if j.worker_id == worker_id and j.status in HANDED_BACK]
    if only is not None and jobs:
        keep = set(
            Appointment.objects.filter(only, pk__in=[j.pk for j in jobs]).values_list(
                "pk", flat=True
            )
        )
        jobs = [j for j in jobs if j.pk in keep]
    for job in jobs:
        _hand_back(job, worker_id=worker_id, reason=reason, by=by)
    return jobs


def _hand_back(job: Appointment, *, worker_id: int, reason: str, by) -> None:
    actor = by if getattr(by, "pk", None) else None
    candidates = [pk for pk in _candidates(job) if pk != worker_id]
    if job.status == Status.HELD:
        # The booking is still being paid: no round yet. Move the hold if someone is free
        # (see the module docstring for when nobody is).
        worker = next_worker(job, candidates, exclude=[worker_id])
        if worker is not None:
            move_hold(job, worker)
        return
    round_withdraw(job, by=actor, note=reason)
    if job.status == Status.ACCEPTED:
        appointment_transition(appointment=job, to=Status.CONFIRMED, by=actor, reason=reason)
    now = timezone.now()
    round_ = DispatchRound.objects.create(
        appointment=job, status=DispatchRound.Status.OFFERED, processed_at=now, reason=reason
    )
    # The leaving worker counts as tried: this round never offers the job back to them.
    DispatchAttempt.objects.create(
        request=round_,
        appointment=job,
        worker_id=worker_id,
        outcome=DispatchAttempt.Outcome.WITHDRAWN,
        actor=actor,
        note=reason[:300],
        at=now,
    )
    redispatch(job, round_, candidates)


def handed_back_reason() -> str:
    """The timeline's words for a job a worker hands back (names nobody): the untranslated
    source text, translated when shown (``AppointmentEvent.display_reason``,
    ``DispatchAttempt.display_note``)."""
    return gettext_noop("The worker can no longer do this job; it goes to another worker.")
