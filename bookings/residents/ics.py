"""Appointments as iCalendar (RFC 5545): one file per appointment, and a resident's feed.

Everything in an event is read from the appointment when the file is served, so it follows a
reschedule, a new worker or a cancellation; ``SEQUENCE`` (RFC 5545, 3.8.7.4: it increases
whenever the start, end or status changes) is the number of timeline events, one per status
change and per reschedule, so a calendar that already has the event takes the new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bookings.models import Appointment, AppointmentEvent, CalendarFeed

_ICS_STATUS = {
    Appointment.Status.HELD: "TENTATIVE",
    Appointment.Status.CANCELLED: "CANCELLED",
    Appointment.Status.EXPIRED: "CANCELLED",
    Appointment.Status.NO_SHOW: "CANCELLED",
}


def _event(appointment: Appointment, sequence: int) -> Event:
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@linli")
    event.add("dtstamp", appointment.updated or timezone.now())
    event.add("sequence", sequence)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", appointment.product.get_title())
    event.add("location", f"{appointment.community.address} {appointment.household.address_line}")
    # Only a worker who accepted is named (``Appointment.accepted_worker``).
    worker = appointment.accepted_worker
    who = worker.display_name if worker is not None else _("Worker not confirmed yet")
    event.add(
        "description",
        f"{who} · {appointment.get_status_display()}"
        f"\n{settings.SITE_URL}{appointment.get_absolute_url()}",
    )
    event.add("status", _ICS_STATUS.get(appointment.status, "CONFIRMED"))
    return event


def appointments_ics(appointments, *, name: str) -> bytes:
    """A calendar named ``name`` with one VEVENT per appointment (UTF-8 bytes of RFC 5545)."""
    appointments = list(appointments)
    sequences = dict(
        AppointmentEvent.objects.filter(appointment__in=[a.pk for a in appointments])
        .order_by()
        .values_list("appointment")
        .annotate(n=Count("pk"))
        .values_list("appointment", "n")
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Linli//Appointments//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for appointment in appointments:
        calendar.add_component(_event(appointment, sequences.get(appointment.pk, 0)))
    return calendar.to_ical()


def calendar_feed_rotate(*, user) -> CalendarFeed:
    """Give the resident a (new) private feed address; any previous address stops working."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def calendar_feed_revoke(*, user) -> None:
    """Stop the resident's private feed address from working."""
    CalendarFeed.objects.filter(user=user).delete()
