"""A resident's package of 3 visits of ``service`` for ¥330, valid 180 days."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.packages.ledger import package_open


def open_package(resident, community, service, *, visits=3, price="330.00", days=180):
    return package_open(
        resident=resident,
        community=community,
        product=service,
        name="保洁 3 次卡",
        visits=visits,
        price=Decimal(price),
        valid_for=timedelta(days=days),
    )


@pytest.fixture
def package(resident, community, service):
    return open_package(resident, community, service)
