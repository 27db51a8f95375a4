"""Job offers: what a worker answers (accept, decline), what lapses (expire), what they see.

An offer is put out by a dispatch round (``bookings.dispatch.outbox.offer_create``). Accepting
makes the appointment accepted (``lifecycle.appointment_transition``) and closes the round; a
decline (with a reason) or an expiry (beat, every 30 s: ``offers_expire``) moves the hold to the
next worker or escalates (``bookings.dispatch.assignment.redispatch``).

An answer is a conditional UPDATE of the open offer: zero rows means it was decided already
(``OfferUnavailable``), so a double click or a sweep racing a worker decides once.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.appointments import locking
from bookings.appointments.lifecycle import appointment_transition
from bookings.dispatch.assignment import lock_for_move, redispatch
from bookings.exceptions import BookingError, OfferUnavailable
from bookings.models import Appointment, DispatchAttempt, DispatchRound, JobOffer, Worker
from marketplace import metrics

Status = Appointment.Status


def _answer(offer_id: int, worker: Worker, new_status, *, reason: str = "") -> JobOffer:
    """Close an open offer (conditional UPDATE: zero rows means it was already decided)."""
    now = timezone.now()
    updates = {"status": new_status, "answered_at": now}
    if reason:
        updates["decline_reason"] = reason[:300]
    condition = Q(pk=offer_id, status=JobOffer.Status.OPEN)
    if new_status != JobOffer.Status.EXPIRED:
        condition &= Q(worker=worker, expires_at__gt=now)
    if not JobOffer.objects.filter(condition).update(**updates):
        raise OfferUnavailable(
            _("This offer is no longer open: it was answered, withdrawn or has expired.")
        )
    offer = JobOffer.objects.select_related("request").get(pk=offer_id)
    DispatchAttempt.objects.create(
        request=offer.request,
        appointment_id=offer.appointment_id,
        offer=offer,
        worker=offer.worker,
        outcome=new_status,
        actor=worker.user if new_status != JobOffer.Status.EXPIRED else None,
        note=reason[:300],
        at=now,
    )
    return offer


@transaction.atomic
def offer_accept(*, offer: JobOffer, worker: Worker) -> Appointment:
    """The worker takes the job: the appointment becomes accepted."""
    appointment = locking.lock_appointment(offer.appointment_id)
    if offer.worker_id != worker.pk or appointment.worker_id != worker.pk:
        raise OfferUnavailable(_("This offer is not yours."))
    offer = _answer(offer.pk, worker, JobOffer.Status.ACCEPTED)
    appointment_transition(
        appointment=appointment,
        to=Status.ACCEPTED,
        by=worker.user,
        reason=gettext_noop("Accepted by the worker"),
    )
    round_ = offer.request
    round_.status = DispatchRound.Status.ACCEPTED
    round_.closed_at = timezone.now()
    round_.save(update_fields=["status", "closed_at"])
    return appointment


@transaction.atomic
def offer_decline(*, offer: JobOffer, worker: Worker, reason: str) -> JobOffer | None:
    """The worker turns the job down (with a reason); the next worker gets an offer.

    Returns that next offer, or None when nobody is left (the round is escalated)."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Please say why you decline this job."))
    if offer.worker_id != worker.pk:
        raise OfferUnavailable(_("This offer is not yours."))
    appointment, candidate_ids = lock_for_move(offer.appointment_id)
    offer = _answer(offer.pk, worker, JobOffer.Status.DECLINED, reason=reason)
    return redispatch(appointment, offer.request, candidate_ids)


@transaction.atomic
def offer_expire(*, offer_id: int) -> JobOffer | None:
    """An offer's time is up: the next worker gets one. Returns it (None: escalated/too late)."""
    offer = JobOffer.objects.filter(pk=offer_id).only("appointment_id").first()
    if offer is None:
        return None
    appointment, candidate_ids = lock_for_move(offer.appointment_id)
    try:
        offer = _answer(offer_id, None, JobOffer.Status.EXPIRED)
    except OfferUnavailable:
        return None  # answered meanwhile, or another sweeper expired it first
    return redispatch(appointment, offer.request, candidate_ids)


def offers_expire(*, now=None, limit: int = 100) -> int:
    """Beat, every 30 s: expire lapsed offers and re-dispatch. Returns how many expired."""
    now = now or timezone.now()
    ids = list(
        JobOffer.objects.filter(status=JobOffer.Status.OPEN, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    for offer_id in ids:
        offer_expire(offer_id=offer_id)
    metrics.OFFERS_EXPIRED.inc(len(ids))
    return len(ids)


def offers_for_worker(worker: Worker) -> QuerySet[JobOffer]:
    """The worker's open offers that have not expired, soonest expiry first."""
    return (
        JobOffer.objects.filter(
            worker=worker, status=JobOffer.Status.OPEN, expires_at__gt=timezone.now()
        )
        .select_related("appointment__product", "appointment__community", "appointment__household")
        .order_by("expires_at", "pk")
    )
