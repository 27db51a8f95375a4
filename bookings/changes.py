"""TEMPORARY re-exports at an old path, for files outside bookings-core not yet moved (the
console and residents pages, checkout, settings, the bench). The lead deletes this module at the
merge, after rewriting those imports from MOVES.txt. Nothing in bookings-core imports it."""

from bookings.appointments.changes import (
    CHANGEABLE,
    appointment_cancel,
    appointment_reschedule,
    cancellation_fee_for,
)

__all__ = ["CHANGEABLE", "appointment_cancel", "appointment_reschedule", "cancellation_fee_for"]
