"""Who may read and write an appointment's conversation, when, and posting a message.

Readers and writers: the resident, the worker who accepted the job (while it is theirs) and the
provider's managers; anyone else gets ``Http404`` (``conversation_for``), as if there were no
such appointment. Writing is open from acceptance until ``CONVERSATION_OPEN_AFTER_DONE`` (24 h)
after completion (``conversation_is_open``); a message is at most ``MESSAGE_MAX`` characters,
and each person writes at most ``CONVERSATION_RATE`` messages per ``CONVERSATION_RATE_WINDOW``
per appointment. The other side is told (a ``message`` notice, on the channels they chose).
Phone numbers are never part of it: the author is named by role (and a worker by their name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments import locking
from bookings.conversation.models import MESSAGE_MAX, AppointmentMessage
from bookings.exceptions import BookingError
from bookings.models import Appointment, Notice
from bookings.notify.events import notify
from marketplace.policy import (
    CONVERSATION_OPEN_AFTER_DONE,
    CONVERSATION_RATE,
    CONVERSATION_RATE_WINDOW,
)

Role = AppointmentMessage.Role
Status = Appointment.Status


class ConversationClosed(BookingError):
    """Outside the conversation's window (before acceptance, or a day after completion)."""


class TooManyMessages(BookingError):
    """More than ``CONVERSATION_RATE`` messages in ``CONVERSATION_RATE_WINDOW``."""


@dataclass(frozen=True)
class Conversation:
    """An appointment's conversation as one person sees it: their ``role`` and whether they
    can write now (``is_open``)."""

    appointment: Appointment
    role: str
    is_open: bool

    @property
    def messages(self):
        return self.appointment.messages.order_by("created", "pk")


def _completed_at(appointment: Appointment) -> datetime | None:
    return (
        appointment.events.filter(to_status=Status.COMPLETED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def conversation_is_open(appointment: Appointment, now: datetime | None = None) -> bool:
    """From acceptance (accepted, in progress) until 24 h after completion."""
    now = now or timezone.now()
    if appointment.status in (Status.ACCEPTED, Status.IN_PROGRESS):
        return True
    if appointment.status == Status.COMPLETED:
        done = _completed_at(appointment) or appointment.end
        return now < done + CONVERSATION_OPEN_AFTER_DONE
    return False


def role_of(user, appointment: Appointment) -> str | None:
    """The ``Role`` ``user`` has in ``appointment``'s conversation, or None (no access)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.pk == appointment.resident_id:
        return Role.RESIDENT
    accepted = appointment.accepted_worker
    if accepted is not None and accepted.user_id == user.pk:
        return Role.WORKER
    if appointment.stockrecord.partner.users.filter(pk=user.pk).exists():
        return Role.MANAGER
    return None


def conversation_for(user, appointment_pk, now: datetime | None = None) -> Conversation:
    """The conversation of appointment ``appointment_pk`` for ``user``; ``Http404`` for anyone
    who may not read it (and for an appointment that does not exist)."""
    appointment = (
        Appointment.objects.select_related("worker", "stockrecord__partner", "product")
        .filter(pk=appointment_pk)
        .first()
    )
    role = role_of(user, appointment) if appointment is not None else None
    if role is None:
        raise Http404
    return Conversation(appointment, role, conversation_is_open(appointment, now))


def author_name(message: AppointmentMessage) -> str:
    """How the other side sees the author: the worker by name, the others by role."""
    if message.role == Role.WORKER:
        worker = message.appointment.worker
        return worker.display_name if worker.user_id == message.author_id else _("Worker")
    if message.role == Role.MANAGER:
        return message.appointment.stockrecord.partner.display_name
    return _("Resident")


def _recipients(appointment: Appointment, author) -> list:
    people = [appointment.resident]
    accepted = appointment.accepted_worker
    if accepted is not None:
        people.append(accepted.user)
    people += list(appointment.stockrecord.partner.users.filter(is_active=True))
    seen, out = {author.pk}, []
    for person in people:
        if person.pk not in seen:
            seen.add(person.pk)
            out.append(person)
    return out


@transaction.atomic
def message_post(*, conversation: Conversation, author, body: str, now=None) -> AppointmentMessage:
    """``author`` writes ``body`` (stripped text, 1..``MESSAGE_MAX`` characters) in
    ``conversation``; the others are told. Returns the message.

    Raises ``BookingError`` (empty or too long), ``ConversationClosed``, ``TooManyMessages``;
    then nothing is written."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise BookingError(_("Please write a message."))
    if len(body) > MESSAGE_MAX:
        raise BookingError(_("A message is at most %(max)d characters.") % {"max": MESSAGE_MAX})
    # Why the lock: two posts racing would both pass the rate count; the appointment's row
    # serialises them (the one lock order starts with the appointment).
    appointment = locking.lock_appointment(conversation.appointment.pk)
    if not conversation_is_open(appointment, now):
        raise ConversationClosed(
            _("Messages can be written from acceptance until a day after the service.")
        )
    recent = AppointmentMessage.objects.filter(
        appointment=appointment, author=author, created__gt=now - CONVERSATION_RATE_WINDOW
    ).count()
    if recent >= CONVERSATION_RATE:
        raise TooManyMessages(_("You are writing too fast. Please wait a minute."))
    message = AppointmentMessage.objects.create(
        appointment=appointment, author=author, role=conversation.role, body=body, created=now
    )
    message.appointment = conversation.appointment
    for person in _recipients(conversation.appointment, author):
        notify(
            user=person,
            kind=Notice.Kind.MESSAGE,
            appointment=appointment,
            key=f"message:{message.pk}:{person.pk}",
            context={"author": author_name(message), "text": body[:120]},
        )
    return message
