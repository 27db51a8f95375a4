"""Is dispatch working? The operator's answer, behind ``/healthz/dispatch/``.

Three readings and one verdict:

- **workers per queue**: how many live Celery workers consume each queue, from a broadcast
  ``inspect().active_queues()`` answered within ``WORKER_INSPECT_TIMEOUT`` and reused for
  ``WORKER_INSPECT_CACHED`` (the cache), so polling it stays cheap; ``None`` when the broker
  does not answer;
- **beat's last run**: ``last_run_at`` of the dispatch sweep's ``PeriodicTask`` row
  (django-celery-beat's ``DatabaseScheduler`` writes it; ``CELERY_BEAT_SYNC_EVERY = 1`` makes
  it write after every task it sends, not every three minutes);
- **the oldest pending dispatch round**: a booking whose round is still ``pending``.

``dispatch_verdict`` turns them into problems (policy bounds in ``marketplace.policy``); no
problem means healthy. The load balancer's ``/healthz/`` does not ask any of this: a web
machine with dead dispatch workers still serves pages, and taking it out of rotation would
not bring a worker back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import PeriodicTask

from bookings.models import DispatchRound
from marketplace.policy import (
    BEAT_SILENT_AFTER_SWEEPS,
    DISPATCH_HEALTH_QUEUES,
    PENDING_ROUND_MAX_AGE,
    WORKER_INSPECT_CACHED,
    WORKER_INSPECT_TIMEOUT,
)

#: The beat entry (``CELERY_BEAT_SCHEDULE``) whose last run tells that beat is alive.
SWEEP_ENTRY = "linli: dispatch outbox sweep"
_CACHE_KEY = "linli:health:queue-workers"


@dataclass
class Problem:
    """Why dispatch is unhealthy: a stable ``code`` for monitors, a translated ``message``."""

    code: str
    message: str


@dataclass
class DispatchHealth:
    """The readings and the verdict. ``workers``: queue name → live workers (None: the broker
    did not answer); ``beat_last_run``: aware datetime or None; ``oldest_pending_seconds``:
    age of the oldest pending round in seconds, or None when there is none."""

    workers: dict[str, int] | None
    beat_last_run: datetime | None
    oldest_pending_seconds: float | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        """The JSON body of ``/healthz/dispatch/``."""
        return {
            "status": "ok" if self.healthy else "down",
            "workers": self.workers,
            "beat_last_run": self.beat_last_run.isoformat() if self.beat_last_run else None,
            "oldest_pending_seconds": (
                None if self.oldest_pending_seconds is None else int(self.oldest_pending_seconds)
            ),
            "problems": [{"code": p.code, "message": p.message} for p in self.problems],
        }


def queue_workers(
    app=None, *, timeout: timedelta = WORKER_INSPECT_TIMEOUT
) -> dict[str, int] | None:
    """Live workers per queue: {queue name: count}, every queue of ``task_queues`` listed (0
    when nobody consumes it). None when the broker cannot be reached (one connection attempt,
    ``timeout`` long). Not cached; see ``queue_workers_cached``."""
    app = app or current_app
    seconds = timeout.total_seconds()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, timeout=seconds
            )
            replies = app.control.inspect(timeout=seconds, connection=conn).active_queues()
    except Exception:  # noqa: BLE001 — any broker error means: nobody can be counted
        return None
    counts = {queue.name: 0 for queue in app.conf.task_queues or ()}
    for queues in (replies or {}).values():
        for queue in queues:
            counts[queue["name"]] = counts.get(queue["name"], 0) + 1
    return counts


def queue_workers_cached(app=None) -> dict[str, int] | None:
    """``queue_workers``, reused for ``WORKER_INSPECT_CACHED`` (an unreachable broker too)."""
    hit = cache.get(_CACHE_KEY)
    if hit is not None:
        return hit["workers"]
    workers = queue_workers(app)
    cache.set(_CACHE_KEY, {"workers": workers}, WORKER_INSPECT_CACHED.total_seconds())
    return workers


def sweep_interval() -> timedelta:
    """How often beat runs the dispatch sweep: its ``PeriodicTask`` interval, else the
    setting (``CELERY_BEAT_SCHEDULE``)."""
    task = PeriodicTask.objects.filter(name=SWEEP_ENTRY).select_related("interval").first()
    if task is not None and task.interval is not None:
        return task.interval.schedule.run_every
    return timedelta(seconds=settings.CELERY_BEAT_SCHEDULE[SWEEP_ENTRY]["schedule"])


def beat_last_run() -> datetime | None:
    """When beat last sent the dispatch sweep (None: never, or not with the database)."""
    return (
        PeriodicTask.objects.filter(name=SWEEP_ENTRY).values_list("last_run_at", flat=True).first()
    )


def oldest_pending_round() -> datetime | None:
    """When the oldest still-pending dispatch round was written (None: none is pending)."""
    return (
        DispatchRound.objects.filter(status=DispatchRound.Status.PENDING)
        .order_by("created")
        .values_list("created", flat=True)
        .first()
    )


def dispatch_verdict(
    *,
    workers: dict[str, int] | None,
    beat_last_run: datetime | None,
    sweep_every: timedelta,
    oldest_pending: datetime | None,
    now: datetime,
) -> list[Problem]:
    """What is wrong with dispatch at ``now`` (empty: nothing). Pure: the readings in, the
    problems out, against the bounds of ``marketplace.policy``."""
    problems = []
    if workers is None:
        problems.append(
            Problem("broker_unreachable", _("The broker did not answer: no worker can be counted."))
        )
    else:
        for queue in DISPATCH_HEALTH_QUEUES:
            if not workers.get(queue):
                problems.append(
                    Problem(
                        "no_worker",
                        _("No live Celery worker consumes the “%(queue)s” queue.")
                        % {"queue": queue},
                    )
                )
    silent_after = sweep_every * BEAT_SILENT_AFTER_SWEEPS
    if beat_last_run is None:
        problems.append(Problem("beat_never_ran", _("Beat has never run the dispatch sweep.")))
    elif now - beat_last_run > silent_after:
        problems.append(
            Problem(
                "beat_silent",
                _("Beat last ran the dispatch sweep %(seconds)d s ago (allowed: %(bound)d s).")
                % {
                    "seconds": (now - beat_last_run).total_seconds(),
                    "bound": silent_after.total_seconds(),
                },
            )
        )
    if oldest_pending is not None and now - oldest_pending > PENDING_ROUND_MAX_AGE:
        problems.append(
            Problem(
                "dispatch_stuck",
                _("A booking has waited %(seconds)d s for its dispatch (allowed: %(bound)d s).")
                % {
                    "seconds": (now - oldest_pending).total_seconds(),
                    "bound": PENDING_ROUND_MAX_AGE.total_seconds(),
                },
            )
        )
    return problems


def dispatch_health(*, now: datetime | None = None, app=None) -> DispatchHealth:
    """Read the three signals (workers cached, the two database reads fresh) and judge."""
    now = now or timezone.now()
    workers = queue_workers_cached(app)
    last_run = beat_last_run()
    oldest = oldest_pending_round()
    return DispatchHealth(
        workers=workers,
        beat_last_run=last_run,
        oldest_pending_seconds=None if oldest is None else (now - oldest).total_seconds(),
        problems=dispatch_verdict(
            workers=workers,
            beat_last_run=last_run,
            sweep_every=sweep_interval(),
            oldest_pending=oldest,
            now=now,
        ),
    )
