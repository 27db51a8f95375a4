"""The numbers of DESIGN.md's "Flows" in one place, so a change of policy is a one-line edit."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

#: Workers' hours and slot boundaries are reckoned in the communities' local time.
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
#: Time a worker needs between two jobs; part of the range the database refuses to overlap.
TRAVEL_BUFFER = timedelta(minutes=15)
#: Slots start on the hour and half hour (local time).
SLOT_STEP = timedelta(minutes=30)
#: A slot must start at least this long after the booking.
MINIMUM_NOTICE = timedelta(hours=2)
#: And at most this long after it.
HORIZON = timedelta(days=30)
#: Cancelling or rescheduling this long (or longer) before the start is free.
FREE_CHANGE_BEFORE = timedelta(hours=24)
#: A service whose product lacks a ``duration_minutes`` attribute takes this long.
DEFAULT_DURATION = timedelta(minutes=60)
