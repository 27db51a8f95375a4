"""Celery tasks of repairs: thin, load by id, call one service; safe to run twice.

Beat (``CELERY_BEAT_SCHEDULE``): ``repairs.tasks.repairs_sweep`` every 30 s.
"""

from celery import shared_task
from django.db import OperationalError

from repairs.clocks import clocks_escalate
from repairs.dispatch import offers_expire, request_dispatch, requests_sweep_undispatched
from repairs.quotes import quote_capture, quotes_capture_finished

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="repairs.tasks.repair_dispatch", **RETRY)
def repair_dispatch_task(request_id: int) -> int:
    """On commit of a report or reopening: offer it to the maintenance workers on duty."""
    return len(request_dispatch(request_id=request_id))


@shared_task(name="repairs.tasks.repair_capture", **RETRY)
def repair_capture_task(quote_id: int) -> None:
    """On commit of a completion: capture the approved quote."""
    quote_capture(quote_id=quote_id)


@shared_task(name="repairs.tasks.repairs_sweep", **RETRY)
def repairs_sweep_task() -> dict:
    """Beat, every 30 s: lapsed offers move on, lost kicks are dispatched, breached clocks
    escalate, completed repairs' approved quotes are captured."""
    return {
        "expired": offers_expire(),
        "dispatched": requests_sweep_undispatched(),
        "escalated": clocks_escalate(),
        "captured": quotes_capture_finished(),
    }
