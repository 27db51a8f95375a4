"""The bookings app's models, one module per topic, re-exported here (as pretix's
``base/models/__init__.py`` does) so ``from bookings.models import Appointment`` keeps working
and Django finds every model of the ``bookings`` app.

- ``workers``: Worker, WeeklyHours, TimeOff
- ``appointments``: Appointment (and the range expression its constraint uses)
- ``appointment_events``: AppointmentEvent, the timeline
- ``dispatch``: DispatchRound (the outbox), JobOffer, DispatchAttempt
- ``notices``: Notice (reminders, job-offer and escalation notices, rating requests, what
  happened to an appointment), NoticeDelivery (its email and SMS), ChannelPreference
- ``calendar``: CalendarFeed
- ``bookings.series.models``: Series, SeriesOccurrence (regular care, its own sub-package)
- ``bookings.packages.models``: Package, PackageEntry (prepaid visits and their ledger)
- ``bookings.conversation.models``: AppointmentMessage (the conversation of an appointment)
- ``bookings.waitlist.models``: WaitlistEntry (the waiting list of a full day)
"""

from bookings.conversation.models import AppointmentMessage
from bookings.models.appointment_events import AppointmentEvent
from bookings.models.appointments import Appointment, TsTzRange
from bookings.models.calendar import CalendarFeed, _new_token
from bookings.models.dispatch import DispatchAttempt, DispatchRound, JobOffer
from bookings.models.notices import ChannelPreference, Notice, NoticeDelivery
from bookings.models.workers import TimeOff, WeeklyHours, Worker
from bookings.packages.models import Package, PackageEntry
from bookings.series.models import Series, SeriesOccurrence
from bookings.waitlist.models import WaitlistEntry

__all__ = [
    "Appointment",
    "AppointmentEvent",
    "AppointmentMessage",
    "CalendarFeed",
    "ChannelPreference",
    "DispatchAttempt",
    "DispatchRound",
    "JobOffer",
    "Notice",
    "Package",
    "PackageEntry",
    "Series",
    "WaitlistEntry",
    "SeriesOccurrence",
    "NoticeDelivery",
    "TimeOff",
    "TsTzRange",
    "WeeklyHours",
    "Worker",
    # Referenced by migration 0001 (the token default), so it must stay importable here.
    "_new_token",
]
