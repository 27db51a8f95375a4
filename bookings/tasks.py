"""Celery tasks: thin, load by id, call a service. Routed by name (``marketplace/celery.py``):
``dispatch_*`` to the dispatch queue, ``notify_*`` to notifications.

Every task is safe to run twice (late acks redeliver a task whose worker died): the services
claim rows first. No task is ever delayed by a countdown or eta: due times are columns that
the beat tasks below scan (schedule: the data migration ``bookings/migrations/*beat*``).
"""

from celery import shared_task
from django.db import OperationalError

from bookings import dispatch, reminders

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="bookings.tasks.dispatch_request", **RETRY)
def dispatch_request_task(request_id: int) -> int | None:
    """On commit of a booking: offer the job to the held worker."""
    offer = dispatch.dispatch_request_process(request_id=request_id)
    return offer.pk if offer else None


@shared_task(name="bookings.tasks.dispatch_sweep", **RETRY)
def dispatch_sweep_task() -> int:
    """Beat, every 30 s: dispatch outbox rows whose on-commit kick never arrived."""
    return dispatch.dispatch_requests_sweep()


@shared_task(name="bookings.tasks.dispatch_expire_offers", **RETRY)
def dispatch_expire_offers_task() -> int:
    """Beat, every 30 s: lapsed offers move on to the next worker."""
    return dispatch.offers_expire()


@shared_task(name="bookings.tasks.notify_reminder", **RETRY)
def notify_reminder_task(reminder_id: int) -> bool:
    """Send one notice now (offers, escalations), if nobody has."""
    return reminders.reminder_send(reminder_id=reminder_id)


@shared_task(name="bookings.tasks.notify_due_reminders", **RETRY)
def notify_due_reminders_task() -> int:
    """Beat, every 15 s: send the reminders that are due."""
    return reminders.reminders_send_due()


@shared_task(name="bookings.tasks.capture_finished_jobs", **RETRY)
def capture_finished_jobs_task() -> int:
    """Capture the card payments of completed jobs whose capture failed (Stripe unreachable)."""
    from bookings.console.settlement import payments_capture_finished

    return payments_capture_finished()
