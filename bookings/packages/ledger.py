"""The package ledger: every change of a balance, each with its entry, in one transaction.

The balance never goes below zero even when bookings draw at once: a draw is one conditional
UPDATE (``balance >= 1``, active, still valid), which PostgreSQL re-checks on the locked row
after any concurrent draw commits, so the last visit goes to exactly one booking; the CHECK
constraint ``package_balance_within_bought`` is the backstop. Refund and expiry lock the row
(``select_for_update``) and empty it. A draw is settled (returned or consumed) at most once
(the unique ``package_draw_settled_once``). Amounts are yuan ``Decimal``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.exceptions import BookingError
from bookings.models import Package, PackageEntry

Kind = PackageEntry.Kind
Status = Package.Status


class PackageUnavailable(BookingError):
    """The package cannot be drawn (expired, used up, refunded) or changed as asked: 409."""

    status_code = 409


@transaction.atomic
def package_open(
    *,
    resident,
    community,
    product,
    name: str,
    visits: int,
    price: Decimal,
    valid_for: timedelta,
    board_revision_id: int | None = None,
    order=None,
    now: datetime | None = None,
) -> Package:
    """Record a bought package (its payment already captured): ``visits`` (≥ 1) of
    ``product`` in ``community`` for ``price`` (yuan), valid for ``valid_for`` from ``now``.
    Writes the package and its ``bought`` entry. Raises ``BookingError`` for no visits."""
    if visits < 1:
        raise BookingError(_("A package has at least one visit."))
    now = now or timezone.now()
    package = Package.objects.create(
        resident=resident,
        community=community,
        product=product,
        name=name[:200],
        visits=visits,
        price_paid=price,
        board_revision_id=board_revision_id,
        order=order,
        valid_until=now + valid_for,
        balance=visits,
    )
    PackageEntry.objects.create(package=package, kind=Kind.BOUGHT, visits=visits, amount=price)
    return package


def _refusal(package_id: int, now: datetime) -> PackageUnavailable:
    package = Package.objects.filter(pk=package_id).first()
    if package is None or package.status == Status.REFUNDED:
        return PackageUnavailable(_("This package is no longer available."))
    if package.status == Status.EXPIRED or package.valid_until <= now:
        return PackageUnavailable(_("This package has expired."))
    return PackageUnavailable(_("This package has no visits left."))


@transaction.atomic
def package_draw(*, package_id: int, appointment=None, now: datetime | None = None) -> PackageEntry:
    """Draw one visit for a booking (``appointment``, if already written); returns the
    ``drawn`` entry. Raises ``PackageUnavailable`` (expired, used up, refunded): then nothing
    is written."""
    now = now or timezone.now()
    # Why one conditional UPDATE: the check and the decrement are one statement on the locked
    # row, so two bookings can never both take the last visit (tests/bookings/packages).
    drawn = Package.objects.filter(
        pk=package_id, status=Status.ACTIVE, balance__gte=1, valid_until__gt=now
    ).update(balance=F("balance") - 1)
    if not drawn:
        raise _refusal(package_id, now)
    return PackageEntry.objects.create(
        package_id=package_id, kind=Kind.DRAWN, visits=-1, appointment=appointment
    )


def _settle(draw: PackageEntry, kind, visits: int) -> PackageEntry:
    if draw.kind != Kind.DRAWN:
        raise PackageUnavailable(_("Only a drawn visit can be returned or consumed."))
    # The row lock orders this after a refund or expiry of the same package: a visit returned
    # to a package emptied meanwhile is paid back at once instead of going on its balance.
    package = Package.objects.select_for_update().get(pk=draw.package_id)
    try:
        with transaction.atomic():
            entry = PackageEntry.objects.create(
                package=package,
                kind=kind,
                visits=visits,
                draw=draw,
                appointment_id=draw.appointment_id,
            )
    except IntegrityError:
        raise PackageUnavailable(_("This visit was already returned or consumed.")) from None
    if not visits:
        return entry
    if package.status == Status.ACTIVE:
        Package.objects.filter(pk=package.pk).update(balance=F("balance") + visits)
    else:
        share = (package.price_paid / package.visits).quantize(
            Decimal("0.01"), rounding="ROUND_DOWN"
        )
        PackageEntry.objects.create(
            package=package, kind=package.status, visits=-visits, amount=share * visits
        )
    return entry


@transaction.atomic
def package_return(*, draw: PackageEntry) -> PackageEntry:
    """A free cancellation: the drawn visit goes back on the balance (+1), once. Raises
    ``PackageUnavailable`` when the draw was already settled."""
    return _settle(draw, Kind.RETURNED, +1)


@transaction.atomic
def package_consume(*, draw: PackageEntry) -> PackageEntry:
    """A late cancellation or no-show: the drawn visit stays used as the fee (0), once."""
    return _settle(draw, Kind.CONSUMED, 0)


def _empty(package_id: int, *, kind, status, now) -> PackageEntry | None:
    package = Package.objects.select_for_update().get(pk=package_id)
    if package.status != Status.ACTIVE:
        return None
    left = package.balance
    amount = package.unused_share
    Package.objects.filter(pk=package.pk).update(balance=0, status=status)
    return PackageEntry.objects.create(package=package, kind=kind, visits=-left, amount=amount)


@transaction.atomic
def package_refund(*, package_id: int, now: datetime | None = None) -> PackageEntry:
    """Refund the unused visits on request: the unused share of the price paid
    (``Package.unused_share``, yuan); the balance goes to 0 and the package is refunded.
    Returns the ``refunded`` entry (its ``amount`` is what the card is paid back). Raises
    ``PackageUnavailable`` for a package already refunded or expired."""
    entry = _empty(package_id, kind=Kind.REFUNDED, status=Status.REFUNDED, now=now)
    if entry is None:
        raise PackageUnavailable(_("This package was already refunded or has expired."))
    return entry


def packages_expire(*, now: datetime | None = None) -> int:
    """Beat: empty every active package past its validity, refunding its unused share
    (``expired`` entries); returns how many expired. Safe to run twice."""
    now = now or timezone.now()
    count = 0
    for package_id in Package.objects.filter(
        status=Status.ACTIVE, valid_until__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            if _empty(package_id, kind=Kind.EXPIRED, status=Status.EXPIRED, now=now):
                count += 1
    return count


def ledger_sum(package_id: int) -> int:
    """The sum of a package's ledger (visits), which always equals its balance."""
    total = PackageEntry.objects.filter(package_id=package_id).aggregate(s=Sum("visits"))["s"]
    return total or 0
