"""Assignment: which worker holds a job next, a manager's choice, escalation, the board.

After a decline or expiry (``bookings.dispatch.offers``) ``redispatch`` moves the hold, in one
transaction, to the next eligible worker (qualified, free, serving the community, fewest jobs
that day, then best rating) and a new offer goes out; nobody left → the round is
``ESCALATED``: the provider's managers are alerted and the resident is offered another time or a
free cancellation with a full refund. A manager may give the job to a worker
(``appointment_assign``). Locks: ``lock_for_move`` takes them in the one lock order
(``bookings.appointments.locking``).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.appointments import locking
from bookings.appointments.lifecycle import appointment_transition
from bookings.availability.calendars import qualified_workers, with_calendar, worker_is_free
from bookings.availability.window import local_day_bounds
from bookings.dispatch.outbox import (
    NOTICE_TASK,
    close_round,
    kick_on_commit,
    offer_create,
    round_withdraw,
)
from bookings.exceptions import BookingError, NotAllowed, SlotUnavailable
from bookings.models import Appointment, DispatchAttempt, DispatchRound, JobOffer, Notice, Worker
from marketplace.policy import LOCAL_TZ

log = logging.getLogger("linli.dispatch")
Status = Appointment.Status
Outcome = DispatchAttempt.Outcome


def _candidates(appointment: Appointment) -> list[int]:
    return list(
        qualified_workers(
            product=appointment.product,
            stockrecord=appointment.stockrecord,
            community=appointment.community,
        ).values_list("pk", flat=True)
    )


def lock_for_move(appointment_id: int, *, also=()) -> tuple[Appointment, list[int]]:
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


def move_hold(appointment: Appointment, worker: Worker) -> None:
    """Give the appointment to ``worker`` (caller holds the worker and appointment locks).

    Raises ``SlotUnavailable`` if the exclusion constraint finds the worker taken."""
    appointment.worker = worker
    try:
        # A savepoint: the exclusion constraint is the last word on overlaps.
        with transaction.atomic():
            appointment.save(update_fields=["worker", "updated"])
    except IntegrityError as exc:
        if "appointment_worker_no_overlap" in str(exc):
            raise SlotUnavailable(_("That worker is not free at this time.")) from exc
        raise


def _tried(round_: DispatchRound) -> set[int]:
    return set(round_.attempts.filter(worker__isnull=False).values_list("worker_id", flat=True))


def redispatch(appointment: Appointment, round_: DispatchRound, candidate_ids) -> JobOffer | None:
    """After a decline or expiry: the next worker gets the hold and an offer (returned), or
    the round is escalated (None). Caller holds the ``lock_for_move`` locks."""
    if appointment.status != Status.CONFIRMED or appointment.start <= timezone.now():
        close_round(round_, _("The appointment is no longer waiting for a worker."))
        return None
    worker = next_worker(appointment, candidate_ids, exclude=_tried(round_))
    if worker is None:
        _escalate(appointment, round_)
        return None
    move_hold(appointment, worker)
    return offer_create(dispatch_round=round_, appointment=appointment, worker=worker)


def _escalate(appointment: Appointment, round_: DispatchRound) -> None:
    """Nobody left: the round is escalated, the provider's managers and the resident told."""
    now = timezone.now()
    round_.status, round_.escalated_at = DispatchRound.Status.ESCALATED, now
    round_.save(update_fields=["status", "escalated_at"])
    DispatchAttempt.objects.create(
        request=round_, appointment=appointment, outcome=Outcome.ESCALATED, at=now
    )
    recipients = [
        (Notice.Kind.ESCALATION_MANAGER, user)
        for user in appointment.stockrecord.partner.users.filter(is_active=True)
    ]
    recipients.append((Notice.Kind.ESCALATION_RESIDENT, appointment.resident))
    for kind, user in recipients:
        notice, created = Notice.objects.get_or_create(
            request=round_,
            kind=kind,
            recipient=user,
            defaults={"appointment": appointment, "due_at": now},
        )
        if created:
            kick_on_commit(NOTICE_TASK, notice.pk)
    log.warning("Appointment %s: no worker left, escalated to the provider.", appointment.pk)


# --- managers --------------------------------------------------------------------------------


def _is_manager(user, partner) -> bool:
    return bool(user and (user.is_staff or partner.users.filter(pk=user.pk).exists()))


@transaction.atomic
def appointment_assign(*, appointment: Appointment, worker: Worker, by) -> Appointment:
    """A provider manager gives the job to ``worker``: the hold moves under the same locks
    and constraint as a booking, and the worker gets an offer to accept."""
    appointment, candidate_ids = lock_for_move(appointment.pk, also=[worker.pk])
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
    round_withdraw(appointment, by=by, note=gettext_noop("Assigned by a manager"))
    if appointment.status == Status.ACCEPTED:
        if worker.pk == appointment.worker_id:
            return appointment
        appointment_transition(
            appointment=appointment,
            to=Status.CONFIRMED,
            by=by,
            reason=gettext_noop("Assigned to another worker"),
        )
    move_hold(appointment, worker)
    round_ = DispatchRound.objects.create(
        appointment=appointment,
        status=DispatchRound.Status.OFFERED,
        processed_at=timezone.now(),
        reason=gettext_noop("Assigned by a manager"),
    )
    offer_create(dispatch_round=round_, appointment=appointment, worker=worker, by=by)
    return appointment


def _escalated_first(queryset: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """``queryset`` with ``is_escalated`` and the board's order: escalated first, then by start."""
    return queryset.annotate(
        is_escalated=Exists(
            DispatchRound.objects.filter(
                appointment=OuterRef("pk"), status=DispatchRound.Status.ESCALATED
            )
        )
    ).order_by("-is_escalated", "start", "pk")


def _with_cards(queryset: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """``queryset`` with what a board card shows: its product, community, worker, household
    and ``open_offer`` (the id of its open offer, or None)."""
    open_offer = JobOffer.objects.filter(appointment=OuterRef("pk"), status=JobOffer.Status.OPEN)
    return queryset.select_related("product", "community", "worker__user", "household").annotate(
        open_offer=open_offer.values("pk")[:1]
    )


#: What a board card and its digest read (bookings/provider/_dispatch_live.html and
#: bookings.console.views.manage._board): loading only these skips a few hundred columns a
#: page (descriptions, timestamps) that were parsed and never shown.
CARD_FIELDS = (
    "start",
    "product__title",
    "product__title_en",
    "product__parent",
    "community__name",
    "community__name_en",
    "household__building",
    "worker__user__first_name",
    "worker__user__last_name",
    "worker__user__email",
)


def dispatch_board_jobs(provider) -> QuerySet[Appointment]:
    """The dispatch board's jobs without their cards (only ``is_escalated``), in the board's
    order: cheap to count and to page (no joins beyond the provider's stock records)."""
    return _escalated_first(
        Appointment.objects.filter(
            stockrecord__partner=provider, status=Status.CONFIRMED, start__gt=timezone.now()
        )
    )


def dispatch_board_cards(ids: QuerySet) -> QuerySet[Appointment]:
    """The board's cards (as :func:`dispatch_board`) of the jobs whose ids ``ids`` gives: a
    sliced ``dispatch_board_jobs(...).values_list("pk", flat=True)``, run as a subquery of the
    same statement, so PostgreSQL joins the card's tables for one page, not every job."""
    return _with_cards(_escalated_first(Appointment.objects.filter(pk__in=ids))).only(*CARD_FIELDS)


def dispatch_board(provider) -> QuerySet[Appointment]:
    """The provider's upcoming jobs nobody has accepted yet, escalated ones first.

    Each carries ``is_escalated`` and ``open_offer`` (the id of its open offer, or None)."""
    return _with_cards(dispatch_board_jobs(provider))
