"""Which channels each person wants, per kind of notice.

No row means every channel (inbox, email, SMS). A channel also needs an address: email needs
``user.email``, SMS ``user.phone``. The preferences page is ``bookings.notify.views``.
"""

from __future__ import annotations

from django.db import transaction

from bookings.models import ChannelPreference, Notice

Kind = Notice.Kind

#: The channels, in the order they are shown and recorded.
CHANNELS = ("inbox", "email", "sms")

#: What a resident can be told, in the order of an appointment's life.
RESIDENT_KINDS = (
    Kind.BOOKED,
    Kind.ACCEPTED,
    Kind.ESCALATION_RESIDENT,
    Kind.RESIDENT_24H,
    Kind.RESIDENT_2H,
    Kind.STARTED,
    Kind.COMPLETED,
    Kind.RATING_REQUEST,
    Kind.RESCHEDULED,
    Kind.CANCELLED,
    Kind.REFUNDED,
    Kind.PAYMENT_FAILED,
    Kind.MESSAGE,
    # A complaint they filed (``feedback.notices``), a repair they reported (``repairs.notices``).
    Kind.COMPLAINT_ANSWERED,
    Kind.COMPLAINT_INFO_REQUESTED,
    Kind.COMPLAINT_ESCALATED,
    Kind.COMPLAINT_RESOLVED,
    Kind.REPAIR_TAKEN,
    Kind.REPAIR_QUOTED,
    Kind.REPAIR_ON_THE_WAY,
    Kind.REPAIR_DONE,
    Kind.REPAIR_LATE,
)
#: What a worker or a provider's manager can be told.
PROVIDER_KINDS = (
    Kind.OFFER,
    Kind.OFFER_WITHDRAWN,
    Kind.JOB_CHANGED,
    Kind.JOB_CANCELLED,
    Kind.WORKER_1H,
    Kind.ESCALATION_MANAGER,
    Kind.MESSAGE,
    Kind.REPAIR_OFFER,
    Kind.REPAIR_ASSIGNED,
)
#: What the people who handle complaints and repairs (a provider's managers, an enterprise's
#: staff: its repair desk) can be told.
HANDLER_KINDS = (
    Kind.COMPLAINT_FILED,
    Kind.COMPLAINT_INFO_ADDED,
    Kind.COMPLAINT_REOPENED,
    Kind.COMPLAINT_OVERDUE,
    Kind.COMPLAINT_FLAGGED,
    Kind.REPAIR_NO_WORKER,
    Kind.REPAIR_TAKE_LATE,
    Kind.REPAIR_ARRIVAL_LATE,
)


def channels_for(user, kind: str) -> list[str]:
    """The channels ``user`` gets ``kind`` on: a sub-list of ``CHANNELS``, in that order, the
    ones they chose and have an address for."""
    preference = ChannelPreference.objects.filter(user=user, kind=kind).first()
    chosen = [c for c in CHANNELS if preference is None or getattr(preference, c)]
    return [
        c
        for c in chosen
        if c == "inbox" or (c == "email" and user.email) or (c == "sms" and user.phone)
    ]


def preferences_of(user, kinds) -> dict[str, set[str]]:
    """``{kind: {channel, ...}}`` for each of ``kinds`` as ``user`` chose (default: all)."""
    rows = {p.kind: p for p in ChannelPreference.objects.filter(user=user, kind__in=kinds)}
    return {
        kind: {c for c in CHANNELS if kind not in rows or getattr(rows[kind], c)} for kind in kinds
    }


@transaction.atomic
def preferences_set(*, user, choices: dict[str, set[str]]) -> None:
    """Record ``user``'s channels per kind: ``{kind: {"inbox", "sms"}, ...}``.

    Raises ``ValueError`` for an unknown kind or channel (nothing is written then)."""
    for kind, channels in choices.items():
        if kind not in Kind.values or not set(channels) <= set(CHANNELS):
            raise ValueError(f"unknown kind or channel: {kind} {channels}")
    for kind, channels in choices.items():
        ChannelPreference.objects.update_or_create(
            user=user, kind=kind, defaults={c: c in channels for c in CHANNELS}
        )
