"""TEMPORARY re-exports at an old path, for files outside bookings-core not yet moved (the
console and residents pages, checkout, settings, the bench). The lead deletes this module at the
merge, after rewriting those imports from MOVES.txt. Nothing in bookings-core imports it."""

from bookings.notify.reminders import (
    rating_request_plan,
    reminder_send,
    reminder_still_wanted,
    reminders_cancel,
    reminders_plan,
    reminders_send_due,
)

__all__ = [
    "rating_request_plan",
    "reminder_send",
    "reminder_still_wanted",
    "reminders_cancel",
    "reminders_plan",
    "reminders_send_due",
]
