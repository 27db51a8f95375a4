"""What can go wrong with a repair request, in words a resident or worker understands.

Views answer ``status_code`` with ``str(exc)``; nothing has been written when one is raised.
"""


class RepairError(Exception):
    """Bad input or a move the request does not allow: HTTP 400."""

    status_code = 400


class RepairConflict(RepairError):
    """Someone else changed the request first (taken, quote replaced, closed): HTTP 409."""

    status_code = 409


class QuoteLineNotOnBoard(RepairError):
    """A labour line is not a repair fee item of the community's published board."""


class RepairPaymentRefused(RepairError):
    """The card was declined or there is no saved card: nothing held, quote not approved."""

    status_code = 402
