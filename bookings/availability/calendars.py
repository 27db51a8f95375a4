"""Worker calendars: who may do a job, and whether they have time for it.

A worker has time at a start when their weekly hours cover the job, they have no time off
during it, and no active appointment's busy range (start to end + travel buffer) comes within
the travel buffer of it. ``with_calendar`` loads what decides that in three prefetch queries;
``worker_is_free`` decides it, for the slots a resident sees and, under the worker lock, for
what a hold accepts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch

from bookings.availability.window import ceil_to_step
from bookings.models import Appointment, TimeOff, WeeklyHours, Worker
from marketplace.policy import LOCAL_TZ, SLOT_STEP, TRAVEL_BUFFER


def qualified_workers(*, product, stockrecord, community):
    """Workers who may do this service in this community: the priced provider's, skilled,
    serving the community, active (the worker and their user account: a worker who cannot
    sign in cannot answer an offer). A queryset, so callers can lock it."""
    return Worker.objects.filter(
        provider_id=stockrecord.partner_id,
        skills=product.product_class_id,
        communities=community,
        is_active=True,
        user__is_active=True,
    ).order_by("pk")


def with_calendar(workers, *, start: datetime, end: datetime, exclude_appointment=None):
    """``workers`` with what decides their free time between ``start`` and ``end`` prefetched:
    weekly hours, time off, and active appointments whose busy range comes near the window."""
    appointments = Appointment.objects.filter(
        status__in=Appointment.ACTIVE, start__lt=end + TRAVEL_BUFFER, busy_until__gt=start
    ).only("pk", "worker_id", "start", "end", "busy_until")
    if exclude_appointment is not None:
        appointments = appointments.exclude(pk=exclude_appointment.pk)
    return workers.prefetch_related(
        Prefetch(
            "weekly_hours", queryset=WeeklyHours.objects.order_by("start"), to_attr="hours_list"
        ),
        Prefetch(
            "time_off",
            queryset=TimeOff.objects.filter(start__lt=end, end__gt=start),
            to_attr="time_off_list",
        ),
        Prefetch("appointments", queryset=appointments, to_attr="appointment_list"),
    )


class WorkerCalendar:
    """One worker's hours by weekday and blocked stretches, for a given slot duration."""

    def __init__(self, worker: Worker, duration: timedelta):
        self.worker = worker
        self.duration = duration
        self.hours = defaultdict(list)
        for h in worker.hours_list:
            self.hours[h.weekday].append((h.start, h.end))
        # A start s is blocked when lo < s < hi: an appointment blocks starts whose busy range
        # [s, s + duration + buffer) would overlap its own [start, busy_until); time off
        # blocks starts whose [s, s + duration) would overlap it.
        self.blocked = [
            (a.start - duration - TRAVEL_BUFFER, a.busy_until) for a in worker.appointment_list
        ]
        self.blocked += [(t.start - duration, t.end) for t in worker.time_off_list]

    def is_free(self, start: datetime) -> bool:
        local = start.astimezone(LOCAL_TZ)
        end = local + self.duration
        within_hours = any(
            datetime.combine(local.date(), h_start, tzinfo=LOCAL_TZ) <= local
            and end <= datetime.combine(local.date(), h_end, tzinfo=LOCAL_TZ)
            for h_start, h_end in self.hours.get(local.weekday(), ())
        )
        return within_hours and not any(lo < start < hi for lo, hi in self.blocked)

    def starts_on(self, day: date, earliest: datetime, latest: datetime):
        """Step-aligned starts on ``day`` within the hours, the window, and not blocked."""
        spans = self.hours.get(day.weekday(), ())
        if not spans:
            return
        # Only the stretches that touch this day can block one of its starts.
        day_start = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
        day_end = day_start + timedelta(days=1)
        blocked = [(lo, hi) for lo, hi in self.blocked if lo < day_end and hi > day_start]
        for h_start, h_end in spans:
            first = max(datetime.combine(day, h_start, tzinfo=LOCAL_TZ), earliest)
            last = datetime.combine(day, h_end, tzinfo=LOCAL_TZ) - self.duration
            moment = ceil_to_step(first)
            while moment <= last and moment <= latest:
                if not any(lo < moment < hi for lo, hi in blocked):
                    yield moment
                moment += SLOT_STEP


def worker_is_free(worker: Worker, start: datetime, duration: timedelta) -> bool:
    """Does the (calendar-prefetched) worker have time for a job at ``start``?"""
    return WorkerCalendar(worker, duration).is_free(start)
