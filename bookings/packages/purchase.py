"""Buying a package by card and refunding its unused visits through Stripe (issue 18).

A purchase is priced only from the live fee board (``cms.packages.published_package_offer``),
written as an Oscar order with one line, paid through ``payments.services`` (authorised
off-session on the saved card, then captured at once: a package is paid for when bought), and
opened in the ledger only once the money is captured. A refund empties the package in the
ledger first (its row lock decides the amount once), then pays that amount back through
``payment_refund`` under a key derived from the ledger entry, so a retry never pays twice.
Amounts are yuan ``Decimal``.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.contrib.sites.models import Site
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.order.models import Line, LinePrice, Order
from oscar.apps.shipping.methods import NoShippingRequired

from bookings.appointments.hold import resolve_household
from bookings.appointments.orders import new_order_number
from bookings.exceptions import BookingError
from bookings.models import Package, PackageEntry
from bookings.packages.ledger import package_open, package_refund, packages_expire
from cms.packages import BoardPackage, published_package_offer
from cms.pricing import PriceNotOnBoard
from marketplace.partner.models import StockRecord
from payments.exceptions import CardDeclined, NoSavedCard, PaymentError
from payments.models import PaymentIntentRecord, Refund
from payments.services import payment_authorise, payment_capture, payment_refund, payment_void

logger = logging.getLogger("linli.packages")

IntentStatus = PaymentIntentRecord.Status


class PackagePaymentRefused(BookingError):
    """The card did not pay for the package (declined, needs authentication): 402."""

    status_code = 402


def _write_order(*, user, published: BoardPackage, stockrecord: StockRecord) -> Order:
    """The package's Oscar order: one line for the covered service at the board's price."""
    shipping = NoShippingRequired()
    price = published.price
    order = Order.objects.create(
        number=new_order_number().replace("A", "P", 1),
        site=Site.objects.get_current(),
        user=user,
        currency="CNY",
        total_incl_tax=price,
        total_excl_tax=price,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        shipping_method=str(shipping.name),
        shipping_code=shipping.code,
        status="Pending",
    )
    line = Line.objects.create(
        order=order,
        partner=stockrecord.partner,
        partner_name=stockrecord.partner.name,
        partner_sku=stockrecord.partner_sku,
        stockrecord=stockrecord,
        product=published.offer.product,
        title=published.offer.name[:255],
        quantity=1,
        line_price_excl_tax=price,
        line_price_incl_tax=price,
        line_price_before_discounts_excl_tax=price,
        line_price_before_discounts_incl_tax=price,
        unit_price_incl_tax=price,
        unit_price_excl_tax=price,
        num_allocated=1,
        status="Pending",
    )
    LinePrice.objects.create(
        order=order, line=line, quantity=1, price_incl_tax=price, price_excl_tax=price
    )
    return order


def package_buy(*, user, offer_id, idempotency_key: str, household=None) -> Package:
    """Buy the package ``offer_id`` (a ``cms.PackageOffer`` pk) of the resident's community's
    live board with their saved card, captured at once. Returns the opened ``Package``; the
    same ``idempotency_key`` again returns the same package without charging twice.

    Raises, before anything is written: ``HouseholdRequired``/``BookingError`` (400: no
    household, or the package is not on the live board of the resident's community: another
    community's, withdrawn, or its service not on sale). Raises ``PackagePaymentRefused`` (402:
    no card, declined, needs authentication; the order is cancelled, no package) and
    ``payments.exceptions.PaymentError`` (in progress, Stripe unavailable)."""
    household = resolve_household(user=user, household=household)
    community = household.community
    try:
        published = published_package_offer(community=community, offer_id=offer_id)
    except PriceNotOnBoard:
        raise BookingError(
            _("This package is not on the published fee board of your community.")
        ) from None
    key = f"package-buy:{user.pk}:{idempotency_key}"[:128]
    earlier = PaymentIntentRecord.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        package = Package.objects.filter(order_id=earlier.order_id).first()
        if package is not None:
            return package
        order = earlier.order
    else:
        stockrecord = StockRecord.objects.filter(
            product_id=published.offer.product_id, community_id=community.pk
        ).first()
        if stockrecord is None:
            raise BookingError(_("This package's service is not offered in your community."))
        with transaction.atomic():
            order = _write_order(user=user, published=published, stockrecord=stockrecord)
    # The network calls run outside any transaction (never a lock across Stripe).
    try:
        intent = payment_authorise(
            order=order, user=user, amount=published.price, idempotency_key=key
        )
        if intent.status == IntentStatus.REQUIRES_ACTION:
            payment_void(intent=intent)
            raise PackagePaymentRefused(
                _("Your bank asks to confirm this payment; please add another card.")
            )
        intent = payment_capture(intent=intent)
    except (CardDeclined, NoSavedCard) as exc:
        Order.objects.filter(pk=order.pk).update(status="Cancelled")
        raise PackagePaymentRefused(str(exc)) from exc
    with transaction.atomic():
        # The order row lock serialises two requests with the same key: one package per order.
        Order.objects.select_for_update().filter(pk=order.pk).update(status="Completed")
        existing = Package.objects.filter(order=order).first()
        if existing is not None:
            return existing
        return package_open(
            resident=user,
            community=community,
            product=published.offer.product,
            name=published.offer.name,
            visits=published.visits,
            price=published.price,
            valid_for=published.valid_for,
            board_revision_id=published.revision_id,
            order=order,
        )


def _pay_back(entry: PackageEntry) -> None:
    """Pay the refunded or expired ``entry.amount`` (yuan) back to the card that bought the
    package, once (the key is the entry's). A package opened without an order (the seed, a
    staff grant) has no card to pay back: nothing to call."""
    package = entry.package
    if not entry.amount or package.order_id is None:
        return
    intent = (
        PaymentIntentRecord.objects.filter(order_id=package.order_id, status=IntentStatus.CAPTURED)
        .order_by("-pk")
        .first()
    )
    if intent is None:
        return
    payment_refund(
        intent=intent,
        amount=entry.amount,
        reason=f"package {package.pk} {entry.kind}",
        idempotency_key=f"package-entry:{entry.pk}",
    )


def package_refund_to_card(*, user, package_id: int) -> PackageEntry:
    """The resident asks for the unused visits back: the ledger empties the package (the
    unused share of the price paid), then Stripe refunds that amount to the card. Returns the
    ``refunded`` entry. Raises ``BookingError`` (404-like 400: not the resident's package),
    ``PackageUnavailable`` (409: refunded or expired already), and the payment errors of
    ``payment_refund`` (the ledger entry stays; ``packages_pay_back`` retries it)."""
    if not Package.objects.filter(pk=package_id, resident=user).exists():
        raise BookingError(_("That package is not yours."))
    entry = package_refund(package_id=package_id)
    _pay_back(entry)
    return entry


def packages_expire_and_pay_back(*, now=None) -> int:
    """Beat: expire every package past its validity (``packages_expire``), then pay back each
    expiry or refund not yet paid back. Returns how many packages expired. Safe to run twice:
    a payment is keyed by its ledger entry."""
    expired = packages_expire(now=now)
    unpaid = PackageEntry.objects.filter(
        kind__in=(PackageEntry.Kind.EXPIRED, PackageEntry.Kind.REFUNDED),
        amount__gt=0,
        package__order__isnull=False,
    ).select_related("package")
    paid_keys = set(
        Refund.objects.filter(idempotency_key__startswith="package-entry:").values_list(
            "idempotency_key", flat=True
        )
    )
    for entry in unpaid:
        if f"package-entry:{entry.pk}" in paid_keys:
            continue
        try:
            _pay_back(entry)
        except PaymentError:
            logger.warning("Package %s: pay back of entry %s failed", entry.package_id, entry.pk)
    return expired
