"""Dispatch of repair requests to the enterprise's maintenance workers.

Why a parallel model and not ``bookings.dispatch``: its ``DispatchRound``, ``JobOffer`` and
``DispatchAttempt`` have a required foreign key to ``Appointment`` and move a *hold* on a
worker's calendar slot (exclusion constraint, travel buffer). A repair has no slot: it is wanted
now, by whichever qualified worker on duty answers first. So ``RepairOffer`` follows the same
patterns — offers that expire (beat), accept/decline as a conditional UPDATE of the open offer
(zero rows: decided already), redispatch to workers not yet tried, escalation when none is left,
a desk assignment, the same lock order (request, then workers) — on its own table.

A round offers the request to every eligible worker at once (``offers_put_out``); the first
accept wins (``offer_accept``: the request's row lock, then the offer's conditional UPDATE, and
the ``one_accepted_repair_offer`` unique index as the database's last word); the others' offers
are withdrawn.

Eligible (``eligible_workers``): an active worker of a provider run by the request's enterprise
(``Partner.Kind.ENTERPRISE``), serving its community, on duty now (weekly hours, no time off).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.dispatch.outbox import kick
from bookings.models import TimeOff, WeeklyHours, Worker
from marketplace.partner.models import Partner
from marketplace.policy import LOCAL_TZ
from repairs import locking
from repairs.errors import RepairConflict, RepairError
from repairs.models import RepairOffer, RepairRequest
from repairs.notices import Kind, repair_notify
from repairs.policy import OFFER_TIME_NORMAL, OFFER_TIME_URGENT
from repairs.transitions import figures_changed, request_transition

log = logging.getLogger("linli.repairs")
Status = RepairRequest.Status
OfferStatus = RepairOffer.Status
DISPATCH_TASK = "repairs.tasks.repair_dispatch"


def dispatch_on_commit(request_id: int) -> None:
    """Kick the dispatch task once the report commits; beat's sweep catches a lost kick."""
    transaction.on_commit(lambda: kick(current_app.tasks[DISPATCH_TASK], request_id))


def maintenance_workers(request: RepairRequest) -> QuerySet[Worker]:
    """Active workers of the enterprise's own providers who serve the request's community."""
    return Worker.objects.filter(
        is_active=True,
        provider__kind=Partner.Kind.ENTERPRISE,
        provider__enterprise_id=request.community.enterprise_id,
        communities=request.community_id,
    )


def eligible_workers(request: RepairRequest, *, now=None) -> QuerySet[Worker]:
    """Maintenance workers on duty at ``now`` (local weekly hours, not on time off)."""
    now = now or timezone.now()
    local = now.astimezone(LOCAL_TZ)
    on_duty = WeeklyHours.objects.filter(
        worker=OuterRef("pk"),
        weekday=local.weekday(),
        start__lte=local.time(),
        end__gt=local.time(),
    )
    away = TimeOff.objects.filter(worker=OuterRef("pk"), start__lte=now, end__gt=now)
    return maintenance_workers(request).filter(Exists(on_duty), ~Exists(away)).order_by("pk")


def _offer_time(request: RepairRequest):
    return (
        OFFER_TIME_URGENT if request.urgency == RepairRequest.Urgency.URGENT else OFFER_TIME_NORMAL
    )


def _tried(request: RepairRequest) -> set[int]:
    # Workers offered it since it was (re)reported.
    return set(
        request.offers.filter(created__gte=request.reported_at).values_list("worker_id", flat=True)
    )


def offers_put_out(request: RepairRequest, *, now=None) -> list[RepairOffer]:
    """Offer a locked, waiting request to every eligible worker not yet tried; escalate to the
    desk when nobody is left and no offer is open. Returns the new offers."""
    now = now or timezone.now()
    if request.status != Status.REPORTED:
        return []
    if request.offers.filter(status=OfferStatus.OPEN).exists():
        return []  # a round is running: expiry or an answer moves it on
    tried = _tried(request)
    ids = [
        pk
        for pk in eligible_workers(request, now=now).values_list("pk", flat=True)
        if pk not in tried
    ]
    if not ids:
        _escalate_no_worker(request, now)
        return []
    locking.lock_workers(ids)
    expires = now + _offer_time(request)
    offers = [
        RepairOffer.objects.create(request=request, worker_id=pk, created=now, expires_at=expires)
        for pk in ids
    ]
    users = {w.pk: w.user for w in Worker.objects.filter(pk__in=ids).select_related("user")}
    for offer in offers:  # one notice per offer: its id is the key
        repair_notify(
            [users[offer.worker_id]],
            request,
            Kind.REPAIR_OFFER,
            role="worker",
            key=f"repair_offer:{offer.pk}",
        )
    return offers


def _desk_users(request: RepairRequest):
    return list(request.community.enterprise.staff.filter(is_active=True))


def _escalate_no_worker(request: RepairRequest, now) -> None:
    # Claimed by a conditional UPDATE: the desk is told once per (re)report.
    if RepairRequest.objects.filter(pk=request.pk, no_worker_escalated_at__isnull=True).update(
        no_worker_escalated_at=now
    ):
        request.no_worker_escalated_at = now
        repair_notify(
            _desk_users(request),
            request,
            Kind.REPAIR_NO_WORKER,
            role="desk",
            key=f"repair_no_worker:{request.pk}:{now.isoformat()}",
        )


@transaction.atomic
def request_dispatch(*, request_id: int, now=None) -> list[RepairOffer]:
    """The task's service: offer a waiting request (safe to run any number of times)."""
    try:
        request = locking.lock_request(request_id)
    except RepairRequest.DoesNotExist:
        return []
    return offers_put_out(request, now=now)


def _answer(offer_id: int, worker, new_status, now, *, request_id: int) -> int:
    condition = Q(pk=offer_id, request_id=request_id, status=OfferStatus.OPEN)
    if worker is not None:
        condition &= Q(worker=worker, expires_at__gt=now)
    return RepairOffer.objects.filter(condition).update(status=new_status, answered_at=now)


def offers_withdraw(request: RepairRequest, *, now=None) -> int:
    """Withdraw the request's open offers (taken, assigned or cancelled)."""
    return request.offers.filter(status=OfferStatus.OPEN).update(
        status=OfferStatus.WITHDRAWN, answered_at=now or timezone.now()
    )


@transaction.atomic
def offer_accept(*, offer_id: int, worker: Worker, now=None) -> RepairRequest:
    """The worker takes the request: it becomes theirs, the take clock stops, the other
    offers are withdrawn. Locks: the request, then the worker. Raises ``RepairConflict``
    (409) when the offer is not open (taken by someone else, expired, withdrawn)."""
    now = now or timezone.now()
    offer = RepairOffer.objects.filter(pk=offer_id, worker=worker).only("request_id").first()
    if offer is None:
        raise RepairConflict(_("This offer is not yours."))
    request = locking.lock_request(offer.request_id)
    locking.lock_workers([worker.pk])
    if request.status != Status.REPORTED or not _answer(
        offer_id, worker, OfferStatus.ACCEPTED, now, request_id=request.pk
    ):
        raise RepairConflict(_("This repair has been taken or the offer has lapsed."))
    request_transition(
        request=request,
        to=Status.ACCEPTED,
        by=worker.user,
        worker=worker,
        taken_at=request.taken_at or now,
    )
    offers_withdraw(request, now=now)
    figures_changed()
    repair_notify(
        [request.resident],
        request,
        Kind.REPAIR_TAKEN,
        role="resident",
        key=f"repair_taken:{offer_id}",
        context={"worker": worker.display_name},
    )
    return request


@transaction.atomic
def offer_decline(*, offer_id: int, worker: Worker, now=None) -> None:
    """The worker turns it down; when no offer is left open, the next round goes out."""
    now = now or timezone.now()
    offer = RepairOffer.objects.filter(pk=offer_id, worker=worker).only("request_id").first()
    if offer is None:
        raise RepairConflict(_("This offer is not yours."))
    request = locking.lock_request(offer.request_id)
    if not _answer(offer_id, worker, OfferStatus.DECLINED, now, request_id=request.pk):
        raise RepairConflict(_("This offer is no longer open."))
    offers_put_out(request, now=now)


@transaction.atomic
def request_assign(*, request_id: int, worker_id: int, by, now=None) -> RepairRequest:
    """The repair desk gives a waiting or taken (not yet on site) request to a maintenance
    worker of its enterprise. Raises ``RepairError`` (400: not a maintenance worker here)
    or ``RepairConflict`` (409: closed, or the worker is already on site)."""
    now = now or timezone.now()
    request = locking.lock_request(request_id)
    if request.status not in (Status.REPORTED, Status.ACCEPTED, Status.ON_THE_WAY):
        raise RepairConflict(_("This repair can no longer be assigned."))
    worker = maintenance_workers(request).filter(pk=worker_id).select_related("user").first()
    if worker is None:
        raise RepairError(_("Choose a maintenance worker who serves this community."))
    locking.lock_workers([worker.pk, request.worker_id])
    offers_withdraw(request, now=now)
    if request.status == Status.REPORTED:
        request_transition(
            request=request,
            to=Status.ACCEPTED,
            by=by,
            note=gettext_noop("Assigned by the repair desk"),
            worker=worker,
            taken_at=request.taken_at or now,
        )
    else:
        request.worker = worker
        request.save(update_fields=["worker"])
    figures_changed()
    repair_notify(
        [worker.user],
        request,
        Kind.REPAIR_ASSIGNED,
        role="worker",
        key=f"repair_assigned:{request.pk}:{worker.pk}:{now.isoformat()}",
    )
    return request


@transaction.atomic
def _expire_one(offer_id: int, now) -> None:
    offer = RepairOffer.objects.filter(pk=offer_id).only("request_id").first()
    if offer is None:
        return
    request = locking.lock_request(offer.request_id)
    if _answer(offer_id, None, OfferStatus.EXPIRED, now, request_id=request.pk):
        offers_put_out(request, now=now)


def offers_expire(*, now=None, limit: int = 200) -> int:
    """Beat: expire lapsed offers; a request left with none open goes to the next round."""
    now = now or timezone.now()
    ids = list(
        RepairOffer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    for offer_id in ids:
        _expire_one(offer_id, now)
    return len(ids)


def requests_sweep_undispatched(*, now=None, limit: int = 100) -> int:
    """Beat: waiting requests with no open offer and no escalation yet (a lost kick, or a
    worker who came on duty) get a round."""
    now = now or timezone.now()
    ids = list(
        RepairRequest.objects.filter(status=Status.REPORTED, no_worker_escalated_at__isnull=True)
        .exclude(offers__status=OfferStatus.OPEN)
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        request_dispatch(request_id=pk, now=now)
    return len(ids)


def offers_for_worker(worker: Worker, *, now=None):
    """The worker's open, unexpired repair offers, soonest expiry first."""
    now = now or timezone.now()
    return (
        RepairOffer.objects.filter(worker=worker, status=OfferStatus.OPEN, expires_at__gt=now)
        .select_related("request__community")
        .order_by("expires_at", "pk")
    )
