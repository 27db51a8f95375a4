"""The two clocks of a repair request and their escalation.

``take``: from the report until a worker takes it (``take_due``); ``arrive``: until a worker
checks in on site (``arrive_due``). The due times come from the enterprise's ``RepairPolicy``,
the numbers its board publishes. ``clocks_escalate`` (beat, every 30 s) escalates each breach
once: the repair desk (the enterprise's staff) and the resident are told. A clock never
silently stops: it stops only when its step is done, and a reopened request gets new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import metrics
from repairs.models import RepairRequest
from repairs.notices import Kind, repair_notify
from repairs.transitions import figures_changed

Status = RepairRequest.Status
NOT_ARRIVED = (Status.REPORTED, Status.ACCEPTED, Status.ON_THE_WAY)


@dataclass(frozen=True)
class Clock:
    """One clock as the pages show it. ``state``: running, met, late (met after the due
    time), breached (due time passed, step not done), stopped (cancelled before the step)."""

    label: str
    due: datetime
    done_at: datetime | None
    state: str


def _clock(label, due, done_at, cancelled, now) -> Clock:
    if done_at is not None:
        state = "met" if done_at <= due else "late"
    elif cancelled:
        state = "stopped"
    else:
        state = "breached" if now >= due else "running"
    return Clock(label=label, due=due, done_at=done_at, state=state)


def request_clocks(request: RepairRequest, *, now=None) -> list[Clock]:
    """The take and arrival clocks of ``request`` at ``now``."""
    now = now or timezone.now()
    cancelled = request.status == Status.CANCELLED
    return [
        _clock(_("Taken by a worker"), request.take_due, request.taken_at, cancelled, now),
        _clock(_("Worker on site"), request.arrive_due, request.arrived_at, cancelled, now),
    ]


def _escalate(request_ids, field: str, now, kind: str) -> int:
    done = 0
    for request in RepairRequest.objects.filter(pk__in=request_ids).select_related(
        "community__enterprise", "resident"
    ):
        # The claim and its notices commit together: a crash between them loses neither.
        with transaction.atomic():
            # Claim the escalation with a conditional UPDATE: two sweeps tell people once.
            claimed = RepairRequest.objects.filter(
                pk=request.pk, **{f"{field}__isnull": True}
            ).update(**{field: now})
            if not claimed:
                continue
            done += 1
            metrics.CLOCK_BREACHES.labels(
                kind="repair", clock=field.removesuffix("_escalated_at")
            ).inc()
            desk = list(request.community.enterprise.staff.filter(is_active=True))
            key = f"{kind}:{request.pk}:{now.isoformat()}"
            repair_notify(desk, request, kind, role="desk", key=key)
            repair_notify(
                [request.resident], request, Kind.REPAIR_LATE, role="resident", key=f"late:{key}"
            )
    return done


def clocks_escalate(*, now=None, limit: int = 200) -> int:
    """Beat: escalate every breached clock once. Returns how many escalations were made."""
    now = now or timezone.now()
    take = list(
        RepairRequest.objects.filter(
            status=Status.REPORTED, take_due__lte=now, take_escalated_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    arrive = list(
        RepairRequest.objects.filter(
            Q(status__in=NOT_ARRIVED),
            arrive_due__lte=now,
            arrived_at__isnull=True,
            arrive_escalated_at__isnull=True,
        ).values_list("pk", flat=True)[:limit]
    )
    count = _escalate(take, "take_escalated_at", now, Kind.REPAIR_TAKE_LATE)
    count += _escalate(arrive, "arrive_escalated_at", now, Kind.REPAIR_ARRIVAL_LATE)
    if count:
        figures_changed()
    return count
