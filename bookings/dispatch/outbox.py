"""The dispatch outbox: a round per confirmed booking, processed by Celery, swept by beat.

The path of a job:

1. ``appointment_confirm`` (``bookings.appointments.lifecycle``) writes a ``DispatchRound``
   (the outbox row) in the booking's own transaction and, on commit, kicks the
   ``bookings.tasks.dispatch_request`` task. If the broker is down the kick is logged and
   dropped: the booking has committed, and beat's 30-second sweep (``dispatch_rounds_sweep``)
   finds the row.
2. ``dispatch_round_process`` puts out a ``JobOffer`` to the held worker (``offer_create``),
   expiring after the provider's ``offer_timeout_minutes`` or sooner when the start is near.
3. The worker answers (``bookings.dispatch.offers``); a decline or expiry moves the hold to the
   next worker or escalates (``bookings.dispatch.assignment``).

Lock order: the one of ``bookings.appointments.locking`` (the appointment, then the workers),
then the round and its offers. Messages are never sent under a lock: they are ``Notice`` rows,
sent after commit (``bookings.notify``).

Tasks are kicked by their registered name (``celery.current_app.tasks``), not imported:
``bookings.tasks`` imports this module, and ``bookings.apps`` imports ``bookings.tasks`` at
start-up so the names are registered.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments import locking
from bookings.models import Appointment, DispatchAttempt, DispatchRound, JobOffer, Notice, Worker
from marketplace import metrics
from marketplace.policy import MINIMUM_OFFER_TIME, OFFER_TIMEOUT, SWEEP_GRACE

log = logging.getLogger("linli.dispatch")
Status = Appointment.Status
Outcome = DispatchAttempt.Outcome

#: The registered names of the tasks this module kicks (``bookings.tasks``).
DISPATCH_ROUND_TASK = "bookings.tasks.dispatch_request"
NOTICE_TASK = "bookings.tasks.notify_reminder"


# --- kicking Celery --------------------------------------------------------------------------


def kick(task, *args) -> None:
    """Enqueue ``task`` now; if the broker is unreachable, log and carry on.

    Called from ``transaction.on_commit``: the row that makes the work happen is already
    committed, so a lost kick only delays it until the next beat sweep. ``retry=False``: a
    resident's booking must not wait on connection retries.
    """
    if task.app.conf.task_always_eager:  # tests and one-process setups: run it here
        task.apply_async(args=args)
        return
    try:
        with task.app.pool.acquire(block=True, timeout=2) as conn:
            # Fail fast: one connection attempt, not the client's seconds of retries.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
            task.apply_async(args=args, retry=False, connection=conn)
    except Exception:  # noqa: BLE001 — any broker error; the sweep is the fallback
        log.warning(
            "Could not enqueue %s%r; beat's sweep will pick it up.", task.name, args, exc_info=True
        )


def kick_on_commit(task_name: str, *args) -> None:
    """On commit of the current transaction, ``kick`` the task registered as ``task_name``."""

    def _send():
        kick(current_app.tasks[task_name], *args)

    transaction.on_commit(_send)


# --- the outbox ------------------------------------------------------------------------------


def dispatch_round_create(*, appointment: Appointment, reason: str = "") -> DispatchRound:
    """Write the outbox row (inside the caller's transaction) and kick it on commit."""
    round_ = DispatchRound.objects.create(appointment=appointment, reason=reason[:200])
    # The appointment's id rides along, so the task need not read the row to learn it.
    kick_on_commit(DISPATCH_ROUND_TASK, round_.pk, appointment.pk)
    return round_


def dispatch_round_process(*, round_id: int, appointment_id: int | None = None) -> JobOffer | None:
    """Put out the first offer of a pending round. Safe to run any number of times.

    ``appointment_id``: the round's appointment when the caller knows it (the kick on commit
    sends it; a round's appointment never changes), else it is read."""
    if appointment_id is None:
        round_ = DispatchRound.objects.filter(pk=round_id).only("appointment_id").first()
        if round_ is None:
            return None
        appointment_id = round_.appointment_id
    return _process(appointment_id, round_id)


#: What an offer needs besides the appointment (its worker's user: the notice's recipient;
#: the provider: its offer timeout), read with it after the lock, in the same statement.
_OFFER_RELATED = ("worker__user", "stockrecord__partner")


@transaction.atomic
def _process(appointment_id: int, round_id: int) -> JobOffer | None:
    # The appointment first (the one lock order), then the outbox row. skip_locked:
    # whoever holds the row is dispatching it; a second sweeper moves on to other rows.
    try:
        appointment = locking.lock_appointment(appointment_id, related=_OFFER_RELATED)
    except Appointment.DoesNotExist:
        appointment = None
    round_ = (
        DispatchRound.objects.select_for_update(skip_locked=True)
        .filter(pk=round_id, status=DispatchRound.Status.PENDING)
        .first()
    )
    if round_ is None or appointment is None:
        return None
    if round_.appointment_id != appointment.pk:
        return None  # a kick naming another appointment (never sent): the sweep dispatches it
    now = timezone.now()
    if appointment.status != Status.CONFIRMED or appointment.start <= now:
        close_round(
            round_,
            _("Nothing to dispatch: the appointment is %(status)s.")
            % {"status": appointment.get_status_display()},
        )
        return None
    existing = JobOffer.objects.filter(appointment=appointment, status=JobOffer.Status.OPEN).first()
    if existing is not None:
        close_round(round_, _("An offer was already out."))
        return existing
    round_.status, round_.processed_at = DispatchRound.Status.OFFERED, now
    round_.save(update_fields=["status", "processed_at"])
    # A pending round has put out no offer yet: this is its first.
    return offer_create(
        dispatch_round=round_, appointment=appointment, worker=appointment.worker, first=True
    )


def close_round(round_: DispatchRound, reason: str) -> None:
    """Close a round (nothing more to dispatch); its first reason is kept."""
    round_.status, round_.closed_at = DispatchRound.Status.CLOSED, timezone.now()
    round_.reason = (round_.reason or reason)[:200]
    round_.save(update_fields=["status", "closed_at", "reason"])


def dispatch_rounds_sweep(*, now=None, limit: int = 100) -> int:
    """Beat, every 30 s: dispatch pending rounds whose kick never arrived. Returns how many."""
    now = now or timezone.now()
    ids = list(
        DispatchRound.objects.filter(
            status=DispatchRound.Status.PENDING, created__lte=now - SWEEP_GRACE
        )
        .order_by("created")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for round_id in ids:
        if dispatch_round_process(round_id=round_id) is not None:
            done += 1
    return done


# --- offers put out by a round ------------------------------------------------------------


def offer_expiry(appointment: Appointment, now=None):
    """When an offer made ``now`` lapses: the provider's timeout, or a quarter of the time
    left before the start when that is shorter (but never under two minutes)."""
    now = now or timezone.now()
    minutes = appointment.stockrecord.partner.offer_timeout_minutes
    timeout = timedelta(minutes=minutes) if minutes else OFFER_TIMEOUT
    quarter = (appointment.start - now) / 4
    return now + max(min(timeout, quarter), MINIMUM_OFFER_TIME)


def offer_create(
    *,
    dispatch_round: DispatchRound,
    appointment: Appointment,
    worker: Worker,
    by=None,
    note="",
    first: bool | None = None,
) -> JobOffer:
    """Offer the job to ``worker`` in ``dispatch_round``: the offer (expiring at
    ``offer_expiry``), its attempt (offered, or assigned when a manager ``by`` chose), and the
    worker's notice, kicked on commit. The caller holds the appointment lock. ``first``: is
    this the round's first offer (None: read it)? It times the dispatch latency metric."""
    now = timezone.now()
    if first is None and by is None:
        first = not JobOffer.objects.filter(request=dispatch_round).exists()
    if by is None and first:
        # The round's first offer: how long the booking waited for dispatch.
        metrics.DISPATCH_LATENCY.observe(max((now - dispatch_round.created).total_seconds(), 0))
    # The partial unique index ``one_open_offer`` refuses a second open offer; the caller
    # holds the appointment lock, so it can only fire if something skipped that lock.
    offer = JobOffer.objects.create(
        request=dispatch_round,
        appointment=appointment,
        worker=worker,
        created=now,
        expires_at=offer_expiry(appointment, now),
    )
    DispatchAttempt.objects.create(
        request=dispatch_round,
        appointment=appointment,
        offer=offer,
        worker=worker,
        outcome=Outcome.ASSIGNED if by is not None else Outcome.OFFERED,
        actor=by if getattr(by, "pk", None) else None,
        note=note[:300],
    )
    notice = Notice.objects.create(
        appointment=appointment,
        kind=Notice.Kind.OFFER,
        recipient=worker.user,
        offer=offer,
        request=dispatch_round,
        due_at=now,
    )
    kick_on_commit(NOTICE_TASK, notice.pk)
    return offer


def round_withdraw(appointment: Appointment, *, by=None, note: str = "") -> None:
    """Withdraw the appointment's open offer (if any), close its open rounds and cancel their
    pending offer and escalation notices. Inside the caller's transaction (appointment locked)."""
    now = timezone.now()
    for offer in JobOffer.objects.filter(appointment=appointment, status=JobOffer.Status.OPEN):
        if JobOffer.objects.filter(pk=offer.pk, status=JobOffer.Status.OPEN).update(
            status=JobOffer.Status.WITHDRAWN, answered_at=now
        ):
            DispatchAttempt.objects.create(
                request_id=offer.request_id,
                appointment=appointment,
                offer=offer,
                worker_id=offer.worker_id,
                outcome=Outcome.WITHDRAWN,
                actor=by if getattr(by, "pk", None) else None,
                note=note[:300],
                at=now,
            )
            # The worker was told of the offer: tell them it is gone (once per offer).
            withdrawn, created = Notice.objects.get_or_create(
                key=f"offer_withdrawn:{offer.pk}",
                defaults={
                    "appointment": appointment,
                    "kind": Notice.Kind.OFFER_WITHDRAWN,
                    "recipient_id": offer.worker.user_id,
                    "due_at": now,
                },
            )
            if created:
                kick_on_commit(NOTICE_TASK, withdrawn.pk)
    DispatchRound.objects.filter(appointment=appointment, status__in=DispatchRound.OPEN).update(
        status=DispatchRound.Status.CLOSED, closed_at=now
    )
    Notice.objects.filter(
        appointment=appointment,
        kind__in=(Notice.Kind.OFFER, Notice.Kind.ESCALATION_MANAGER),
        status=Notice.Status.PENDING,
    ).update(status=Notice.Status.CANCELLED)


def is_escalated(appointment: Appointment) -> bool:
    """Has a round of this appointment run out of workers (and not been closed)?"""
    return DispatchRound.objects.filter(
        appointment=appointment, status=DispatchRound.Status.ESCALATED
    ).exists()
