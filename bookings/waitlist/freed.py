"""The lifecycle's hook into the waiting list: a time freed (an appointment cancelled or a
hold released) asks for a sweep of that service's day once the ending has committed."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("linli.waitlist")

SWEEP_TASK = "bookings.tasks.waitlist_sweep"


def waitlist_time_freed(*, appointment) -> None:
    """Inside the ending's transaction: after the commit, sweep the day of ``appointment``
    (its local date) for its service (``bookings.tasks.waitlist_sweep``)."""
    day = timezone.localdate(appointment.start).isoformat()
    product_id = appointment.product_id

    def enqueue():
        # By its registered name: importing bookings.tasks here would close an import cycle
        # (the tasks import the services, which import the lifecycle).
        task = current_app.tasks.get(SWEEP_TASK)
        if task is None:  # not registered in this process: beat sweeps within a minute
            logger.warning("%s is not registered; the beat sweep will offer the time", SWEEP_TASK)
            return
        task.delay(product_id=product_id, day=day)

    transaction.on_commit(enqueue)
