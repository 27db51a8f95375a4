"""TEMPORARY re-exports at an old path, for files outside bookings-core not yet moved (the
console and residents pages, checkout, settings, the bench). The lead deletes this module at the
merge, after rewriting those imports from MOVES.txt. Nothing in bookings-core imports it."""

from bookings.appointments import lifecycle
from bookings.appointments.hold import appointment_for_key, resolve_household, slot_taken
from bookings.appointments.lifecycle import appointment_confirm, appointment_release
from bookings.appointments.one_click import appointment_book, appointment_hold
from bookings.appointments.orders import SLOT_OPTION_CODE, line_slot, slot_option
from bookings.appointments.quote import Quote, service_quote


def appointment_transition(*, appointment, to_status, by=None, reason=""):
    """The old signature (``to_status=``) of ``lifecycle.appointment_transition`` (``to=``)."""
    return lifecycle.appointment_transition(
        appointment=appointment, to=to_status, by=by, reason=reason
    )


__all__ = [
    "SLOT_OPTION_CODE",
    "Quote",
    "appointment_book",
    "appointment_confirm",
    "appointment_for_key",
    "appointment_hold",
    "appointment_release",
    "appointment_transition",
    "line_slot",
    "resolve_household",
    "service_quote",
    "slot_option",
    "slot_taken",
]
