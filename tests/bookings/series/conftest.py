"""Series fixtures: a weekly rule on the weekday two days from now, at 10:00 local."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings.series.rules import WEEKLY, build_rule


def weekly_rule(*, days_ahead=2, count=3, at=time(10)):
    """Weekly on the weekday ``days_ahead`` days from today, ``count`` visits, at ``at`` local."""
    start = timezone.localdate() + timedelta(days=days_ahead)
    return build_rule(
        frequency=WEEKLY, start_date=start, at=at, weekdays=[start.weekday()], count=count
    )


@pytest.fixture
def rule():
    return weekly_rule()
