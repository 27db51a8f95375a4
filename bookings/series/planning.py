"""Which worker each coming visit of a series would get, shown before the resident confirms.

Nothing is locked or written here: the plan is what the workers' calendars say now. The
bookings themselves (``services.series_extend``) hold each worker under the lock and may differ
if someone books meanwhile; the series page then shows what was booked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from bookings.appointments.hold import candidate_ids, free_workers, resolve_household
from bookings.appointments.quote import service_quote
from bookings.availability.search import Slot, next_free_slots, service_terms
from bookings.availability.window import booking_window
from bookings.models import Worker
from bookings.series.rules import SeriesRule, validate_rule
from marketplace.policy import SERIES_OTHER_TIMES, SERIES_PREVIEW_VISITS


@dataclass
class VisitPlan:
    """One coming visit (aware ``start``): the ``worker`` it would get (None: nobody free, then
    ``other_times`` are free slots near it), ``substitute`` when that is not the preferred one."""

    start: datetime
    worker: Worker | None
    substitute: bool = False
    other_times: list[Slot] = field(default_factory=list)

    @property
    def unfilled(self) -> bool:
        return self.worker is None


@dataclass
class SeriesPlan:
    """A series as it would be booked now: ``preferred`` worker (free for the most visits),
    ``visits`` within the booking horizon (at most ``SERIES_PREVIEW_VISITS``), ``total`` visits
    of the rule and ``later`` (booked by beat as the horizon moves), ``price`` (yuan, the board's
    price now), the resident's ``household``."""

    preferred: Worker | None
    visits: list[VisitPlan]
    total: int
    later: int
    price: object
    household: object
    all_starts: list[datetime]


def series_plan(*, user, product, rule: SeriesRule, household=None, now=None) -> SeriesPlan:
    """Plan ``rule``'s visits of ``product`` for ``user``'s ``household`` (default home).

    Raises ``SeriesRuleError`` (the rule: no visit, past start, too long), ``HouseholdRequired``,
    ``ServiceNotOfferedHere``, ``PriceNotPublished`` — before anything is written."""
    now = now or timezone.now()
    household = resolve_household(user=user, household=household)
    starts = validate_rule(rule, now=now)
    community = household.community
    quote = service_quote(community=community, product=product)
    duration = service_terms(product).duration
    candidates = candidate_ids(product=product, stockrecord=quote.stockrecord, community=community)
    _, latest = booking_window(now)
    within = [s for s in starts if s <= latest][:SERIES_PREVIEW_VISITS]
    free = [free_workers(candidates, start=s, duration=duration) for s in within]
    preferred = _most_often_free(free)
    visits = []
    for start, workers in zip(within, free, strict=True):
        if preferred is not None and any(w.pk == preferred.pk for w in workers):
            visits.append(VisitPlan(start=start, worker=preferred))
        elif workers:
            visits.append(VisitPlan(start=start, worker=workers[0], substitute=True))
        else:
            other = next_free_slots(
                product=product, stockrecord=quote.stockrecord, community=community, near=start
            )
            visits.append(
                VisitPlan(start=start, worker=None, other_times=other[:SERIES_OTHER_TIMES])
            )
    return SeriesPlan(
        preferred=preferred,
        visits=visits,
        total=len(starts),
        later=len([s for s in starts if s > latest]),
        price=quote.amount,
        household=household,
        all_starts=starts,
    )


def _most_often_free(free: list[list[Worker]]) -> Worker | None:
    """The worker free for the most visits; a tie goes to the one ranked first (least loaded,
    best rated: ``free_workers``' order) at the earliest visit."""
    counts = Counter(w.pk for workers in free for w in workers)
    if not counts:
        return None
    rank: dict[int, tuple[int, int, int]] = {}
    for i, workers in enumerate(free):
        for j, w in enumerate(workers):
            rank.setdefault(w.pk, (-counts[w.pk], i, j))
    best = min(rank, key=rank.__getitem__)
    return next(w for workers in free for w in workers if w.pk == best)
