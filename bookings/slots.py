"""TEMPORARY re-exports at an old path, for files outside bookings-core not yet moved (the
console and residents pages, checkout, settings, the bench). The lead deletes this module at the
merge, after rewriting those imports from MOVES.txt. Nothing in bookings-core imports it."""

from bookings.availability.calendars import qualified_workers, with_calendar, worker_is_free
from bookings.availability.search import (
    ServiceTerms,
    Slot,
    available_slots,
    group_by_day,
    next_free_slots,
    service_terms,
)
from bookings.availability.window import (
    booking_window,
    local_day_bounds,
    parse_start,
    validate_start,
)

__all__ = [
    "ServiceTerms",
    "Slot",
    "available_slots",
    "booking_window",
    "group_by_day",
    "local_day_bounds",
    "next_free_slots",
    "parse_start",
    "qualified_workers",
    "service_terms",
    "validate_start",
    "with_calendar",
    "worker_is_free",
]
