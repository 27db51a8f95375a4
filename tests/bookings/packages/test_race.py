"""A package's balance never goes below zero, even with bookings drawing at once.

Eight draws race for a package of 3 visits on PostgreSQL: exactly 3 win. The control runs the
same race through a naive draw (read the balance, check it, write it back) to show the race is
real: several draws read the same balance and more visits are drawn than were bought, with the
ledger no longer summing to the balance. The main test could fail, and passes because of the
conditional UPDATE in ``package_draw``.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from bookings.models import Package, PackageEntry
from bookings.packages.ledger import PackageUnavailable, ledger_sum, package_draw
from tests.bookings.packages.conftest import open_package
from tests.support import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 8


def test_concurrent_draws_never_take_more_than_the_balance(resident, community, service):
    package = open_package(resident, community, service, visits=3)

    results = run_concurrently(lambda i: package_draw(package_id=package.pk), RACERS)

    won = [r for r in results if isinstance(r, PackageEntry)]
    refused = [r for r in results if isinstance(r, PackageUnavailable)]
    assert len(won) == 3 and len(refused) == RACERS - 3, results
    package.refresh_from_db()
    assert package.balance == 0
    assert ledger_sum(package.pk) == 0


def test_control_a_naive_draw_overdraws(resident, community, service):
    package = open_package(resident, community, service, visits=3)
    readers = threading.Barrier(RACERS)

    def naive_draw(i):
        with transaction.atomic():
            current = Package.objects.get(pk=package.pk)  # no lock, no condition
            readers.wait(timeout=30)  # everyone has read the balance
            if current.balance < 1:
                raise PackageUnavailable("none left")
            time.sleep(0.01 * i)
            Package.objects.filter(pk=package.pk).update(balance=current.balance - 1)
            return PackageEntry.objects.create(package=current, kind="drawn", visits=-1)

    results = run_concurrently(naive_draw, RACERS)

    won = [r for r in results if isinstance(r, PackageEntry)]
    package.refresh_from_db()
    assert len(won) > 3  # more visits drawn than bought
    # Lost updates: the balance still shows visits left while the ledger is overdrawn.
    assert package.balance > 0
    assert ledger_sum(package.pk) < 0
