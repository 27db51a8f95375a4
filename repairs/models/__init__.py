"""Repair requests (报修) and what hangs on them.

- ``RepairPolicy``: an enterprise's repair promise (minutes to take, minutes to reach the site,
  per urgency). The clocks and the board's repair section both read it.
- ``RepairRequest``: one reported repair, in a home (a household) or a common area; its status,
  worker, clocks (due times, when each was met, when a breach was escalated).
- ``RepairEvent``: one row per transition (as ``AppointmentEvent``).
- ``RepairPhoto``: the resident's photos and the worker's after-photos (EXIF stripped).
- ``RepairOffer``: a request offered to one maintenance worker until it expires (the repair
  twin of ``bookings.JobOffer``, which is tied to appointments).
- ``RepairQuote`` and ``RepairQuoteLine``: the worker's quote for an in-home repair; labour only
  at a repair fee item of the published board, materials at cost. A quote never changes: a new
  proposal is a new row, and the old one is superseded.
"""

from repairs.models.offers import RepairOffer
from repairs.models.quotes import RepairQuote, RepairQuoteLine
from repairs.models.requests import (
    RepairEvent,
    RepairPhoto,
    RepairPolicy,
    RepairRequest,
    _photo_path,
)

__all__ = [
    "RepairEvent",
    "RepairOffer",
    "RepairPhoto",
    "RepairPolicy",
    "RepairQuote",
    "RepairQuoteLine",
    "RepairRequest",
    "_photo_path",
]
