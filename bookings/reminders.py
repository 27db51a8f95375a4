"""Reminders and notices: rows with a due time, claimed and sent exactly once.

Planned in the booking's transactions (``reminders_plan`` on confirm and reschedule,
``reminders_cancel`` when an appointment ends, ``rating_request_plan`` on completion); sent by
``reminders_send_due`` (beat, every 15 s) or right away by ``reminder_send`` (notices kicked
on commit). No Celery countdowns: the due time is a column.

Exactly once: a sender first *claims* a row with a conditional UPDATE (pending → sending); only
the one whose UPDATE changed the row sends. It sends outside any transaction, then writes the
inbox copy and marks the row sent in one transaction. A sender that dies after claiming leaves
the row ``sending``; after ``REMINDER_LEASE`` another sender may claim it again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings import notifications
from bookings.models import Appointment, Worker
from bookings.models_dispatch import DispatchRequest, Offer, Reminder
from marketplace.policy import RATING_AFTER, RESIDENT_REMINDER_BEFORE, WORKER_REMINDER_BEFORE

log = logging.getLogger("linli.reminders")
Kind = Reminder.Kind
Status = Appointment.Status

#: How long before the start each reminder is due.
BEFORE_START = {
    Kind.RESIDENT_24H: RESIDENT_REMINDER_BEFORE[0],
    Kind.RESIDENT_2H: RESIDENT_REMINDER_BEFORE[1],
    Kind.WORKER_1H: WORKER_REMINDER_BEFORE,
}


def reminder_lease() -> timedelta:
    return timedelta(seconds=settings.LINLI_REMINDER_LEASE_SECONDS)


def reminders_plan(appointment: Appointment, *, now=None) -> None:
    """Create or move the before-start reminders to the appointment's current start.

    Inside the caller's transaction. A reminder already sent stays sent; one whose new due
    time has passed is cancelled (a booking made 3 h ahead gets no 24-hour reminder)."""
    now = now or timezone.now()
    existing = {r.kind: r for r in appointment.reminders.filter(kind__in=list(BEFORE_START))}
    new = []
    for kind, before in BEFORE_START.items():
        due = appointment.start - before
        reminder = existing.get(kind)
        if reminder is None:
            if due > now:
                new.append(Reminder(appointment=appointment, kind=kind, due_at=due))
            continue
        if reminder.status in (Reminder.Status.SENT, Reminder.Status.SENDING):
            continue
        reminder.due_at = due
        reminder.status = Reminder.Status.PENDING if due > now else Reminder.Status.CANCELLED
        reminder.save(update_fields=["due_at", "status"])
    Reminder.objects.bulk_create(new)


def reminders_cancel(appointment: Appointment) -> int:
    """The appointment ended (cancelled, expired, no-show): nothing more to remind."""
    return appointment.reminders.filter(status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CANCELLED
    )


def rating_request_plan(appointment: Appointment, *, now=None) -> None:
    now = now or timezone.now()
    Reminder.objects.get_or_create(
        appointment=appointment,
        kind=Kind.RATING_REQUEST,
        defaults={"due_at": now + RATING_AFTER},
    )


def _claim(reminder_id: int, now) -> bool:
    """pending (or a stale sending) → sending; True for the one caller whose UPDATE won."""
    stale = now - reminder_lease()
    return bool(
        Reminder.objects.filter(
            Q(status=Reminder.Status.PENDING)
            | Q(status=Reminder.Status.SENDING, claimed_at__lt=stale),
            pk=reminder_id,
            due_at__lte=now,
        ).update(status=Reminder.Status.SENDING, claimed_at=now)
    )


def reminder_still_wanted(reminder: Reminder, now) -> bool:
    """Is the message still true and useful? (Checked after claiming, before sending.)"""
    appointment = reminder.appointment
    if reminder.kind in (Kind.RESIDENT_24H, Kind.RESIDENT_2H):
        return appointment.status in (Status.CONFIRMED, Status.ACCEPTED) and appointment.start > now
    if reminder.kind == Kind.WORKER_1H:
        return appointment.status == Status.ACCEPTED and appointment.start > now
    if reminder.kind == Kind.RATING_REQUEST:
        return appointment.status == Status.COMPLETED
    if reminder.kind == Kind.OFFER:
        return reminder.offer.status == Offer.Status.OPEN and reminder.offer.expires_at > now
    # The escalation notices: only while nobody has been found since.
    return (
        reminder.request.status == DispatchRequest.Status.ESCALATED
        and appointment.status == Status.CONFIRMED
    )


def reminder_send(*, reminder_id: int, now=None) -> bool:
    """Send one reminder if it is due and nobody else has; True if this call sent it."""
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        return False
    # Three small queries, not one joining eleven tables: PostgreSQL spent ~16 ms planning
    # that one (its join search grows steeply with the tables), more than the rest of a send.
    reminder = Reminder.objects.select_related("recipient", "offer", "request").get(pk=reminder_id)
    reminder.appointment = Appointment.objects.select_related(
        "product", "community", "household", "resident"
    ).get(pk=reminder.appointment_id)
    if reminder.appointment.worker_id is not None:
        reminder.appointment.worker = Worker.objects.select_related("user").get(
            pk=reminder.appointment.worker_id
        )
    if not reminder_still_wanted(reminder, now):
        Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.CANCELLED
        )
        return False
    user = notifications.recipient_of(reminder)
    message = notifications.message_for(reminder, user)
    # Network calls, outside any transaction and lock.
    channels = notifications.deliver(user, message)
    with transaction.atomic():
        # Why one transaction: the inbox copy exists if and only if the row says sent.
        marked = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.SENT,
            sent_at=timezone.now(),
            channels=",".join(["inbox", *channels]),
        )
        if marked:
            notifications.inbox_write(user, message)
    return bool(marked)


def reminders_send_due(*, now=None, limit: int = 200) -> int:
    """Beat, every 15 s: send every due reminder nobody has sent. Returns how many sent."""
    now = now or timezone.now()
    stale = now - reminder_lease()
    ids = list(
        Reminder.objects.filter(
            Q(status=Reminder.Status.PENDING)
            | Q(status=Reminder.Status.SENDING, claimed_at__lt=stale),
            due_at__lte=now,
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for reminder_id in ids:
        try:
            sent += reminder_send(reminder_id=reminder_id, now=now)
        except Exception:  # noqa: BLE001 — one bad row must not stop the others
            log.exception("Reminder %s could not be sent", reminder_id)
    return sent
