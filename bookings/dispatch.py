"""Dispatch: from a confirmed booking to a worker who has accepted it.

The path of a job:

1. ``appointment_confirm`` writes a ``DispatchRequest`` (the outbox row) in the booking's own
   transaction and, on commit, kicks ``dispatch_request_task``. If the broker is down the kick
   is logged and dropped: the booking has committed, and beat's 30-second sweep
   (``dispatch_requests_sweep``) finds the row.
2. ``dispatch_request_process`` puts out an ``Offer`` to the held worker, expiring after the
   provider's ``offer_timeout_minutes`` or sooner when the start is near.
3. ``offer_accept`` → the appointment is accepted. ``offer_decline`` or expiry
   (``offers_expire``, every 30 s) → the hold moves, in one transaction, to the next eligible
   worker (qualified, free, serving the community, fewest jobs that day, then best rating)
   and a new offer goes out. Nobody left → ``DispatchRequest.Status.ESCALATED``: the
   provider's managers are alerted and the resident is offered another time or a free
   cancellation with a full refund.

Lock order, everywhere in this module and in booking/cancel/reschedule: candidate workers (pk
order) → the appointment → its offers, requests and reminders. The same order in every
transaction means they queue instead of deadlocking. Messages are never sent under a lock:
they are ``Reminder`` rows, sent after commit (``bookings/reminders.py``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments import locking
from bookings.exceptions import BookingError, SlotUnavailable
from bookings.models import Appointment, Worker
from bookings.models_dispatch import DispatchAttempt, DispatchRequest, Offer, Reminder
from bookings.slots import local_day_bounds, qualified_workers, with_calendar, worker_is_free
from marketplace.policy import LOCAL_TZ, MINIMUM_OFFER_TIME, OFFER_TIMEOUT, SWEEP_GRACE

log = logging.getLogger("linli.dispatch")
Status = Appointment.Status
Outcome = DispatchAttempt.Outcome


class OfferUnavailable(BookingError):
    """The offer is no longer open (answered, expired, withdrawn) or is someone else's."""

    status_code = 409


class NotAllowed(BookingError):
    status_code = 403


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


def _kick_on_commit(task_name: str, *args) -> None:
    def _send():
        from bookings import tasks

        kick(getattr(tasks, task_name), *args)

    transaction.on_commit(_send)


# --- the outbox ------------------------------------------------------------------------------


def dispatch_request_create(*, appointment: Appointment, reason: str = "") -> DispatchRequest:
    """Write the outbox row (inside the caller's transaction) and kick it on commit."""
    request = DispatchRequest.objects.create(appointment=appointment, reason=reason[:200])
    _kick_on_commit("dispatch_request_task", request.pk)
    return request


def dispatch_request_process(*, request_id: int) -> Offer | None:
    """Put out the first offer of a pending request. Safe to run any number of times."""
    request = DispatchRequest.objects.filter(pk=request_id).only("appointment_id").first()
    if request is None:
        return None
    return _process(request.appointment_id, request_id)


@transaction.atomic
def _process(appointment_id: int, request_id: int) -> Offer | None:
    # The appointment first (the module's lock order), then the outbox row. skip_locked:
    # whoever holds the row is dispatching it; a second sweeper moves on to other rows.
    try:
        appointment = locking.lock_appointment(appointment_id)
    except Appointment.DoesNotExist:
        appointment = None
    request = (
        DispatchRequest.objects.select_for_update(skip_locked=True)
        .filter(pk=request_id, status=DispatchRequest.Status.PENDING)
        .first()
    )
    if request is None or appointment is None:
        return None
    now = timezone.now()
    if appointment.status != Status.CONFIRMED or appointment.start <= now:
        _close(
            request,
            _("Nothing to dispatch: the appointment is %(status)s.")
            % {"status": appointment.get_status_display()},
        )
        return None
    existing = Offer.objects.filter(appointment=appointment, status=Offer.Status.OPEN).first()
    if existing is not None:
        _close(request, _("An offer was already out."))
        return existing
    request.status, request.processed_at = DispatchRequest.Status.OFFERED, now
    request.save(update_fields=["status", "processed_at"])
    return _offer_create(request=request, appointment=appointment, worker=appointment.worker)


def _close(request: DispatchRequest, reason: str) -> None:
    request.status, request.closed_at = DispatchRequest.Status.CLOSED, timezone.now()
    request.reason = (request.reason or reason)[:200]
    request.save(update_fields=["status", "closed_at", "reason"])


def dispatch_requests_sweep(*, now=None, limit: int = 100) -> int:
    """Beat, every 30 s: dispatch pending requests whose kick never arrived. Returns how many."""
    now = now or timezone.now()
    ids = list(
        DispatchRequest.objects.filter(
            status=DispatchRequest.Status.PENDING, created__lte=now - SWEEP_GRACE
        )
        .order_by("created")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for request_id in ids:
        if dispatch_request_process(request_id=request_id) is not None:
            done += 1
    return done


# --- offers ----------------------------------------------------------------------------------


def offer_expiry(appointment: Appointment, now=None):
    """When an offer made ``now`` lapses: the provider's timeout, or a quarter of the time
    left before the start when that is shorter (but never under two minutes)."""
    now = now or timezone.now()
    minutes = appointment.stockrecord.partner.offer_timeout_minutes
    timeout = timedelta(minutes=minutes) if minutes else OFFER_TIMEOUT
    quarter = (appointment.start - now) / 4
    return now + max(min(timeout, quarter), MINIMUM_OFFER_TIME)


def _offer_create(
    *, request: DispatchRequest, appointment: Appointment, worker: Worker, by=None, note=""
) -> Offer:
    now = timezone.now()
    # The partial unique index ``one_open_offer`` refuses a second open offer; the caller
    # holds the appointment lock, so it can only fire if something skipped that lock.
    offer = Offer.objects.create(
        request=request,
        appointment=appointment,
        worker=worker,
        created=now,
        expires_at=offer_expiry(appointment, now),
    )
    DispatchAttempt.objects.create(
        request=request,
        appointment=appointment,
        offer=offer,
        worker=worker,
        outcome=Outcome.ASSIGNED if by is not None else Outcome.OFFERED,
        actor=by if getattr(by, "pk", None) else None,
        note=note[:300],
    )
    notice = Reminder.objects.create(
        appointment=appointment,
        kind=Reminder.Kind.OFFER,
        recipient=worker.user,
        offer=offer,
        request=request,
        due_at=now,
    )
    _kick_on_commit("notify_reminder_task", notice.pk)
    return offer


def offers_for_worker(worker: Worker) -> QuerySet[Offer]:
    """The worker's open offers that have not expired, soonest expiry first."""
    return (
        Offer.objects.filter(worker=worker, status=Offer.Status.OPEN, expires_at__gt=timezone.now())
        .select_related("appointment__product", "appointment__community", "appointment__household")
        .order_by("expires_at", "pk")
    )


def _candidates(appointment: Appointment) -> list[int]:
    return list(
        qualified_workers(
            product=appointment.product,
            stockrecord=appointment.stockrecord,
            community=appointment.community,
        ).values_list("pk", flat=True)
    )


def _lock_for_move(appointment_id: int, *, also=()) -> tuple[Appointment, list[int]]:
    """Lock the appointment, then its candidates, its worker and ``also`` (worker ids), in the
    one lock order (bookings.appointments.locking); return the appointment and candidates."""
    locked = locking.lock_appointment(
        appointment_id, related=("product", "stockrecord__partner", "community", "worker__user")
    )
    candidate_ids = _candidates(locked)
    locking.lock_workers([*candidate_ids, locked.worker_id, *also])
    return locked, candidate_ids


def next_worker(appointment: Appointment, candidate_ids, *, exclude=()) -> Worker | None:
    """The eligible worker to offer the job to next: qualified (``candidate_ids``), free for
    the slot, not already tried; fewest jobs that day, then best rating, then longest-serving."""
    ids = [pk for pk in candidate_ids if pk not in set(exclude)]
    if not ids:
        return None
    day_start, day_end = local_day_bounds(appointment.start.astimezone(LOCAL_TZ).date())
    workers = with_calendar(
        Worker.objects.filter(pk__in=ids, is_active=True)
        .select_related("user")
        .annotate(
            jobs_that_day=Count(
                "appointments",
                filter=Q(
                    appointments__status__in=Appointment.ACTIVE,
                    appointments__start__gte=day_start,
                    appointments__start__lt=day_end,
                )
                & ~Q(appointments__pk=appointment.pk),
            )
        ),
        start=appointment.start,
        end=appointment.end,
        exclude_appointment=appointment,
    )
    duration = appointment.end - appointment.start
    free = [w for w in workers if worker_is_free(w, appointment.start, duration)]
    free.sort(key=lambda w: (w.jobs_that_day, -w.rating, w.pk))
    return free[0] if free else None


def _move_hold(appointment: Appointment, worker: Worker) -> None:
    """Give the appointment to ``worker`` (caller holds the worker and appointment locks)."""
    appointment.worker = worker
    try:
        # A savepoint: the exclusion constraint is the last word on overlaps.
        with transaction.atomic():
            appointment.save(update_fields=["worker", "updated"])
    except IntegrityError as exc:
        if "appointment_worker_no_overlap" in str(exc):
            raise SlotUnavailable(_("That worker is not free at this time.")) from exc
        raise


def _tried(request: DispatchRequest) -> set[int]:
    return set(request.attempts.filter(worker__isnull=False).values_list("worker_id", flat=True))


def _redispatch(appointment: Appointment, request: DispatchRequest, candidate_ids) -> Offer | None:
    """After a decline or expiry: the next worker gets the hold and an offer, or escalate."""
    if appointment.status != Status.CONFIRMED or appointment.start <= timezone.now():
        _close(request, _("The appointment is no longer waiting for a worker."))
        return None
    worker = next_worker(appointment, candidate_ids, exclude=_tried(request))
    if worker is None:
        _escalate(appointment, request)
        return None
    _move_hold(appointment, worker)
    return _offer_create(request=request, appointment=appointment, worker=worker)


def _escalate(appointment: Appointment, request: DispatchRequest) -> None:
    now = timezone.now()
    request.status, request.escalated_at = DispatchRequest.Status.ESCALATED, now
    request.save(update_fields=["status", "escalated_at"])
    DispatchAttempt.objects.create(
        request=request, appointment=appointment, outcome=Outcome.ESCALATED, at=now
    )
    recipients = [
        (Reminder.Kind.ESCALATION_MANAGER, user)
        for user in appointment.stockrecord.partner.users.filter(is_active=True)
    ]
    recipients.append((Reminder.Kind.ESCALATION_RESIDENT, appointment.resident))
    for kind, user in recipients:
        notice, created = Reminder.objects.get_or_create(
            request=request,
            kind=kind,
            recipient=user,
            defaults={"appointment": appointment, "due_at": now},
        )
        if created:
            _kick_on_commit("notify_reminder_task", notice.pk)
    log.warning("Appointment %s: no worker left, escalated to the provider.", appointment.pk)


def _answer(offer_id: int, worker: Worker, new_status, *, reason: str = "") -> Offer:
    """Close an open offer (conditional UPDATE: zero rows means it was already decided)."""
    now = timezone.now()
    updates = {"status": new_status, "answered_at": now}
    if reason:
        updates["decline_reason"] = reason[:300]
    condition = Q(pk=offer_id, status=Offer.Status.OPEN)
    if new_status != Offer.Status.EXPIRED:
        condition &= Q(worker=worker, expires_at__gt=now)
    if not Offer.objects.filter(condition).update(**updates):
        raise OfferUnavailable(
            _("This offer is no longer open: it was answered, withdrawn or has expired.")
        )
    offer = Offer.objects.select_related("request").get(pk=offer_id)
    DispatchAttempt.objects.create(
        request=offer.request,
        appointment_id=offer.appointment_id,
        offer=offer,
        worker=offer.worker,
        outcome=new_status,
        actor=worker.user if new_status != Offer.Status.EXPIRED else None,
        note=reason[:300],
        at=now,
    )
    return offer


@transaction.atomic
def offer_accept(*, offer: Offer, worker: Worker) -> Appointment:
    """The worker takes the job: the appointment becomes accepted."""
    appointment = locking.lock_appointment(offer.appointment_id)
    if offer.worker_id != worker.pk or appointment.worker_id != worker.pk:
        raise OfferUnavailable(_("This offer is not yours."))
    offer = _answer(offer.pk, worker, Offer.Status.ACCEPTED)
    appointment.transition_to(Status.ACCEPTED, by=worker.user, reason=_("Accepted by the worker"))
    request = offer.request
    request.status = DispatchRequest.Status.ACCEPTED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    return appointment


@transaction.atomic
def offer_decline(*, offer: Offer, worker: Worker, reason: str) -> Offer | None:
    """The worker turns the job down (with a reason); the next worker gets an offer.

    Returns that next offer, or None when nobody is left (the round is escalated)."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Please say why you decline this job."))
    if offer.worker_id != worker.pk:
        raise OfferUnavailable(_("This offer is not yours."))
    appointment, candidate_ids = _lock_for_move(offer.appointment_id)
    offer = _answer(offer.pk, worker, Offer.Status.DECLINED, reason=reason)
    return _redispatch(appointment, offer.request, candidate_ids)


@transaction.atomic
def offer_expire(*, offer_id: int) -> Offer | None:
    """An offer's time is up: the next worker gets one. Returns it (None: escalated/too late)."""
    offer = Offer.objects.filter(pk=offer_id).only("appointment_id").first()
    if offer is None:
        return None
    appointment, candidate_ids = _lock_for_move(offer.appointment_id)
    try:
        offer = _answer(offer_id, None, Offer.Status.EXPIRED)
    except OfferUnavailable:
        return None  # answered meanwhile, or another sweeper expired it first
    return _redispatch(appointment, offer.request, candidate_ids)


def offers_expire(*, now=None, limit: int = 100) -> int:
    """Beat, every 30 s: expire lapsed offers and re-dispatch. Returns how many expired."""
    now = now or timezone.now()
    ids = list(
        Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    for offer_id in ids:
        offer_expire(offer_id=offer_id)
    return len(ids)


# --- managers --------------------------------------------------------------------------------


def _is_manager(user, partner) -> bool:
    return bool(user and (user.is_staff or partner.users.filter(pk=user.pk).exists()))


@transaction.atomic
def appointment_assign(*, appointment: Appointment, worker: Worker, by) -> Appointment:
    """A provider manager gives the job to ``worker``: the hold moves under the same locks
    and constraint as a booking, and the worker gets an offer to accept."""
    appointment, candidate_ids = _lock_for_move(appointment.pk, also=[worker.pk])
    partner = appointment.stockrecord.partner
    if not _is_manager(by, partner):
        raise NotAllowed(_("Only the provider's managers can assign its jobs."))
    if appointment.status not in (Status.CONFIRMED, Status.ACCEPTED):
        raise BookingError(
            _("An appointment that is %(status)s cannot be assigned.")
            % {"status": appointment.get_status_display()}
        )
    if worker.pk not in candidate_ids:
        raise BookingError(
            _("%(worker)s cannot do this service in this community.")
            % {"worker": worker.display_name}
        )
    if worker.pk != appointment.worker_id:
        duration = appointment.end - appointment.start
        calendar = with_calendar(
            Worker.objects.filter(pk=worker.pk),
            start=appointment.start,
            end=appointment.end,
            exclude_appointment=appointment,
        ).get()
        if not worker_is_free(calendar, appointment.start, duration):
            raise SlotUnavailable(_("That worker is not free at this time."))
    _withdraw_open(appointment, by=by, note=_("Assigned by a manager"))
    if appointment.status == Status.ACCEPTED:
        if worker.pk == appointment.worker_id:
            return appointment
        appointment.transition_to(Status.CONFIRMED, by=by, reason=_("Assigned to another worker"))
    _move_hold(appointment, worker)
    request = DispatchRequest.objects.create(
        appointment=appointment,
        status=DispatchRequest.Status.OFFERED,
        processed_at=timezone.now(),
        reason=_("Assigned by a manager"),
    )
    _offer_create(request=request, appointment=appointment, worker=worker, by=by)
    return appointment


def dispatch_board(provider) -> QuerySet[Appointment]:
    """The provider's upcoming jobs nobody has accepted yet, escalated ones first.

    Each carries ``is_escalated`` and ``open_offer`` (the id of its open offer, or None)."""
    open_offer = Offer.objects.filter(appointment=OuterRef("pk"), status=Offer.Status.OPEN)
    return (
        Appointment.objects.filter(
            stockrecord__partner=provider, status=Status.CONFIRMED, start__gt=timezone.now()
        )
        .select_related("product", "community", "worker__user", "household")
        .annotate(
            is_escalated=Exists(
                DispatchRequest.objects.filter(
                    appointment=OuterRef("pk"), status=DispatchRequest.Status.ESCALATED
                )
            ),
            open_offer=open_offer.values("pk")[:1],
        )
        .order_by("-is_escalated", "start", "pk")
    )


def is_escalated(appointment: Appointment) -> bool:
    return DispatchRequest.objects.filter(
        appointment=appointment, status=DispatchRequest.Status.ESCALATED
    ).exists()


# --- hooks from booking, cancelling, rescheduling ------------------------------------------


def _withdraw_open(appointment: Appointment, *, by=None, note: str = "") -> None:
    """Withdraw the appointment's open offer (if any) and close its open rounds."""
    now = timezone.now()
    for offer in Offer.objects.filter(appointment=appointment, status=Offer.Status.OPEN):
        if Offer.objects.filter(pk=offer.pk, status=Offer.Status.OPEN).update(
            status=Offer.Status.WITHDRAWN, answered_at=now
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
    DispatchRequest.objects.filter(appointment=appointment, status__in=DispatchRequest.OPEN).update(
        status=DispatchRequest.Status.CLOSED, closed_at=now
    )
    Reminder.objects.filter(
        appointment=appointment,
        kind__in=(Reminder.Kind.OFFER, Reminder.Kind.ESCALATION_MANAGER),
        status=Reminder.Status.PENDING,
    ).update(status=Reminder.Status.CANCELLED)


def on_confirmed(appointment: Appointment) -> None:
    """Inside the confirming transaction: the outbox row and the reminders."""
    from bookings.reminders import reminders_plan

    dispatch_request_create(appointment=appointment, reason=_("Booking confirmed"))
    reminders_plan(appointment)


def on_ended(appointment: Appointment, *, by=None) -> None:
    """Inside the transaction that cancelled (or expired, no-showed) the appointment.

    An escalated appointment cancels free of charge (``changes.cancellation_fee_for``), so
    the payment settlement that follows the cancellation (``payment_flow.cancellation_settle``)
    voids the whole authorisation: the resident's full refund."""
    from bookings.reminders import reminders_cancel

    _withdraw_open(appointment, by=by, note=_("The appointment was cancelled"))
    reminders_cancel(appointment)


def on_transition(appointment: Appointment, old_status, new_status, *, by=None) -> None:
    """Called by ``Appointment.transition_to`` inside its transaction, after the move."""
    if new_status == Status.CONFIRMED and old_status == Status.HELD:
        on_confirmed(appointment)
    elif new_status in (Status.CANCELLED, Status.EXPIRED, Status.NO_SHOW):
        on_ended(appointment, by=by)
    elif new_status == Status.COMPLETED:
        on_completed(appointment)


def on_rescheduled(appointment: Appointment, *, by=None) -> None:
    """Inside the rescheduling transaction: move reminders; re-dispatch if unaccepted."""
    from bookings.reminders import reminders_plan

    reminders_plan(appointment)
    if appointment.status == Status.CONFIRMED:
        _withdraw_open(appointment, by=by, note=_("The appointment was moved"))
        dispatch_request_create(appointment=appointment, reason=_("The appointment was moved"))


def on_completed(appointment: Appointment) -> None:
    from bookings.reminders import rating_request_plan

    rating_request_plan(appointment)
