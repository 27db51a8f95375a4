"""The two clocks of a complaint, from the policy module (``feedback.policy``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from feedback.models import Complaint
from feedback.policy import (
    RESOLUTION_COMPLEX,
    RESOLUTION_NORMAL,
    RESOLUTION_UTILITIES,
    RESPONSE_NORMAL,
    RESPONSE_URGENT,
)


def response_time(category: str) -> timedelta:
    """First-response time: ``RESPONSE_URGENT`` (2 h) for urgent categories, else 24 h."""
    return RESPONSE_URGENT if category in Complaint.URGENT else RESPONSE_NORMAL


def resolution_time(category: str, *, is_complex: bool = False) -> timedelta:
    """Resolution time: 15 days when complex; 24 h for water, electricity, gas, heating and
    lifts; 7 days otherwise."""
    if is_complex:
        return RESOLUTION_COMPLEX
    return RESOLUTION_UTILITIES if category in Complaint.UTILITIES else RESOLUTION_NORMAL


def clocks_from(category: str, start: datetime) -> tuple[datetime, datetime]:
    """``(response_due, resolution_due)`` for a complaint filed at ``start`` (aware). The
    clocks run round the clock: a complaint filed at 23:00 for a 2 h answer is due at 01:00."""
    return start + response_time(category), start + resolution_time(category)


def breached(complaint: Complaint, now: datetime) -> list[str]:
    """Which running clocks ``complaint`` has overrun at ``now``: "response", "resolution".
    A paused complaint (waiting for the resident) or a finished one has none."""
    if not complaint.is_open or complaint.paused_at is not None:
        return []
    late = []
    if complaint.responded_at is None and now > complaint.response_due:
        late.append("response")
    if complaint.resolved_at is None and now > complaint.resolution_due:
        late.append("resolution")
    return late
