"""What a sender checks around its claim: how long a claim holds (``reminder_lease``) and
whether a notice is still true when it is sent (``reminder_still_wanted``). Shared by the
notices (``bookings.notify.reminders``) and their email and SMS (``bookings.notify.deliveries``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from bookings.models import Appointment, DispatchRound, JobOffer, Notice

Kind = Notice.Kind
Status = Appointment.Status


def reminder_lease() -> timedelta:
    """How long a claimed (``sending``) row is left to its sender before another may claim it."""
    return timedelta(seconds=settings.LINLI_REMINDER_LEASE_SECONDS)


#: The kinds whose message may stop being true before it is sent (checked after the claim;
#: cancelled when the appointment ends). What happened (booked, moved, cancelled, a message...)
#: stays true and is always told.
MAY_GO_STALE = (
    Kind.RESIDENT_24H,
    Kind.RESIDENT_2H,
    Kind.WORKER_1H,
    Kind.RATING_REQUEST,
    Kind.OFFER,
    Kind.ESCALATION_MANAGER,
    Kind.ESCALATION_RESIDENT,
)


def reminder_still_wanted(reminder: Notice, now) -> bool:
    """Is the message still true and useful? (Checked after claiming, before sending.)"""
    appointment = reminder.appointment
    if appointment is None or reminder.kind not in MAY_GO_STALE:
        return True  # what happened stays true (and a notice about nothing in particular)
    if reminder.kind in (Kind.RESIDENT_24H, Kind.RESIDENT_2H):
        return appointment.status in (Status.CONFIRMED, Status.ACCEPTED) and appointment.start > now
    if reminder.kind == Kind.WORKER_1H:
        return appointment.status == Status.ACCEPTED and appointment.start > now
    if reminder.kind == Kind.RATING_REQUEST:
        return appointment.status == Status.COMPLETED
    if reminder.kind == Kind.OFFER:
        return reminder.offer.status == JobOffer.Status.OPEN and reminder.offer.expires_at > now
    # The escalation notices: only while nobody has been found since.
    return (
        reminder.request.status == DispatchRound.Status.ESCALATED
        and appointment.status == Status.CONFIRMED
    )
