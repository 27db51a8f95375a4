"""Fixtures of the appointment tests."""

from datetime import time

import pytest

from tests.bookings.factories import WorkerFactory


@pytest.fixture
def anytime_worker(provider, community, service):
    """A worker on duty around the clock, so any daytime slot near now is free."""
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        hours=[(day, time(0), time(23, 59)) for day in range(7)],
    )
