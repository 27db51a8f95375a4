"""Reminder lateness: unsent reminders made due now, and how late beat's per-minute sweep
sends them. Measured only when the reminder model exists (otherwise skipped, with the reason)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from bookings.models import Notice
from bookings.notify.reminders import reminder_still_wanted
from tests.bench.clients import pct
from tests.bench.environment import say
from tests.bench.scenarios.world import datetime_fields


def reminder_model():
    """The model of scheduled notices (reminders among them): a due and a sent time."""
    return Notice


def _field_with(model, word):
    """The name of the model's first DateTimeField whose name contains ``word``."""
    return next(f.name for f in datetime_fields(model) if word in f.name)


def _wanted_reminders(model, sent: str, *, at, count: int = 50) -> list[int]:
    """The newest ``count`` unsent reminders that should really go out when due at ``at``.

    Not merely unsent: a reminder already cancelled never goes, and the sender rightly
    drops one whose message is no longer true (a worker's 1-hour reminder for a job no worker
    has accepted yet: the bench's bookings are confirmed, not accepted). Counting those as due
    made 17 of 50 look "missed"."""
    rows = model.objects.filter(Q(**{f"{sent}__isnull": True}), status="pending").order_by("-pk")
    wanted = []
    for reminder in rows.select_related("appointment", "offer", "request")[: count * 4]:
        if reminder_still_wanted(reminder, at):
            wanted.append(reminder.pk)
            if len(wanted) == count:
                break
    return wanted


def measure(results, has_reminders: bool) -> None:
    """Make up to 50 wanted reminders due now, wait for beat to send them (at most 100 s) and
    put their lateness into ``results["reminders"]``."""
    if not has_reminders:
        results["skipped"]["reminders"] = (
            "no reminder model in bookings yet (issue 6: bookings/reminders.py, a row with a "
            "due time and a sent time); nothing to time"
        )
        say("skip reminders: " + results["skipped"]["reminders"])
        return
    model = reminder_model()
    due, sent = _field_with(model, "due"), _field_with(model, "sent")
    due_at = timezone.now() + timedelta(seconds=2)
    pending = _wanted_reminders(model, sent, at=due_at)
    if not pending:
        results["skipped"]["reminders"] = f"no unsent {model.__name__} rows to time"
        return
    # Make them due now: the per-minute beat sweep must find and send them within a minute.
    model.objects.filter(pk__in=pending).update(**{due: due_at})
    say(f"reminders: {len(pending)} {model.__name__} rows due now; waiting for beat (≤ 100 s)")
    deadline = time.monotonic() + 100
    while time.monotonic() < deadline:
        if not model.objects.filter(pk__in=pending, **{f"{sent}__isnull": True}).exists():
            break
        time.sleep(2)
    rows = model.objects.filter(pk__in=pending).values_list(due, sent)
    lateness = [(s - d).total_seconds() for d, s in rows if s is not None]
    results["reminders"] = {
        "model": model.__name__,
        "due": len(pending),
        "sent": len(lateness),
        "p50_s": round(pct(lateness, 50), 1) if lateness else None,
        "max_s": round(max(lateness), 1) if lateness else None,
    }
    say(f"reminders: {results['reminders']}")
