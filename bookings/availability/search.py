"""Slot search: which slots of a service can be booked in a community.

A slot is free when at least one qualified worker (active, of the service's provider in that
community, skilled in its kind of service, serving the community) has weekly hours that cover
it, no time off during it, and no active appointment within the travel buffer of it. Slots
start on a 30-minute step in local time, at least 2 h and at most 30 days ahead, and last the
service's duration.

Everything a computation needs is loaded in four queries (workers, their hours, their time off
and their appointments), whatever the number of workers or services; the rest is arithmetic.
The same ``worker_is_free`` decides both what the resident sees and, under the worker lock,
what a hold accepts (``bookings.appointments.hold``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bookings.availability import slot_cache
from bookings.availability.calendars import WorkerCalendar, qualified_workers, with_calendar
from bookings.availability.window import booking_window, local_day_bounds
from marketplace.policy import DEFAULT_DURATION, LOCAL_TZ


@dataclass(frozen=True)
class Slot:
    """One bookable slot: aware ``start`` and ``end`` (end = start + the service's duration)."""

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
    seen: dict | None = None,
) -> list[Slot]:
    """Free slots from ``start`` to ``end`` (clamped to the booking window), earliest first.

    ``max_days`` stops after that many days with at least one free slot (the service page
    shows the next few days; the JSON picker asks for a date range). ``exclude_appointment``
    is left out of the workers' calendars (the appointment being rescheduled); without it,
    each day's starts come from the slot cache when its workers' calendars have not changed
    (``bookings.availability.slot_cache``). ``seen`` (a dict, optional) gets the cache
    versions the slots were read under (``{version key: version}``: the workers version and
    each qualified worker's calendar version).
    """
    earliest, latest = booking_window(now)
    start = max(start or earliest, earliest)
    end = min(end or latest, latest)
    if start > end:
        return []
    duration = duration or service_terms(product).duration
    workers = qualified_workers(product=product, stockrecord=stockrecord, community=community)
    cached = exclude_appointment is None
    slots: list[Slot] = []
    days_found = 0
    day = start.astimezone(LOCAL_TZ).date()
    last_day = end.astimezone(LOCAL_TZ).date()
    # With ``max_days`` the days are taken a few at a time: the service page shows the next
    # few days with a free slot, and reading a month of appointments to show them was most of
    # its cost. Each stretch of days is read once (two cache reads; four queries for the days
    # the cache did not have).
    stretch = timedelta(days=max_days + 2) if max_days else last_day - day
    while day <= last_day:
        stretch_end = min(day + stretch, last_day)
        days = [day + timedelta(days=i) for i in range((stretch_end - day).days + 1)]
        if cached:
            by_day = _cached_day_starts(
                workers,
                days,
                duration,
                product=product,
                stockrecord=stockrecord,
                community=community,
                seen=seen,
            )
        else:
            by_day = _day_starts(workers, days, duration, exclude_appointment)
        if by_day is None:
            break
        for each in days:
            starts = [s for s in by_day[each] if start <= s <= end]
            if starts:
                slots.extend(Slot(s, s + duration) for s in starts)
                days_found += 1
                if max_days and days_found >= max_days:
                    return slots
        day = stretch_end + timedelta(days=1)
    return slots


def _day_starts(workers, days: list[date], duration: timedelta, exclude_appointment=None):
    """``{day: sorted aware starts}`` of ``days`` (consecutive), the booking window not
    applied; None when no worker qualifies. One calendar read (four queries) for all days."""
    calendars = [
        WorkerCalendar(w, duration)
        for w in with_calendar(
            workers,
            start=local_day_bounds(days[0])[0],
            end=local_day_bounds(days[-1])[1] + duration,
            exclude_appointment=exclude_appointment,
        )
    ]
    if not calendars:
        return None
    by_day = {}
    for day in days:
        first, last = local_day_bounds(day)
        starts: set[datetime] = set()
        for calendar in calendars:
            starts.update(calendar.starts_on(day, first, last))
        by_day[day] = sorted(starts)
    return by_day


def _cached_day_starts(workers, days, duration, *, product, stockrecord, community, seen=None):
    """``_day_starts`` through the slot cache: fresh days from it, the rest computed (from
    the first to the last missing day, in one read) and stored."""
    keys = slot_cache.day_keys(
        product=product,
        stockrecord=stockrecord,
        community=community,
        duration_minutes=int(duration.total_seconds() // 60),
        days=days,
        seen=seen,
    )
    by_day = slot_cache.read_days(keys, seen)
    missing = [day for day in days if day not in by_day]
    if not missing:
        return by_day
    worker_ids = list(workers.values_list("pk", flat=True))
    if not worker_ids:
        return None
    versions = slot_cache.versions_before(worker_ids)
    if seen is not None:
        for w, v in versions.items():  # the first version read: the oldest data shown
            seen.setdefault(slot_cache.calendar_version_key(w), v)
    span = [missing[0] + timedelta(days=i) for i in range((missing[-1] - missing[0]).days + 1)]
    computed = _day_starts(workers.filter(pk__in=worker_ids), span, duration)
    if computed is None:
        return None
    computed = {day: computed[day] for day in missing}
    slot_cache.write_days(keys, computed, worker_ids=worker_ids, versions=versions)
    return {**by_day, **computed}


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
    """``slots`` (sorted) grouped by local day, in order: ``[(day, [slot, ...]), ...]``."""
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.local_start.date(), []).append(slot)
    return list(days.items())
