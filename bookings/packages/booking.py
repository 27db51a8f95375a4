"""Booking with a package: one visit drawn instead of a card payment, and what ending the
appointment does to that visit.

``appointment_book_with_package`` draws first (its own transaction: the conditional UPDATE
that keeps the balance at or above zero), then holds and confirms the appointment through the
ordinary one-click hold (``appointment_hold``: the one lock order, the board's price recorded);
a hold that fails returns the visit. What ending the appointment does to the visit is
``bookings.packages.settle.package_settle``, called by the lifecycle.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from bookings.appointments.hold import resolve_household
from bookings.appointments.one_click import appointment_hold
from bookings.exceptions import BookingError
from bookings.models import Appointment, Package, PackageEntry
from bookings.packages.ledger import package_draw, package_return

Status = Appointment.Status


def appointment_book_with_package(
    *, user, product, start, package_id, household=None, idempotency_key: str = ""
) -> Appointment:
    """Book ``product`` at ``start`` (aware) for ``user`` paid by one visit of their package
    ``package_id``: confirmed at once, no card payment. Returns the appointment.

    Raises ``BookingError`` (400: not the resident's package, another service or community)
    and ``PackageUnavailable`` (409: expired, used up, refunded) before anything is written;
    a hold that fails (``SlotUnavailable`` 409 and the rest) returns the visit drawn and
    leaves the ledger as it was, plus the drawn and returned entries."""
    household = resolve_household(user=user, household=household)
    package = Package.objects.filter(pk=package_id, resident=user).first()
    if package is None:
        raise BookingError(_("That package is not yours."))
    if package.product_id != product.pk:
        raise BookingError(_("This package does not cover that service."))
    if package.community_id != household.community_id:
        raise BookingError(_("This package was bought for another community."))
    draw = package_draw(package_id=package.pk)
    try:
        appointment = appointment_hold(
            user=user,
            product=product,
            start=start,
            household=household,
            confirm=True,
            booking_key=idempotency_key,
        )
    except BaseException:
        package_return(draw=draw)
        raise
    if appointment.is_repeat:
        package_return(draw=draw)  # a double click: the first click drew its own visit
        return appointment
    Appointment.objects.filter(pk=appointment.pk).update(
        payment_method=Appointment.PaymentMethod.PACKAGE
    )
    PackageEntry.objects.filter(pk=draw.pk).update(appointment=appointment)
    appointment.payment_method = Appointment.PaymentMethod.PACKAGE
    return appointment
