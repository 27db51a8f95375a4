"""The booking world with a published fee board and workers, shared by the integration tests."""

import pytest

from tests.bookings.conftest import tomorrow_at  # noqa: F401  (re-exported for the tests)
from tests.bookings.factories import WorkerFactory


@pytest.fixture
def service(service, published_board):
    return service


@pytest.fixture
def worker(provider, community, service):
    return WorkerFactory(provider=provider, skills=[service.product_class], communities=[community])
