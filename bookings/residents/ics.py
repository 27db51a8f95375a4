"""Appointments as iCalendar (RFC 5545): one file per appointment, and a resident's feed."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from bookings.models import Appointment, CalendarFeed

_ICS_STATUS = {
    Appointment.Status.HELD: "TENTATIVE",
    Appointment.Status.CANCELLED: "CANCELLED",
    Appointment.Status.EXPIRED: "CANCELLED",
}


def _event(appointment: Appointment) -> Event:
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@linli")
    event.add("dtstamp", appointment.updated or timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", appointment.product.get_title())
    event.add("location", f"{appointment.community.address} {appointment.household.address_line}")
    event.add(
        "description",
        f"{appointment.worker.display_name} · {appointment.get_status_display()}"
        f"\n{settings.SITE_URL}{appointment.get_absolute_url()}",
    )
    event.add("status", _ICS_STATUS.get(appointment.status, "CONFIRMED"))
    return event


def appointments_ics(appointments, *, name: str) -> bytes:
    """A calendar named ``name`` with one VEVENT per appointment (UTF-8 bytes of RFC 5545)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Linli//Appointments//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for appointment in appointments:
        calendar.add_component(_event(appointment))
    return calendar.to_ical()


def calendar_feed_rotate(*, user) -> CalendarFeed:
    """Give the resident a (new) private feed address; any previous address stops working."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def calendar_feed_revoke(*, user) -> None:
    """Stop the resident's private feed address from working."""
    CalendarFeed.objects.filter(user=user).delete()
