"""The published figures: the three complaint rates, and a provider's job figures.

Definitions (shown beside every figure, ``DEFINITIONS``), all over complaints *filed* in the
period and reckoned as of its end (``until``), so a past period always gives the same answer:

* response rate: of the complaints whose first-response clock has ended (answered, or due),
  the share first answered by their due time;
* resolution rate: of the complaints resolved or past their resolution due time, the share
  resolved (a reopened complaint counts as unresolved until resolved again);
* satisfaction rate: of the complaints whose resident answered, the share "satisfied" or
  "basically satisfied" (the last answer given).

A rate with nothing to count is None (shown as "—"), never 0 % or 100 %.
Job figures over appointments starting in the period: completion rate = completed /
(completed + no-show); on-time rate = share of completed jobs checked in by
``ON_TIME_GRACE`` after the start.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment, AppointmentEvent
from feedback.models import Complaint, ComplaintEvent
from feedback.policy import ON_TIME_GRACE

DEFINITIONS = {
    "response_rate": _(
        "Response on time: of the complaints whose first-response time is up, the share "
        "answered in time (2 hours for urgent matters, 24 hours otherwise)."
    ),
    "resolution_rate": _(
        "Resolved: of the complaints resolved or past their resolution time, the share resolved."
    ),
    "satisfaction_rate": _(
        "Satisfied: of the residents who answered, the share satisfied or basically satisfied."
    ),
    "completion_rate": _("Completion: completed jobs out of completed and no-show jobs."),
    "on_time_rate": _("On time: completed jobs checked in at most 10 minutes after the start."),
}


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class ComplaintFigures:
    """Counts and rates (fractions 0–1 with 4 places, or None) of a set of complaints."""

    count: int
    response_rate: Decimal | None
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None
    responded_on_time: int = 0
    response_decided: int = 0
    resolved: int = 0
    resolution_decided: int = 0
    satisfied: int = 0
    answered: int = 0

    def as_json(self) -> dict:
        """Rates as strings ("0.9600") or null, counts as ints."""
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def complaint_figures(complaints, *, until: datetime) -> ComplaintFigures:
    """The three rates of ``complaints`` (a queryset) as of ``until`` (aware).

    Only what had happened by ``until`` counts (answers, resolutions, reopenings,
    satisfaction answers are read from the timeline), so the result for a past period does
    not change."""
    rows = list(
        complaints.filter(filed_at__lt=until).only(
            "pk", "response_due", "responded_at", "resolution_due"
        )
    )
    events = {}
    for e in ComplaintEvent.objects.filter(
        complaint__in=[c.pk for c in rows],
        at__lt=until,
        kind__in=("resolved", "reopened", "rated", "info_added"),
    ).order_by("at", "pk"):
        events.setdefault(e.complaint_id, []).append(e)
    on_time = decided = resolved = res_decided = satisfied = answered = 0
    for c in rows:
        if c.responded_at is not None and c.responded_at < until:
            decided += 1
            on_time += c.responded_at <= c.response_due
        elif c.response_due < until:
            decided += 1
        is_resolved, answer = False, ""
        for e in events.get(c.pk, []):
            if e.kind == "resolved":
                is_resolved = True
            elif e.kind == "reopened":
                is_resolved, answer = False, ""
            elif e.kind == "rated":
                answer = e.satisfaction
        if is_resolved:
            resolved += 1
            res_decided += 1
        elif c.resolution_due < until:
            res_decided += 1
        if answer:
            answered += 1
            satisfied += answer in ("satisfied", "basic")
    return ComplaintFigures(
        count=len(rows),
        response_rate=_rate(on_time, decided),
        resolution_rate=_rate(resolved, res_decided),
        satisfaction_rate=_rate(satisfied, answered),
        responded_on_time=on_time,
        response_decided=decided,
        resolved=resolved,
        resolution_decided=res_decided,
        satisfied=satisfied,
        answered=answered,
    )


@dataclass
class JobFigures:
    """Jobs (appointments starting in the period) of a provider or an enterprise."""

    jobs: int
    completed: int
    no_show: int
    on_time: int
    completion_rate: Decimal | None
    on_time_rate: Decimal | None

    def as_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def job_figures(appointments, *, since: datetime, until: datetime) -> JobFigures:
    """Completion and on-time rates of ``appointments`` (a queryset) starting in
    [``since``, ``until``)."""
    period = appointments.filter(start__gte=since, start__lt=until)
    completed = period.filter(status=Appointment.Status.COMPLETED)
    n_completed = completed.count()
    no_show = period.filter(status=Appointment.Status.NO_SHOW).count()
    checked_in = AppointmentEvent.objects.filter(
        appointment__in=completed, to_status=Appointment.Status.IN_PROGRESS
    ).values_list("appointment_id", "at", "appointment__start")
    first = {}
    for pk, at, start in checked_in:
        if pk not in first or at < first[pk][0]:
            first[pk] = (at, start)
    on_time = sum(1 for at, start in first.values() if at <= start + ON_TIME_GRACE)
    return JobFigures(
        jobs=n_completed + no_show,
        completed=n_completed,
        no_show=no_show,
        on_time=on_time,
        completion_rate=_rate(n_completed, n_completed + no_show),
        on_time_rate=_rate(on_time, n_completed),
    )


def community_complaints(community_id: int):
    return Complaint.objects.filter(community_id=community_id)


def provider_complaints(provider_id: int):
    return Complaint.objects.filter(Q(provider_id=provider_id))
