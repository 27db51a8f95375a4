"""Who may reach which repair request: one helper per viewer (anything else is a 404, so we
never confirm that another resident's or another enterprise's request exists).

- a resident: the requests they reported or that are for their home;
- a maintenance worker: the requests they hold, or have an open offer for; the resident's
  name, address and phone only once they hold it (``show_contact``);
- the repair desk: enterprise staff (``Enterprise.staff``), for their enterprise's communities.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from repairs.models import RepairOffer, RepairRequest


def requests_of_resident(user) -> QuerySet[RepairRequest]:
    """The resident's own requests (reported by them or for one of their homes)."""
    return RepairRequest.objects.filter(Q(resident=user) | Q(household__user=user)).distinct()


def request_for_resident(user, pk) -> RepairRequest:
    """One of the resident's requests, or 404."""
    return get_object_or_404(
        requests_of_resident(user).select_related("community", "household", "worker__user"), pk=pk
    )


def request_for_worker(worker, pk) -> RepairRequest:
    """A request the worker holds or has an open offer for, or 404."""
    if worker is None:
        raise Http404
    offered = RepairOffer.objects.filter(
        worker=worker, status=RepairOffer.Status.OPEN, expires_at__gt=timezone.now()
    ).values("request_id")
    return get_object_or_404(
        RepairRequest.objects.filter(Q(worker=worker) | Q(pk__in=offered)).select_related(
            "community", "household"
        ),
        pk=pk,
    )


def show_contact(request: RepairRequest, worker) -> bool:
    """The worker sees the resident's contact only while they hold the request."""
    return worker is not None and request.worker_id == worker.pk and not request.is_closed


def desk_enterprises(user):
    """The enterprises whose repair desk ``user`` works at (its staff)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.enterprises.all())


def requests_of_desk(user) -> QuerySet[RepairRequest]:
    """Every request of the user's enterprises' communities."""
    return RepairRequest.objects.filter(community__enterprise__staff=user).distinct()


def request_for_desk(user, pk) -> RepairRequest:
    """A request of one of the user's enterprises, or 404."""
    return get_object_or_404(
        requests_of_desk(user).select_related("community__enterprise", "household", "worker__user"),
        pk=pk,
    )
