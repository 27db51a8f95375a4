"""The console's one error type."""

from __future__ import annotations

from bookings.exceptions import BookingError


class ConsoleError(BookingError):
    """A console action that cannot be done; ``str()`` is the message for the worker (HTTP 400)."""
