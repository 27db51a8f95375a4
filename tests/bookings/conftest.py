"""The bookings world: ``service`` always has its community's fee board published (the price
gate), so every booking test can book it. Workers, ``book`` and ``english`` come from the root
conftest; local times from ``tests.support``."""

import pytest

from tests.cms.support import publish_board


@pytest.fixture
def service(service, community):
    """The root ``service``, with its community's fee board published (the price gate).

    It publishes the board itself rather than asking for ``published_board``, which asks for
    ``service``: that would make this override depend on itself."""
    publish_board(community)
    return service
