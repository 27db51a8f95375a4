"""The booking world with a published fee board, shared by the integration tests (workers and
``book`` come from the root conftest)."""

import pytest

from tests.cms.support import publish_board


@pytest.fixture
def service(service, community):
    """The root ``service``, with its community's fee board published (the price gate).

    It publishes the board itself rather than asking for ``published_board``, which asks for
    ``service``: that would make this override depend on itself."""
    publish_board(community)
    return service
