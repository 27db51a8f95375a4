"""Property: whatever sequence of buy, draw, free and late cancellation, expiry and refund, a
package's balance is never below zero, never above what was bought, and its ledger sums to it.
Each example runs in a savepoint rolled back at its end."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Package, PackageEntry
from bookings.packages.ledger import (
    PackageUnavailable,
    ledger_sum,
    package_consume,
    package_draw,
    package_refund,
    package_return,
    packages_expire,
)
from tests.bookings.packages.conftest import open_package

pytestmark = pytest.mark.django_db

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["buy", "draw", "cancel free", "cancel late", "expire", "refund"]),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=1,
    max_size=25,
)


class Rollback(Exception):
    pass


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS, visits=st.integers(min_value=1, max_value=4))
def test_the_ledger_always_sums_to_a_balance_that_is_never_negative(
    resident, community, service, steps, visits
):
    try:
        with transaction.atomic():
            _run(resident, community, service, steps, visits)
            raise Rollback
    except Rollback:
        pass


def _run(resident, community, service, steps, visits):
    packages = [open_package(resident, community, service, visits=visits)]
    open_draws: dict[int, list] = {packages[0].pk: []}
    clock = timezone.now()
    for step, which in steps:
        package = packages[which % len(packages)]
        draws = open_draws[package.pk]
        try:
            if step == "buy":
                new = open_package(resident, community, service, visits=visits)
                packages.append(new)
                open_draws[new.pk] = []
            elif step == "draw":
                draws.append(package_draw(package_id=package.pk, now=clock))
            elif step == "cancel free" and draws:
                package_return(draw=draws.pop())
            elif step == "cancel late" and draws:
                package_consume(draw=draws.pop())
            elif step == "expire":
                clock += timedelta(days=200)
                packages_expire(now=clock)
            elif step == "refund":
                package_refund(package_id=package.pk)
        except PackageUnavailable:
            pass
        for p in Package.objects.filter(pk__in=[p.pk for p in packages]):
            assert 0 <= p.balance <= p.visits
            assert ledger_sum(p.pk) == p.balance
            drawn = p.entries.filter(kind=PackageEntry.Kind.DRAWN).count()
            assert drawn <= p.visits + p.entries.filter(kind="returned").count()
