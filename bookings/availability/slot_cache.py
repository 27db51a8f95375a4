"""Free starts of a service, cached per (service, community, local day), kept fresh by versions.

Computing a service page's times reads the qualified workers' hours, time off and appointments
and walks every step of every day: most of the page's cost. What one day offers depends only on

- which workers qualify (the provider priced in the community, skills, communities served,
  active worker and user account): the *workers version* (``WORKERS_VERSION_KEY``), moved on by
  any change to a worker, their skills or communities, or a user account;
- each of those workers' calendars (weekly hours, time off, active appointments): one
  *calendar version* per worker (``calendar_version_key``), moved on by every change of them.

An entry stores the day's starts together with the worker ids and the calendar versions read
*before* it was computed; it is used only while every one of those versions is unchanged (one
``get_many`` for a whole page). Versions move in the changing transaction and again on commit
(``marketplace.cache.bump_versions``), so a page rendered between the two cannot store the old
calendar under the new version. The entry holds a day's starts without the booking window
(``now``-dependent) applied: the window is applied when it is read.

A stale entry can only show a time that was just taken: booking re-checks the worker's calendar
under the worker lock (``bookings.appointments.hold``) and the database's exclusion constraint
refuses an overlap, so a stale time costs a refusal (409 with the next free times), never a
double booking (``tests/bookings/availability/test_slot_cache.py``). Wired in
``bookings.availability.handlers``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.cache import cache

from marketplace.cache import bump_versions
from marketplace.policy import LOCAL_TZ

#: Moves on when any worker, their skills or communities, or any user account changes.
WORKERS_VERSION_KEY = "linli:workers:version"
#: How long an unused entry is kept (seconds); a version change makes it unusable at once.
ENTRY_SECONDS = 30 * 60


def calendar_version_key(worker_id: int) -> str:
    """The cache key of ``worker_id``'s calendar version."""
    return f"linli:calendar:{worker_id}"


def calendars_changed(worker_ids: Iterable[int | None]) -> None:
    """Move on the calendar versions of ``worker_ids`` (None ignored): now and on commit."""
    keys = sorted({calendar_version_key(w) for w in worker_ids if w})
    if keys:
        bump_versions(keys)


def workers_changed() -> None:
    """Move on the workers version (who qualifies for what may have changed)."""
    bump_versions([WORKERS_VERSION_KEY])


def day_keys(
    *, product, stockrecord, community, duration_minutes: int, days: list[date], seen=None
):
    """``{day: cache key}``: the key names everything else the day's starts depend on (the
    product's kind of service, the provider priced, the duration), and the workers version.
    ``seen`` (a dict, optional) gets ``{WORKERS_VERSION_KEY: version}`` (see ``read_days``)."""
    workers_version = cache.get(WORKERS_VERSION_KEY, 0)
    if seen is not None:
        seen.setdefault(WORKERS_VERSION_KEY, workers_version)
    prefix = (
        f"linli:slots:{product.pk}:{product.product_class_id}:{stockrecord.partner_id}"
        f":{community.pk}:{duration_minutes}:w{workers_version}"
    )
    return {day: f"{prefix}:{day.isoformat()}" for day in days}


def read_days(keys: dict[date, str], seen=None) -> dict[date, list[datetime]]:
    """The days of ``keys`` whose entries are present and fresh, as ``{day: [aware start]}``.

    Two cache reads whatever the number of days: the entries, then the calendar versions of
    every worker they name. ``seen`` (a dict, optional) gets ``{calendar version key:
    version}`` of the workers of the fresh days: a page built from them (the shared service
    page, ``marketplace.page_cache``) is stale once any of them moves on."""
    entries = cache.get_many(list(keys.values()))
    if not entries:
        return {}
    worker_ids = {w for entry in entries.values() for w in entry[0]}
    versions = _versions(worker_ids)
    fresh = {}
    for day, key in keys.items():
        entry = entries.get(key)
        if entry is None:
            continue
        ids, stored, starts = entry
        if all(versions[w] == v for w, v in zip(ids, stored, strict=True)):
            fresh[day] = [datetime.fromtimestamp(s, tz=LOCAL_TZ) for s in starts]
            if seen is not None:
                for w in ids:  # the first version read: the oldest data the page shows
                    seen.setdefault(calendar_version_key(w), versions[w])
    return fresh


def versions_before(worker_ids: Iterable[int]) -> dict[int, int]:
    """The current calendar versions of ``worker_ids``: read before computing what is stored
    under them, so a change made meanwhile makes the stored entry stale, not wrong."""
    return _versions(set(worker_ids))


def write_days(
    keys: dict[date, str],
    computed: dict[date, list[datetime]],
    *,
    worker_ids: list[int],
    versions: dict[int, int],
) -> None:
    """Store each computed day's starts with the workers and versions it was computed from."""
    ids = tuple(sorted(worker_ids))
    seen = tuple(versions[w] for w in ids)
    cache.set_many(
        {
            keys[day]: (ids, seen, tuple(int(s.timestamp()) for s in starts))
            for day, starts in computed.items()
        },
        ENTRY_SECONDS,
    )


def _versions(worker_ids: set[int]) -> dict[int, int]:
    ordered = sorted(worker_ids)
    found = cache.get_many([calendar_version_key(w) for w in ordered])
    return {w: found.get(calendar_version_key(w), 0) for w in ordered}
