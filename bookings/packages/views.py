"""The residents' package pages: my packages (balance, validity, history), buying a package
from the fee board by card, refunding the unused visits, booking a service with a package.

Each view authorises, reads its input, calls one service and redirects; a refusal is the
service's status (400 another community's package or bad input, 402 card refused, 409
expired, used up or refunded) with its message, and nothing written."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.appointments.hold import resolve_household
from bookings.availability.window import parse_start
from bookings.exceptions import BookingError
from bookings.models import Package
from bookings.packages.booking import appointment_book_with_package
from bookings.packages.purchase import package_buy, package_refund_to_card
from bookings.residents.views import _service
from cms.packages import published_package_offer
from cms.pricing import PriceNotOnBoard
from payments.exceptions import PaymentError


def _refused(request, exc: Exception, *, status: int | None = None):
    return render(
        request,
        "bookings/packages/refused.html",
        {"message": str(exc), "page_title": _("Not done")},
        status=status or getattr(exc, "status_code", 400),
    )


@login_required
def package_list(request):
    """My packages: balance, validity and history, only mine."""
    packages = (
        Package.objects.filter(resident=request.user)
        .select_related("product", "community")
        .prefetch_related("entries")
    )
    return render(
        request,
        "bookings/packages/list.html",
        {"packages": packages, "page_title": _("My packages")},
    )


@login_required
def package_buy_view(request, offer_pk: int):
    """GET: the package as the resident's community's live board publishes it, with a button
    that pays by the saved card. POST (``key``): buy it (``package_buy``), then my packages."""
    try:
        household = resolve_household(user=request.user)
        published = published_package_offer(community=household.community, offer_id=offer_pk)
    except PriceNotOnBoard:
        return _refused(
            request,
            BookingError(_("This package is not on the published fee board of your community.")),
        )
    except BookingError as exc:
        return _refused(request, exc)
    if request.method == "POST":
        try:
            package = package_buy(
                user=request.user,
                offer_id=offer_pk,
                idempotency_key=request.POST.get("key", "")[:64] or secrets.token_hex(8),
                household=household,
            )
        except BookingError as exc:
            return _refused(request, exc)
        except PaymentError as exc:
            return _refused(request, exc, status=503)
        messages.success(
            request,
            _("You bought %(name)s: %(n)s visits.") % {"name": package.name, "n": package.visits},
        )
        return redirect("bookings:package-list")
    return render(
        request,
        "bookings/packages/buy.html",
        {
            "published": published,
            "offer": published.offer,
            "community": household.community,
            "key": secrets.token_hex(8),
            "page_title": _("Buy a package"),
        },
    )


@login_required
@require_POST
def package_refund_view(request, pk: int):
    """Refund the unused visits of my package ``pk`` to the card that paid for it."""
    if not Package.objects.filter(pk=pk, resident=request.user).exists():
        raise Http404
    try:
        entry = package_refund_to_card(user=request.user, package_id=pk)
    except BookingError as exc:
        return _refused(request, exc)
    except PaymentError as exc:
        return _refused(request, exc, status=503)
    messages.success(request, _("Refunded %(amount)s to your card.") % {"amount": entry.amount})
    return redirect("bookings:package-list")


@login_required
@require_POST
def package_book_view(request, product_pk: int):
    """The service page's "book with my package": ``start`` (local ISO) and ``package`` (a
    package pk of mine), ``key`` the page's nonce. One visit is drawn instead of a card."""
    product = _service(product_pk)
    try:
        start = parse_start(request.POST.get("start", ""))
        package_id = int(request.POST.get("package", ""))
    except (BookingError, ValueError) as exc:
        message = str(exc) if isinstance(exc, BookingError) else _("Choose one of your packages.")
        return _refused(request, BookingError(message))
    try:
        appointment = appointment_book_with_package(
            user=request.user,
            product=product,
            start=start,
            package_id=package_id,
            idempotency_key=request.POST.get("key", "")[:64],
        )
    except BookingError as exc:
        return _refused(request, exc)
    messages.success(request, _("Booked with your package: one visit drawn."))
    return redirect("bookings:appointment-detail", pk=appointment.pk)
