"""TEMPORARY re-exports at an old path, for files outside bookings-core not yet moved (the
console and residents pages, checkout, settings, the bench). The lead deletes this module at the
merge, after rewriting those imports from MOVES.txt. Nothing in bookings-core imports it."""

from bookings.models import DispatchAttempt, DispatchRound, JobOffer, Notice

# The models' old names.
DispatchRequest = DispatchRound
Offer = JobOffer
Reminder = Notice

__all__ = ["DispatchAttempt", "DispatchRequest", "Offer", "Reminder"]
