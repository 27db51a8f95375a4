"""Dispatch: from a confirmed booking to a worker who has accepted it.

``outbox`` (rounds: create, process, sweep; the offers a round puts out; the on-commit kick),
``offers`` (a worker's answers: accept, decline, expire; their open offers), ``assignment``
(the next worker, moving the hold, a manager's choice, escalation, the dispatch board).
"""

from importlib import import_module

# TEMPORARY: the old ``bookings.dispatch`` module's names, for files outside bookings-core not
# yet moved (the console views, their tests). Resolved lazily (PEP 562): importing the
# sub-modules here would import ``lifecycle`` while it is still importing ``outbox``. The lead
# deletes this mapping at the merge, after rewriting those imports from MOVES.txt.
_OLD_NAMES = {
    "SlotUnavailable": "bookings.exceptions",
    "OfferUnavailable": "bookings.exceptions",
    "NotAllowed": "bookings.exceptions",
    "offer_accept": "bookings.dispatch.offers",
    "offer_decline": "bookings.dispatch.offers",
    "offer_expire": "bookings.dispatch.offers",
    "offers_expire": "bookings.dispatch.offers",
    "offers_for_worker": "bookings.dispatch.offers",
    "appointment_assign": "bookings.dispatch.assignment",
    "dispatch_board": "bookings.dispatch.assignment",
    "next_worker": "bookings.dispatch.assignment",
    "is_escalated": "bookings.dispatch.outbox",
    "offer_expiry": "bookings.dispatch.outbox",
    "kick": "bookings.dispatch.outbox",
}
_RENAMED = {
    "dispatch_request_create": ("bookings.dispatch.outbox", "dispatch_round_create"),
    "dispatch_request_process": ("bookings.dispatch.outbox", "dispatch_round_process"),
    "dispatch_requests_sweep": ("bookings.dispatch.outbox", "dispatch_rounds_sweep"),
}


def __getattr__(name):
    if name in _OLD_NAMES:
        return getattr(import_module(_OLD_NAMES[name]), name)
    if name in _RENAMED:
        module, new = _RENAMED[name]
        function = getattr(import_module(module), new)
        if name == "dispatch_request_process":
            return lambda *, request_id: function(round_id=request_id)
        return function
    raise AttributeError(f"module 'bookings.dispatch' has no attribute {name!r}")
