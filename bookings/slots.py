"""Free time: which slots of a service can be booked in a community.

A slot is free when at least one qualified worker (active, of the service's provider in that
community, skilled in its kind of service, serving the community) has weekly hours that cover
it, no time off during it, and no active appointment within the travel buffer of it. Slots
start on a 30-minute step in local time, at least 2 h and at most 30 days ahead, and last the
service's duration.

Everything a computation needs is loaded in four queries (workers, their hours, their time off
and their appointments), whatever the number of workers or services; the rest is arithmetic.
The same ``worker_is_free`` decides both what the resident sees and, under the worker lock,
what ``services.appointment_hold`` accepts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.exceptions import BookingError
from bookings.models import Appointment, TimeOff, WeeklyHours, Worker
from marketplace.policy import (
    DEFAULT_DURATION,
    HORIZON,
    LOCAL_TZ,
    MINIMUM_NOTICE,
    SLOT_STEP,
    TRAVEL_BUFFER,
)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(LOCAL_TZ)

    def as_json(self) -> dict:
        local = self.local_start
        return {
            "start": local.isoformat(),
            "end": self.end.astimezone(LOCAL_TZ).isoformat(),
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
        }


@dataclass(frozen=True)
class ServiceTerms:
    """What the catalogue says about a service that booking needs."""

    duration: timedelta
    cancellation_fee: Decimal


def service_terms(product) -> ServiceTerms:
    """Duration and late-cancellation fee from the product's attributes (one query)."""
    values = product.attribute_map()
    minutes = values.get("duration_minutes")
    fee = values.get("cancellation_fee")
    return ServiceTerms(
        duration=timedelta(minutes=int(minutes)) if minutes else DEFAULT_DURATION,
        cancellation_fee=Decimal(str(fee or 0)).quantize(Decimal("0.01")),
    )


# --- the booking window -----------------------------------------------------------------


def _ceil_to_step(moment: datetime) -> datetime:
    """The first step boundary (local time) at or after ``moment``."""
    local = moment.astimezone(LOCAL_TZ)
    midnight = datetime.combine(local.date(), time(0), tzinfo=LOCAL_TZ)
    steps = math.ceil((local - midnight) / SLOT_STEP)
    return midnight + steps * SLOT_STEP


def booking_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """(earliest, latest) start a booking made at ``now`` may have."""
    now = now or timezone.now()
    return _ceil_to_step(now + MINIMUM_NOTICE), now + HORIZON


def validate_start(start: datetime, *, now: datetime | None = None) -> None:
    """Refuse a start in the past, inside the notice, beyond the horizon or off the step."""
    now = now or timezone.now()
    if timezone.is_naive(start):
        start = timezone.make_aware(start, LOCAL_TZ)
    if start <= now:
        raise BookingError(_("That time has already passed. Please choose a later slot."))
    if start < now + MINIMUM_NOTICE:
        raise BookingError(
            _("Please book at least %(hours)d hours ahead.")
            % {"hours": MINIMUM_NOTICE.total_seconds() // 3600}
        )
    if start > now + HORIZON:
        raise BookingError(
            _("Bookings open %(days)d days ahead; please choose an earlier date.")
            % {"days": HORIZON.days}
        )
    if _ceil_to_step(start) != start:
        raise BookingError(_("Slots start on the hour or the half hour."))


# --- who can do the job ----------------------------------------------------------------------


def qualified_workers(*, product, stockrecord, community):
    """Workers who may do this service in this community: the priced provider's, skilled,
    serving the community, active. A queryset, so callers can lock it."""
    return Worker.objects.filter(
        provider_id=stockrecord.partner_id,
        skills=product.product_class_id,
        communities=community,
        is_active=True,
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


class _Calendar:
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
            moment = _ceil_to_step(first)
            while moment <= last and moment <= latest:
                if not any(lo < moment < hi for lo, hi in blocked):
                    yield moment
                moment += SLOT_STEP


def worker_is_free(worker: Worker, start: datetime, duration: timedelta) -> bool:
    """Does the (calendar-prefetched) worker have time for a job at ``start``?"""
    return _Calendar(worker, duration).is_free(start)


# --- slots -------------------------------------------------------------------------------------


def available_slots(
    *,
    product,
    stockrecord,
    community,
    start: datetime | None = None,
    end: datetime | None = None,
    max_days: int | None = None,
    duration: timedelta | None = None,
    now: datetime | None = None,
    exclude_appointment=None,
) -> list[Slot]:
    """Free slots from ``start`` to ``end`` (clamped to the booking window), earliest first.

    ``max_days`` stops after that many days with at least one free slot (the service page
    shows the next few days; the JSON picker asks for a date range). ``exclude_appointment``
    is left out of the workers' calendars (the appointment being rescheduled).
    """
    earliest, latest = booking_window(now)
    start = max(start or earliest, earliest)
    end = min(end or latest, latest)
    if start > end:
        return []
    duration = duration or service_terms(product).duration
    workers = qualified_workers(product=product, stockrecord=stockrecord, community=community)
    slots: list[Slot] = []
    days_found = 0
    day = start.astimezone(LOCAL_TZ).date()
    last_day = end.astimezone(LOCAL_TZ).date()
    # With ``max_days`` the calendars are read a few days at a time: the service page shows
    # the next few days with a free slot, and reading a month of appointments to show them
    # was most of its cost. Each stretch of days is read once (four queries).
    stretch = timedelta(days=max_days + 2) if max_days else last_day - day
    while day <= last_day:
        stretch_end = min(day + stretch, last_day)
        calendars = [
            _Calendar(w, duration)
            for w in with_calendar(
                workers,
                start=max(start, local_day_bounds(day)[0]),
                end=min(end, local_day_bounds(stretch_end)[1]) + duration,
                exclude_appointment=exclude_appointment,
            )
        ]
        if not calendars:
            break
        while day <= stretch_end:
            starts: set[datetime] = set()
            for calendar in calendars:
                starts.update(calendar.starts_on(day, start, end))
            if starts:
                slots.extend(Slot(s, s + duration) for s in sorted(starts))
                days_found += 1
                if max_days and days_found >= max_days:
                    return slots
            day += timedelta(days=1)
    return slots


def next_free_slots(
    *, product, stockrecord, community, near: datetime | None = None, count: int = 8
) -> list[Slot]:
    """A few free slots from the start of ``near``'s day on (or from now): what a resident
    who asked for a taken time is offered instead."""
    start = local_day_bounds(near.astimezone(LOCAL_TZ).date())[0] if near else None
    slots = available_slots(
        product=product, stockrecord=stockrecord, community=community, start=start, max_days=2
    )
    return slots[:count]


def group_by_day(slots: list[Slot]) -> list[tuple[date, list[Slot]]]:
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.local_start.date(), []).append(slot)
    return list(days.items())


def parse_start(value: str) -> datetime:
    """An ISO 8601 start from a form or query string, aware (local time if no offset)."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise BookingError(_("That is not a valid time.")) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=1)
