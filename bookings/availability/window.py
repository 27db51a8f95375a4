"""The booking window: how far ahead a slot may start, on which step, and local days.

A start is at least ``MINIMUM_NOTICE`` and at most ``HORIZON`` ahead, on a ``SLOT_STEP`` boundary
in local time (``marketplace.policy``). Times are aware datetimes; days are local (Asia/Shanghai).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.exceptions import BookingError
from marketplace.bad_input import within_reach
from marketplace.policy import HORIZON, LOCAL_TZ, MINIMUM_NOTICE, SLOT_STEP


def ceil_to_step(moment: datetime) -> datetime:
    """The first step boundary (local time, ``SLOT_STEP`` minutes) at or after ``moment``."""
    local = moment.astimezone(LOCAL_TZ)
    midnight = datetime.combine(local.date(), time(0), tzinfo=LOCAL_TZ)
    steps = math.ceil((local - midnight) / SLOT_STEP)
    return midnight + steps * SLOT_STEP


def booking_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """(earliest, latest) start a booking made at ``now`` may have."""
    now = now or timezone.now()
    return ceil_to_step(now + MINIMUM_NOTICE), now + HORIZON


def validate_start(start: datetime, *, now: datetime | None = None) -> None:
    """Refuse a start in the past, inside the notice, beyond the horizon or off the step."""
    now = now or timezone.now()
    if timezone.is_naive(start):
        start = timezone.make_aware(start, LOCAL_TZ)
    if start <= now:
        raise BookingError(_("That time has already passed. Please choose a later slot."))
    if start < now + MINIMUM_NOTICE:
        raise BookingError(
            _("Please book at least %(hours)d hours ahead.")
            % {"hours": MINIMUM_NOTICE.total_seconds() // 3600}
        )
    if start > now + HORIZON:
        raise BookingError(
            _("Bookings open %(days)d days ahead; please choose an earlier date.")
            % {"days": HORIZON.days}
        )
    if ceil_to_step(start) != start:
        raise BookingError(_("Slots start on the hour or the half hour."))


def parse_start(value: str) -> datetime:
    """An ISO 8601 start from a form or query string, aware (local time if no offset).

    Raises ``BookingError`` for text that is not one, or a date out of ``DATE_REACH``."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise BookingError(_("That is not a valid time.")) from None
    if not within_reach(moment):
        # Years away (0001, 9999): no slot is there, and converting it would overflow.
        raise BookingError(
            _("That time is too far from today. Please choose one of the free times.")
        )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day's (midnight, next midnight), aware."""
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=1)
