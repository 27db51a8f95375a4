"""Every change of an appointment is told, once, to the people concerned.

``notify(user=..., kind=..., ...)`` is the one entry point for a notice due now: it writes a
``Notice`` row in the caller's transaction and kicks its sending on commit (beat sends it if
the kick is lost). With a ``key``, the same happening told twice (a replayed task, a repeated
payment signal) writes nothing the second time. Other parts of Linli call it for their own
kinds (register their texts with ``bookings.notify.messages.kind_register``).

The appointment's lifecycle (``bookings.appointments.lifecycle``) calls ``transition_notices``
and ``reschedule_notices``; the payment signals reach ``bookings.notify.handlers``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.dispatch.outbox import NOTICE_TASK, kick_on_commit
from bookings.models import Appointment, Notice, Worker

Kind = Notice.Kind
Status = Appointment.Status


def notify(
    *,
    user,
    kind: str,
    appointment: Appointment | None = None,
    key: str = "",
    context: dict | None = None,
    due_at: datetime | None = None,
) -> Notice | None:
    """Tell ``user`` about ``kind`` (a ``Notice.Kind`` value, or a registered kind) once.

    ``appointment``: what it is about (None: nothing in particular); ``context``: extra values
    for the texts (JSON: strings and numbers; a ``*_at`` ISO time is shown as ``*_when`` in the
    recipient's local time, ``fee``/``amount`` yuan as money); ``key``: the happening's unique
    name (``"cancelled:42"``); ``due_at``: when (default now, aware). Inside the caller's
    transaction; sent after commit on the channels ``user`` chose, in their language.
    Returns the new row, or None when ``key`` was told already (or ``user`` is None)."""
    if user is None:
        return None
    fields = {
        "appointment": appointment,
        "kind": kind,
        "recipient": user,
        "context": context or {},
        "due_at": due_at or timezone.now(),
    }
    if key:
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the caller's work
                notice = Notice.objects.create(key=key[:150], **fields)
        except IntegrityError:
            return None  # told meanwhile by a concurrent caller (the unique key)
    else:
        notice = Notice.objects.create(**fields)
    kick_on_commit(NOTICE_TASK, notice.pk)
    return notice


def _managers(appointment: Appointment):
    return list(appointment.stockrecord.partner.users.filter(is_active=True))


def _tell_managers(appointment: Appointment, kind: str, key: str, context=None) -> None:
    """The provider's managers hear of a change to a job their worker had accepted."""
    for manager in _managers(appointment):
        notify(
            user=manager,
            kind=kind,
            appointment=appointment,
            key=f"{key}:m{manager.pk}",
            context=context,
        )


def _notify_first(*, user_id: int, kind, appointment, key) -> Notice:
    """``notify`` for a happening that can only happen once per appointment and is being
    recorded under the appointment's own conditional status UPDATE (booked): one INSERT, no
    savepoint (the booking's query budget); the unique key still stands behind it."""
    notice = Notice.objects.create(
        appointment=appointment, kind=kind, recipient_id=user_id, key=key, due_at=timezone.now()
    )
    kick_on_commit(NOTICE_TASK, notice.pk)
    return notice


def _worker_user(worker_id):
    if worker_id is None:
        return None
    return Worker.objects.select_related("user").get(pk=worker_id).user


def transition_notices(*, appointment: Appointment, from_status, to, event=None) -> None:
    """What a recorded move tells (inside its transaction): the resident is told it was
    booked, accepted (by whom), started, completed (the receipt) or cancelled (fee or none);
    the worker who had accepted a cancelled job, and the provider's managers, are told too. ``event``: the move's
    ``AppointmentEvent`` (its id makes a key that repeats only if the move does)."""
    pk = appointment.pk
    tag = event.pk if event is not None else "0"
    if from_status == Status.HELD and to == Status.CONFIRMED:
        _notify_first(
            user_id=appointment.resident_id,
            kind=Kind.BOOKED,
            appointment=appointment,
            key=f"booked:{pk}",
        )
        return
    resident = appointment.resident
    if to == Status.ACCEPTED:
        notify(
            user=resident,
            kind=Kind.ACCEPTED,
            appointment=appointment,
            key=f"accepted:{pk}:{appointment.worker_id}:{tag}",
        )
    elif to == Status.IN_PROGRESS:
        notify(user=resident, kind=Kind.STARTED, appointment=appointment, key=f"started:{pk}")
    elif to == Status.COMPLETED:
        notify(user=resident, kind=Kind.COMPLETED, appointment=appointment, key=f"completed:{pk}")
    elif to == Status.CANCELLED and from_status != Status.HELD:
        notify(user=resident, kind=Kind.CANCELLED, appointment=appointment, key=f"cancelled:{pk}")
        if from_status in (Status.ACCEPTED, Status.IN_PROGRESS):
            key = f"job_cancelled:{pk}:{appointment.worker_id}"
            notify(
                user=_worker_user(appointment.worker_id),
                kind=Kind.JOB_CANCELLED,
                appointment=appointment,
                key=key,
            )
            _tell_managers(appointment, Kind.JOB_CANCELLED, key)


def reschedule_notices(
    *, appointment: Appointment, old_start, old_worker_id, old_status, event=None
) -> None:
    """What a move to another time tells (inside its transaction): the resident (the new time;
    whether another worker takes it), the worker who keeps an accepted job (the new time), an
    accepted worker who loses it (cancelled for them), and the provider's managers (moved)."""
    pk = appointment.pk
    tag = event.pk if event is not None else old_start.isoformat()
    changed = old_worker_id != appointment.worker_id
    was_accepted = old_status in (Status.ACCEPTED, Status.IN_PROGRESS)
    notify(
        user=appointment.resident,
        kind=Kind.RESCHEDULED,
        appointment=appointment,
        key=f"rescheduled:{pk}:{tag}",
        context={"old_at": old_start.isoformat(), "worker_changed": changed and was_accepted},
    )
    if was_accepted:
        _tell_managers(
            appointment,
            Kind.JOB_CHANGED,
            f"job_changed:{pk}:{tag}",
            {"old_at": old_start.isoformat()},
        )
    if was_accepted and not changed:
        notify(
            user=_worker_user(appointment.worker_id),
            kind=Kind.JOB_CHANGED,
            appointment=appointment,
            key=f"job_changed:{pk}:{tag}",
            context={"old_at": old_start.isoformat()},
        )
    elif was_accepted and changed:
        notify(
            user=_worker_user(old_worker_id),
            kind=Kind.JOB_CANCELLED,
            appointment=appointment,
            key=f"job_cancelled:{pk}:{old_worker_id}:{tag}",
            context={"at": old_start.isoformat()},  # the time they no longer go
        )
