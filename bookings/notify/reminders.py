"""Reminders and notices: rows with a due time, claimed and sent exactly once.

Planned in the booking's transactions (``reminders_plan`` on confirm and reschedule,
``reminders_cancel`` when an appointment ends, ``rating_request_plan`` on completion); sent by
``reminders_send_due`` (beat, every 15 s) or right away by ``reminder_send`` (notices kicked
on commit). No Celery countdowns: the due time is a column.

Exactly once: a sender first *claims* a row with a conditional UPDATE (pending → sending); only
the one whose UPDATE changed the row sends. In one transaction it marks the row sent, writes the
inbox copy and one ``NoticeDelivery`` per other channel the recipient chose
(``bookings.notify.preferences``); then, outside any transaction, it sends those (each claimed
the same way, retried with backoff: ``bookings.notify.deliveries``). A sender that dies after
claiming leaves the row ``sending``; after ``REMINDER_LEASE`` another sender may claim it again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings.models import Appointment, Notice, NoticeDelivery, Worker
from bookings.notify.channels import inbox_write
from bookings.notify.claims import MAY_GO_STALE, reminder_lease, reminder_still_wanted
from bookings.notify.deliveries import (
    deliveries_create,
    deliveries_send_due,
    delivery_send_claimed,
)
from bookings.notify.messages import message_for, recipient_of
from bookings.notify.preferences import channels_for
from marketplace import metrics
from marketplace.policy import RATING_AFTER, RESIDENT_REMINDER_BEFORE, WORKER_REMINDER_BEFORE

log = logging.getLogger("linli.reminders")
Kind = Notice.Kind
Status = Appointment.Status

#: How long before the start each reminder is due.
BEFORE_START = {
    Kind.RESIDENT_24H: RESIDENT_REMINDER_BEFORE[0],
    Kind.RESIDENT_2H: RESIDENT_REMINDER_BEFORE[1],
    Kind.WORKER_1H: WORKER_REMINDER_BEFORE,
}


def reminders_plan(appointment: Appointment, *, now=None, new: bool = False) -> None:
    """Make the before-start reminders fit the appointment's current start and worker.

    Inside the caller's transaction; called on confirm and reschedule. (A pending reminder
    names nobody: the worker's goes to whoever holds the job when it is sent, so a
    reassignment needs no planning.) Per kind: a reminder already sent (or being sent) for this very due time
    (and, for the worker's, to the current worker) covers it; otherwise the pending one is moved
    to the new due time, or a new one is planned. A sent reminder about an old time stays as
    history and a new one is planned for the new time (book D+3, reminded, moved to D+6: the
    resident is reminded again). A due time already past plans nothing (a booking made 3 h
    ahead gets no 24-hour reminder) and cancels the pending one. ``new``: the appointment was
    inserted in the caller's transaction, so it has no reminders yet and none are read."""
    now = now or timezone.now()
    rows = [] if new else list(appointment.reminders.filter(kind__in=list(BEFORE_START)))
    # Read only when a worker's reminder has gone out (a booking's plan costs no query more).
    reached = {r.recipient_id for r in rows if r.kind == Kind.WORKER_1H and r.recipient_id}
    worker_user_id = _worker_user_id(appointment) if reached else None
    new, moved, cancelled = [], [], []
    for kind, before in BEFORE_START.items():
        due = appointment.start - before
        pending = next(
            (r for r in rows if r.kind == kind and r.status == Notice.Status.PENDING), None
        )
        covered = any(
            r.kind == kind
            and r.status in (Notice.Status.SENT, Notice.Status.SENDING)
            and r.due_at == due
            and (kind != Kind.WORKER_1H or r.recipient_id in (None, worker_user_id))
            for r in rows
        )
        if covered or due <= now:
            if pending is not None:
                pending.status = Notice.Status.CANCELLED
                cancelled.append(pending.pk)
        elif pending is not None:
            if pending.due_at != due:
                pending.due_at = due
                moved.append(pending)
        else:
            new.append(Notice(appointment=appointment, kind=kind, due_at=due))
    # One statement each (a move shifts all three reminders): the rows were read in this
    # transaction, under the appointment's lock (or inserted by it).
    if cancelled:
        Notice.objects.filter(pk__in=cancelled).update(status=Notice.Status.CANCELLED)
    if moved:
        Notice.objects.bulk_update(moved, ["due_at"])
    Notice.objects.bulk_create(new)


def _worker_user_id(appointment: Appointment) -> int | None:
    if appointment.worker_id is None:
        return None
    return Worker.objects.filter(pk=appointment.worker_id).values_list("user_id", flat=True).first()


def reminders_cancel(appointment: Appointment) -> int:
    """The appointment ended (cancelled, expired, no-show): nothing more to remind. Notices
    of what happened (its cancellation among them) are still sent."""
    return appointment.reminders.filter(status=Notice.Status.PENDING, kind__in=MAY_GO_STALE).update(
        status=Notice.Status.CANCELLED
    )


def rating_request_plan(appointment: Appointment, *, now=None) -> None:
    """Plan the rating request, due ``RATING_AFTER`` after completion (once per appointment)."""
    now = now or timezone.now()
    Notice.objects.get_or_create(
        appointment=appointment,
        kind=Kind.RATING_REQUEST,
        defaults={"due_at": now + RATING_AFTER},
    )


def _claim(reminder_id: int, now) -> bool:
    """pending (or a stale sending) → sending; True for the one caller whose UPDATE won."""
    stale = now - reminder_lease()
    return bool(
        Notice.objects.filter(
            Q(status=Notice.Status.PENDING) | Q(status=Notice.Status.SENDING, claimed_at__lt=stale),
            pk=reminder_id,
            due_at__lte=now,
        ).update(status=Notice.Status.SENDING, claimed_at=now)
    )


def reminder_send(*, reminder_id: int, now=None) -> bool:
    """Send one reminder if it is due and nobody else has; True if this call sent it."""
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        return False
    # Three small queries, not one joining eleven tables: PostgreSQL spent ~16 ms planning
    # that one (its join search grows steeply with the tables), more than the rest of a send.
    reminder = Notice.objects.select_related("recipient", "offer", "request").get(pk=reminder_id)
    if reminder.appointment_id is not None:
        reminder.appointment = Appointment.objects.select_related(
            "product", "community", "household", "resident"
        ).get(pk=reminder.appointment_id)
    appointment = reminder.appointment if reminder.appointment_id is not None else None
    if (
        appointment is not None
        and appointment.worker_id is not None
        and (reminder.kind == Kind.WORKER_1H or appointment.status in Appointment.WORKER_ACCEPTED)
    ):
        # The worker is read only when the message names them (``accepted_worker``) or goes
        # to them (the worker's reminder): not for a booking's notices, before anyone accepted.
        appointment.worker = Worker.objects.select_related("user").get(pk=appointment.worker_id)
    if not reminder_still_wanted(reminder, now):
        Notice.objects.filter(pk=reminder_id, status=Notice.Status.SENDING).update(
            status=Notice.Status.CANCELLED
        )
        return False
    user = recipient_of(reminder)
    channels = channels_for(user, reminder.kind)
    message = message_for(reminder, user)
    deliveries = []
    sent_at = timezone.now()
    with transaction.atomic():
        # Why one transaction: the inbox copy and the email and SMS rows exist if and only if
        # the row says sent, so a crash sends either all of them later or none twice.
        marked = Notice.objects.filter(pk=reminder_id, status=Notice.Status.SENDING).update(
            status=Notice.Status.SENT,
            sent_at=sent_at,
            channels=",".join(channels),
            recipient=user,  # who was reminded: a new worker is reminded again
        )
        if marked:
            if "inbox" in channels:
                inbox_write(user, message)
            deliveries = deliveries_create(
                notice=reminder, user=user, message=message, channels=channels, now=now
            )
    if marked:
        metrics.REMINDER_LATENESS.observe(max((sent_at - reminder.due_at).total_seconds(), 0))
    # Network calls, outside any transaction and lock; the deliveries due now were written
    # claimed by this sender (``deliveries_create``), the others wait for beat.
    for delivery in deliveries:
        if delivery.status == NoticeDelivery.Status.SENDING:
            delivery_send_claimed(delivery, now)
    return bool(marked)


def reminders_send_due(*, now=None, limit: int = 200) -> int:
    """Beat, every 15 s: send every due reminder nobody has sent. Returns how many sent."""
    now = now or timezone.now()
    stale = now - reminder_lease()
    ids = list(
        Notice.objects.filter(
            Q(status=Notice.Status.PENDING) | Q(status=Notice.Status.SENDING, claimed_at__lt=stale),
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
    # The emails and SMS still due: retries after a refusal, SMS held over the quiet hours.
    deliveries_send_due(now=now, limit=limit)
    return sent
