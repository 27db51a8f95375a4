"""What the feedback services refuse, each with the HTTP status a view answers with."""


class FeedbackError(Exception):
    """A refused rating, complaint or photo; ``str(exc)`` is the translated reason."""

    status_code = 400


class NotAllowed(FeedbackError):
    """The user may not do this (someone else's, or not in this state)."""

    status_code = 400


class Conflict(FeedbackError):
    """Already done (a second rating, a second reopening)."""

    status_code = 409
