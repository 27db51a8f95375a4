"""The package ledger: draw, return, consume, refund, expire; refusals write nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

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

pytestmark = pytest.mark.django_db
Kind = PackageEntry.Kind


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched by their English text."""
    with translation.override("en"):
        yield


def balance(package):
    package.refresh_from_db()
    assert ledger_sum(package.pk) == package.balance
    return package.balance


def test_draws_until_used_up_then_refuses_and_writes_nothing(package):
    for left in (2, 1, 0):
        package_draw(package_id=package.pk)
        assert balance(package) == left
    entries = PackageEntry.objects.count()
    with pytest.raises(PackageUnavailable, match="no visits left"):
        package_draw(package_id=package.pk)
    assert PackageEntry.objects.count() == entries and balance(package) == 0


def test_a_free_cancellation_returns_the_visit_once(package):
    draw = package_draw(package_id=package.pk)
    package_return(draw=draw)
    assert balance(package) == 3
    with pytest.raises(PackageUnavailable):
        package_return(draw=draw)
    with pytest.raises(PackageUnavailable):
        package_consume(draw=draw)
    assert balance(package) == 3


def test_a_late_cancellation_consumes_the_visit(package):
    draw = package_draw(package_id=package.pk)
    package_consume(draw=draw)
    assert balance(package) == 2
    assert list(package.entries.values_list("kind", flat=True)) == [
        Kind.BOUGHT,
        Kind.DRAWN,
        Kind.CONSUMED,
    ]


def test_a_refund_pays_back_the_unused_share_and_closes_the_package(package):
    package_draw(package_id=package.pk)
    entry = package_refund(package_id=package.pk)
    assert entry.amount == Decimal("220.00") and entry.visits == -2
    assert balance(package) == 0 and package.status == Package.Status.REFUNDED
    with pytest.raises(PackageUnavailable):
        package_refund(package_id=package.pk)
    with pytest.raises(PackageUnavailable, match="no longer available"):
        package_draw(package_id=package.pk)


def test_an_expired_package_cannot_be_drawn_and_expiry_refunds_once(package):
    later = timezone.now() + timedelta(days=181)
    with pytest.raises(PackageUnavailable, match="expired"):
        package_draw(package_id=package.pk, now=later)
    assert packages_expire(now=later) == 1
    assert packages_expire(now=later) == 0
    assert balance(package) == 0 and package.status == Package.Status.EXPIRED
    assert package.entries.get(kind=Kind.EXPIRED).amount == Decimal("330.00")


def test_a_visit_returned_after_a_refund_is_paid_back(package):
    draw = package_draw(package_id=package.pk)
    package_refund(package_id=package.pk)
    package_return(draw=draw)
    assert balance(package) == 0
    assert package.entries.filter(kind=Kind.REFUNDED).count() == 2
    paid_back = sum(e.amount for e in package.entries.filter(kind=Kind.REFUNDED))
    assert paid_back == Decimal("330.00")
