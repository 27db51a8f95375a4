"""Booking with a package: no card payment, a visit drawn; a free cancellation returns it, a
late one consumes it; another community's package, an exhausted one, a taken slot: 4xx and the
balance as it was."""

from datetime import time

import pytest

from bookings.appointments.changes import appointment_cancel
from bookings.exceptions import BookingError, SlotUnavailable
from bookings.models import Appointment, PackageEntry
from bookings.packages.booking import appointment_book_with_package
from bookings.packages.ledger import PackageUnavailable, ledger_sum
from tests.bookings.appointments.ledger import LATE, daytime_slot
from tests.bookings.factories import WorkerFactory
from tests.bookings.packages.conftest import open_package
from tests.support import local

pytestmark = pytest.mark.django_db
Kind = PackageEntry.Kind


def book(resident, service, package, start):
    return appointment_book_with_package(
        user=resident, product=service, start=start, package_id=package.pk
    )


def balance(package):
    package.refresh_from_db()
    assert ledger_sum(package.pk) == package.balance
    return package.balance


def test_a_booking_draws_one_visit_and_a_free_cancellation_returns_it(
    resident, service, worker, package
):
    appointment = book(resident, service, package, local(3, 10))
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.payment_method == Appointment.PaymentMethod.PACKAGE
    assert balance(package) == 2
    assert appointment.package_entries.get().kind == Kind.DRAWN

    assert appointment_cancel(appointment=appointment, by=resident) == 0
    assert balance(package) == 3
    assert list(package.entries.values_list("kind", flat=True)) == [
        Kind.BOUGHT,
        Kind.DRAWN,
        Kind.RETURNED,
    ]


def test_a_late_cancellation_consumes_the_visit_and_charges_no_money(
    resident, service, provider, community, package
):
    WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        hours=[(day, time(8), time(20)) for day in range(7)],
    )
    appointment = book(resident, service, package, daytime_slot(after=LATE[0], before=LATE[1]))
    assert appointment_cancel(appointment=appointment, by=resident) == 0  # no money
    assert balance(package) == 2
    assert package.entries.filter(kind=Kind.CONSUMED, appointment=appointment).exists()


def test_a_taken_slot_returns_the_visit(resident, other_resident, service, worker, package, book):
    book(local(3, 10), user=other_resident)
    with pytest.raises(SlotUnavailable):
        appointment_book_with_package(
            user=resident, product=service, start=local(3, 10), package_id=package.pk
        )
    assert balance(package) == 3
    assert not Appointment.objects.filter(resident=resident).exists()


def test_an_exhausted_package_is_refused_and_nothing_is_booked(
    resident, service, worker, community
):
    package = open_package(resident, community, service, visits=1)
    book(resident, service, package, local(3, 10))
    with pytest.raises(PackageUnavailable):
        book(resident, service, package, local(4, 10))
    assert balance(package) == 0
    assert Appointment.objects.filter(resident=resident).count() == 1


def test_a_package_of_another_community_or_resident_is_refused(
    resident, other_resident, service, worker, other_community
):
    elsewhere = open_package(resident, other_community, service)
    theirs = open_package(other_resident, other_community, service)
    for package in (elsewhere, theirs):
        with pytest.raises(BookingError):
            book(resident, service, package, local(3, 10))
        assert balance(package) == 3
    assert not Appointment.objects.exists()
