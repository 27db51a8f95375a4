"""A worker's time in the console: weekly hours, time off, the team's week, who is free.

Resident-facing slots are computed from these rows (``bookings.slots``), so an edit shows at
once. Every edit locks the worker's row first, through ``bookings.appointments.locking``, so a
booking in flight sees either the old hours or the new ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments import locking
from bookings.availability.calendars import qualified_workers, with_calendar, worker_is_free
from bookings.availability.slot_cache import calendars_changed
from bookings.console.errors import ConsoleError
from bookings.models import Appointment, TimeOff, WeeklyHours, Worker
from marketplace.policy import LOCAL_TZ

Status = Appointment.Status


# --- a worker's time ---------------------------------------------------------------------------


def _lock_worker(worker: Worker) -> None:
    # Why: booking locks the candidate workers' rows before reading their hours. Taking the
    # same lock here means a booking in flight sees either the old hours or the new ones,
    # never half of an edit.
    locking.lock_workers([worker.pk])


@transaction.atomic
def weekly_hours_set(*, worker: Worker, hours: list[tuple[int, time, time]]) -> list[WeeklyHours]:
    """Replace the worker's week with ``hours`` [(weekday 0=Monday, start, end), ...].

    Resident-facing slots change at once (they are computed from these rows). Appointments
    already booked stay; the worker or manager moves them if the new week excludes them.
    Raises ``ConsoleError`` for an unknown weekday, an end not after its start, or overlapping
    hours on one day.
    """
    by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, start, end in hours:
        if not 0 <= weekday <= 6:
            raise ConsoleError(_("Unknown weekday."))
        if end <= start:
            raise ConsoleError(
                _("On %(day)s the end (%(end)s) must be after the start (%(start)s).")
                % {
                    "day": WeeklyHours.Weekday(weekday).label,
                    "start": f"{start:%H:%M}",
                    "end": f"{end:%H:%M}",
                }
            )
        by_day[weekday].append((start, end))
    for weekday, stretches in by_day.items():
        stretches.sort()
        for (_s1, e1), (s2, _e2) in zip(stretches, stretches[1:], strict=False):
            if s2 < e1:
                raise ConsoleError(
                    _("The hours on %(day)s overlap.") % {"day": WeeklyHours.Weekday(weekday).label}
                )
    _lock_worker(worker)
    WeeklyHours.objects.filter(worker=worker).delete()
    # ``bulk_create`` sends no signal (a worker without hours had none deleted either).
    calendars_changed([worker.pk])
    return WeeklyHours.objects.bulk_create(
        WeeklyHours(worker=worker, weekday=d, start=s, end=e)
        for d in sorted(by_day)
        for s, e in by_day[d]
    )


@transaction.atomic
def time_off_add(*, worker: Worker, start: datetime, end: datetime, reason: str = "") -> TimeOff:
    """Block ``start``–``end`` for the worker: no slot is offered then.

    Refused while an active job falls in it: those must be reassigned first (the manager's
    dispatch board), so that no resident is left without a worker. ``start``/``end`` are
    aware datetimes; raises ``ConsoleError`` (also for an empty or past stretch).
    """
    if end <= start:
        raise ConsoleError(_("The time off must end after it starts."))
    if end <= timezone.now():
        raise ConsoleError(_("That time off is already over."))
    _lock_worker(worker)
    clash = (
        Appointment.objects.filter(
            worker=worker, status__in=Appointment.ACTIVE, start__lt=end, end__gt=start
        )
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ConsoleError(
            _(
                "You have a job at %(time)s in that time. Ask your manager to reassign it "
                "before taking the time off."
            )
            % {"time": f"{timezone.localtime(clash.start):%m-%d %H:%M}"}
        )
    return TimeOff.objects.create(worker=worker, start=start, end=end, reason=reason[:200])


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    """Remove a time off entry: its hours become bookable again at once."""
    _lock_worker(time_off.worker)
    TimeOff.objects.filter(pk=time_off.pk).delete()


def upcoming_time_off(worker: Worker):
    """The worker's time off that has not ended yet, soonest first (a queryset)."""
    return worker.time_off.filter(end__gt=timezone.now()).order_by("start")


def team_size(provider) -> int:
    """How many active workers the provider has."""
    return Worker.objects.filter(provider=provider, is_active=True).count()


# --- a manager's view --------------------------------------------------------------------------


@dataclass
class TeamDay:
    """One worker's local day in the team's week: weekly hours, jobs and time off."""

    day: date
    hours: list
    jobs: list
    time_off: list


@dataclass
class TeamRow:
    """One worker's week: seven ``TeamDay`` from Monday."""

    worker: Worker
    days: list[TeamDay]

    @property
    def job_count(self) -> int:
        """Jobs in the week (not cancelled or expired)."""
        return sum(len(d.jobs) for d in self.days)


def team_week(provider, week_start: date) -> list[TeamRow]:
    """The provider's workers with their hours, jobs and time off for the week starting on
    ``week_start`` (a local Monday), one ``TeamRow`` per worker (4 queries)."""
    start = datetime.combine(week_start, time(0), tzinfo=LOCAL_TZ)
    end = start + timedelta(days=7)
    workers = list(Worker.objects.filter(provider=provider).select_related("user").order_by("pk"))
    ids = [w.pk for w in workers]
    hours = defaultdict(list)
    for h in WeeklyHours.objects.filter(worker_id__in=ids).order_by("start"):
        hours[(h.worker_id, h.weekday)].append(h)
    jobs = defaultdict(list)
    for a in (
        Appointment.objects.filter(worker_id__in=ids, start__gte=start, start__lt=end)
        .exclude(status__in=(Status.CANCELLED, Status.EXPIRED))
        .select_related("product", "community")
    ):
        jobs[(a.worker_id, timezone.localtime(a.start).date())].append(a)
    offs = defaultdict(list)
    for t in TimeOff.objects.filter(worker_id__in=ids, start__lt=end, end__gt=start):
        for i in range(7):
            day = week_start + timedelta(days=i)
            lo = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
            if t.start < lo + timedelta(days=1) and t.end > lo:
                offs[(t.worker_id, day)].append(t)
    rows = []
    for w in workers:
        days = []
        for i in range(7):
            day = week_start + timedelta(days=i)
            days.append(
                TeamDay(
                    day=day,
                    hours=hours[(w.pk, day.weekday())],
                    jobs=jobs[(w.pk, day)],
                    time_off=offs[(w.pk, day)],
                )
            )
        rows.append(TeamRow(worker=w, days=days))
    return rows


def free_qualified_workers(appointment: Appointment) -> list[Worker]:
    """The provider's workers who could take ``appointment`` by hand: qualified for the
    service in its community and free at its time (hours, time off, other jobs)."""

    duration = appointment.end - appointment.start
    workers = with_calendar(
        qualified_workers(
            product=appointment.product,
            stockrecord=appointment.stockrecord,
            community=appointment.community,
        ).select_related("user"),
        start=appointment.start,
        end=appointment.end,
        exclude_appointment=appointment,
    )
    return [w for w in workers if worker_is_free(w, appointment.start, duration)]
