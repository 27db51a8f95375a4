"""What ending an appointment paid by a package does to its visit (called by the lifecycle,
``bookings.appointments.lifecycle.appointment_ended``, in the ending's transaction): a free
cancellation (24 h or more before the start, never moved late), a released hold or a job
nobody could be found for returns the visit; a late cancellation or a no-show consumes it as
the fee (the package's late-cancellation fee is the visit, never money)."""

from __future__ import annotations

from django.utils import timezone

from bookings.dispatch.outbox import is_escalated
from bookings.models import Appointment, PackageEntry
from bookings.packages.ledger import package_consume, package_return
from marketplace.policy import FREE_CHANGE_BEFORE

Status = Appointment.Status


def package_settle(*, appointment: Appointment, now=None) -> PackageEntry | None:
    """An appointment paid by a package ended (cancelled, expired, no-show): return its visit
    (free cancellation, a released hold, nobody found to do it) or consume it (a cancellation
    within 24 h of the start or after a late move, a no-show). Inside the lifecycle's
    transaction; None when the appointment drew no visit or it was settled already."""
    if appointment.payment_method != Appointment.PaymentMethod.PACKAGE:
        return None
    draw = PackageEntry.objects.filter(
        appointment=appointment, kind=PackageEntry.Kind.DRAWN, settlements__isnull=True
    ).first()
    if draw is None:
        return None
    now = now or timezone.now()
    late = appointment.moved_late or appointment.start - now < FREE_CHANGE_BEFORE
    if appointment.status == Status.NO_SHOW or (
        appointment.status == Status.CANCELLED and late and not is_escalated(appointment)
    ):
        return package_consume(draw=draw)
    return package_return(draw=draw)
