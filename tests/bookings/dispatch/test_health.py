"""Dispatch health for the operator (``/healthz/dispatch/``), issue 14 section 7: live workers
per queue, beat's last dispatch sweep, the oldest pending dispatch round; 503 with the reasons.

The verdict is tested on its readings and on real rows (beat's ``PeriodicTask``, pending
rounds); the worker count through this suite's real Celery worker (``celery_worker``) and
through a broker that does not answer."""

from datetime import timedelta

import pytest
from celery import Celery
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from bookings.dispatch import health
from bookings.dispatch.health import SWEEP_ENTRY, dispatch_health, dispatch_verdict
from bookings.models import DispatchRound
from marketplace import views
from marketplace.celery import app as celery_app
from marketplace.policy import BEAT_SILENT_AFTER_SWEEPS, PENDING_ROUND_MAX_AGE
from tests.bookings.dispatch.conftest import wait_for
from tests.support import local

NOW = timezone.now()
EVERY = timedelta(seconds=30)
WORKERS = {"default": 1, "dispatch": 2, "notifications": 1}


def codes(**readings):
    base = {
        "workers": WORKERS,
        "beat_last_run": NOW - timedelta(seconds=10),
        "sweep_every": EVERY,
        "oldest_pending": None,
        "now": NOW,
    }
    return [p.code for p in dispatch_verdict(**{**base, **readings})]


def test_the_verdict_is_healthy_with_workers_a_recent_sweep_and_nothing_stuck():
    assert codes() == []
    assert codes(oldest_pending=NOW - PENDING_ROUND_MAX_AGE) == []  # at the bound: still fine
    assert codes(beat_last_run=NOW - EVERY * BEAT_SILENT_AFTER_SWEEPS) == []


def test_the_verdict_names_each_thing_that_is_wrong():
    assert codes(workers={**WORKERS, "dispatch": 0}) == ["no_worker"]
    assert codes(workers={"default": 3}) == ["no_worker"]  # nobody consumes dispatch
    assert codes(workers=None) == ["broker_unreachable"]
    assert codes(beat_last_run=None) == ["beat_never_ran"]
    silent = NOW - EVERY * BEAT_SILENT_AFTER_SWEEPS - timedelta(seconds=1)
    assert codes(beat_last_run=silent) == ["beat_silent"]
    stuck = NOW - PENDING_ROUND_MAX_AGE - timedelta(seconds=1)
    assert codes(oldest_pending=stuck) == ["dispatch_stuck"]
    assert codes(workers=None, beat_last_run=silent, oldest_pending=stuck) == [
        "broker_unreachable",
        "beat_silent",
        "dispatch_stuck",
    ]


# --- on real rows ----------------------------------------------------------------------------


def beat_ran(ago: timedelta, every: int = 30) -> PeriodicTask:
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=every, period=IntervalSchedule.SECONDS
    )
    return PeriodicTask.objects.update_or_create(
        name=SWEEP_ENTRY,
        defaults={
            "task": "bookings.tasks.dispatch_sweep",
            "interval": interval,
            "last_run_at": timezone.now() - ago,
        },
    )[0]


@pytest.fixture
def workers_up(monkeypatch):
    monkeypatch.setattr(health, "queue_workers", lambda app=None: dict(WORKERS))


@pytest.mark.django_db
def test_health_reads_beat_and_the_oldest_pending_round_from_the_database(workers_up, book, worker):
    beat_ran(timedelta(seconds=5))
    report = dispatch_health()
    assert report.healthy and report.oldest_pending_seconds is None

    appointment = book(local(2, 10))  # no on-commit here: its round stays pending
    round_ = DispatchRound.objects.get(appointment=appointment, status="pending")
    assert dispatch_health().healthy  # just written: its kick may still arrive
    DispatchRound.objects.filter(pk=round_.pk).update(
        created=timezone.now() - PENDING_ROUND_MAX_AGE - timedelta(seconds=5)
    )
    report = dispatch_health()
    assert [p.code for p in report.problems] == ["dispatch_stuck"]
    assert report.oldest_pending_seconds > PENDING_ROUND_MAX_AGE.total_seconds()

    # Beat's own interval counts, not the setting's: a 10-second sweep is silent sooner.
    beat_ran(timedelta(seconds=50), every=10)
    DispatchRound.objects.filter(pk=round_.pk).update(status="offered")
    assert [p.code for p in dispatch_health().problems] == ["beat_silent"]
    PeriodicTask.objects.all().delete()
    assert [p.code for p in dispatch_health().problems] == ["beat_never_ran"]


@pytest.mark.django_db
def test_the_endpoint_answers_503_with_the_reasons_and_200_when_healthy(
    client, workers_up, english
):
    beat_ran(timedelta(minutes=10))
    response = client.get("/healthz/dispatch/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["workers"] == WORKERS
    assert [p["code"] for p in body["problems"]] == ["beat_silent"]
    assert "Beat last ran the dispatch sweep" in body["problems"][0]["message"]
    assert response["Cache-Control"].startswith("max-age=0")

    beat_ran(timedelta(seconds=1))
    response = client.get("/healthz/dispatch/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["problems"] == []
    # The load balancer's probe asks none of this.
    assert set(client.get("/healthz/").json()) == {"status", "database", "broker"}


@pytest.mark.django_db
def test_an_unreachable_broker_is_unhealthy_and_the_answer_is_reused_briefly(client, monkeypatch):
    beat_ran(timedelta(seconds=1))
    # The site's Celery app, pointed at a port where nothing listens (its own copy: the
    # shared app's broker settings are left alone for the tests that follow).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")  # read before the conf
    down = Celery("down", broker="redis://127.0.0.1:9/0", set_as_current=False)
    down.conf.task_queues = celery_app.conf.task_queues
    monkeypatch.setattr(views, "app", down)
    started = timezone.now()
    response = client.get("/healthz/dispatch/")
    assert timezone.now() - started < timedelta(seconds=5)
    assert response.status_code == 503
    assert response.json()["workers"] is None
    assert [p["code"] for p in response.json()["problems"]] == ["broker_unreachable"]

    # Within WORKER_INSPECT_CACHED the inspection is not repeated.
    calls = []
    monkeypatch.setattr(health, "queue_workers", lambda app=None: calls.append(1) or WORKERS)
    assert client.get("/healthz/dispatch/").status_code == 503
    assert calls == []


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_is_counted_on_its_queues(celery_worker):
    # A worker that has just started may not listen to broadcasts yet: ask for a few seconds.
    workers = wait_for(
        lambda: (
            (health.queue_workers(celery_app) or {}).get("dispatch")
            and health.queue_workers(celery_app)
        ),
        15,
        0.2,
    )
    # The test worker consumes default, dispatch and notifications (conftest).
    assert workers is not None and workers["dispatch"] >= 1, workers
    assert workers["notifications"] >= 1 and workers["default"] >= 1
