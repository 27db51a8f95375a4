"""Drills: the site under failure (a database restart) and under growth (query counts)."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from marketplace.policy import LOCAL_TZ
from tests.bookings.factories import WorkerFactory
from tests.cms.support import publish_board


def local(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


@pytest.fixture
def worker(provider, community, service):
    return WorkerFactory(provider=provider, skills=[service.product_class], communities=[community])


@pytest.fixture
def board(service, community):
    """The community's fee board, published with ``service``'s price (the price gate passes)."""
    return publish_board(community)
