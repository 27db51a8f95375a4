"""What can go wrong when booking, in words a resident understands.

Views turn these into HTTP answers: ``SlotUnavailable`` is 409 (with the next free slots),
``HouseholdRequired`` sends the resident to the household form, every other ``BookingError``
is 400. The message is translated when it is raised, so ``str(exc)`` is ready to show.
"""

from __future__ import annotations


class BookingError(Exception):
    """A booking request that cannot be honoured; ``str()`` is the user-facing message."""

    status_code = 400


class HouseholdRequired(BookingError):
    """The resident has no household yet: we need an address before booking."""


class ServiceNotOfferedHere(BookingError):
    """The service has no price in the resident's community.

    (Not ``marketplace.partner.strategy.NotOfferedHere``, the pricing Strategy's availability
    answer for the same situation, which is not an exception: ``service_quote`` turns that
    answer into this error.)"""


class PriceNotPublished(BookingError):
    """The community price is not on its published fee board (a change awaiting publication)."""

    status_code = 409


class PaymentRefused(BookingError):
    """The card was declined or there is no usable card: the hold was released."""

    status_code = 402


class SlotUnavailable(BookingError):
    """The slot was free when shown but is not any more (or never was): HTTP 409."""

    status_code = 409

    def __init__(self, message: str, *, next_slots=()):
        super().__init__(message)
        self.next_slots = list(next_slots)


class SlotsUnavailable(BookingError):
    """Some lines of a basket cannot be booked; ``problems`` maps (product id, start) to a message."""

    status_code = 409

    def __init__(self, message: str, *, problems: dict):
        super().__init__(message)
        self.problems = problems


class CancellationRefused(BookingError):
    """Too late (the service has started) or the appointment is not in a cancellable state."""


class InvalidTransition(BookingError):
    """A status change the TRANSITIONS table does not allow, or that someone else made first."""


class OfferUnavailable(BookingError):
    """The job offer is no longer open (answered, expired, withdrawn) or is someone else's."""

    status_code = 409


class NotAllowed(BookingError):
    """The user may not do this (e.g. assign a provider's job without being its manager)."""

    status_code = 403
