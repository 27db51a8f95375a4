"""Celery tasks: thin, load by id, call a service. Routed by name (``marketplace/celery.py``):
``dispatch_*`` to the dispatch queue, ``notify_*`` to notifications.

Every task is safe to run twice (late acks redeliver a task whose worker died): the services
claim rows first. No task is ever delayed by a countdown or eta: due times are columns that
the beat tasks below scan (schedule: ``CELERY_BEAT_SCHEDULE`` in ``marketplace/settings/base.py``).

The registered names are stable (queued tasks and beat rows name them): ``bookings.tasks.*``, and
``bookings.payment_flow.release_abandoned_holds`` for the task that once lived there.
"""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from bookings.appointments.payment import holds_release_abandoned
from bookings.appointments.settlement import payments_capture_finished
from bookings.dispatch.offers import offers_expire
from bookings.dispatch.outbox import dispatch_round_process, dispatch_rounds_sweep
from bookings.notify.reminders import reminder_send, reminders_send_due
from bookings.packages.purchase import packages_expire_and_pay_back
from bookings.series.prices import series_price_check
from bookings.series.services import series_extend_due
from bookings.waitlist.services import waitlist_sweep

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="bookings.tasks.dispatch_request", **RETRY)
def dispatch_round_task(round_id: int, appointment_id: int | None = None) -> int | None:
    """On commit of a booking: offer the job to the held worker (the round's first offer).
    ``appointment_id``: the round's appointment (kicks queued before it was sent lack it)."""
    offer = dispatch_round_process(round_id=round_id, appointment_id=appointment_id)
    return offer.pk if offer else None


@shared_task(name="bookings.tasks.dispatch_sweep", **RETRY)
def dispatch_sweep_task() -> int:
    """Beat, every 30 s: dispatch outbox rows whose on-commit kick never arrived."""
    return dispatch_rounds_sweep()


@shared_task(name="bookings.tasks.dispatch_expire_offers", **RETRY)
def dispatch_expire_offers_task() -> int:
    """Beat, every 30 s: lapsed offers move on to the next worker."""
    return offers_expire()


@shared_task(name="bookings.tasks.notify_reminder", **RETRY)
def notify_reminder_task(reminder_id: int) -> bool:
    """Send one notice now (offers, escalations), if nobody has."""
    return reminder_send(reminder_id=reminder_id)


@shared_task(name="bookings.tasks.notify_due_reminders", **RETRY)
def notify_due_reminders_task() -> int:
    """Beat, every 15 s: send the reminders that are due."""
    return reminders_send_due()


@shared_task(name="bookings.tasks.capture_finished_jobs", **RETRY)
def capture_finished_jobs_task() -> int:
    """Capture the card payments of completed jobs whose capture failed (Stripe unreachable)."""
    return payments_capture_finished()


@shared_task(name="bookings.payment_flow.release_abandoned_holds")
def release_abandoned_holds_task() -> int:
    """Beat, every 5 minutes: release holds whose payment never finished."""
    return holds_release_abandoned()


@shared_task(name="bookings.tasks.series_extend", **RETRY)
def series_extend_task() -> int:
    """Beat, hourly: book the visits of every series that the moving horizon now reaches."""
    return series_extend_due()


@shared_task(name="bookings.tasks.packages_expire", **RETRY)
def packages_expire_task() -> int:
    """Beat, hourly: packages past their validity expire; their unused share is refunded."""
    return packages_expire_and_pay_back()


@shared_task(name="bookings.tasks.waitlist_sweep", **RETRY)
def waitlist_sweep_task(product_id: int | None = None, day: str | None = None) -> int:
    """Beat, every minute, and after a time frees (``product_id``, ``day`` YYYY-MM-DD): lapse
    the waiting-list offers past their 15 minutes, offer freed times to the next residents."""
    return waitlist_sweep(product_id=product_id, day=date.fromisoformat(day) if day else None)


@shared_task(name="bookings.tasks.series_price_check", **RETRY)
def series_price_check_task() -> int:
    """Beat, every 10 minutes: a new board price re-prices the coming series visits not yet
    authorised and is told to the resident (ending the series is then free)."""
    return series_price_check()
