"""The waiting-list pages: join a full day from the service page; the offer page of the
notice's one-click link, with its Accept button. Each calls one service; a refusal is its
status (400 bad day, 410 offer expired) and nothing written."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.exceptions import BookingError
from bookings.residents.views import _service
from bookings.waitlist.models import WaitlistEntry
from bookings.waitlist.services import waitlist_accept, waitlist_join


def _refused(request, exc: BookingError):
    return render(
        request,
        "bookings/packages/refused.html",
        {"message": str(exc), "page_title": _("Not done")},
        status=getattr(exc, "status_code", 400),
    )


@login_required
@require_POST
def waitlist_join_view(request, product_pk: int):
    """Join the waiting list of ``day`` (YYYY-MM-DD) for the service."""
    product = _service(product_pk)
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        return _refused(request, BookingError(_("Dates are written YYYY-MM-DD.")))
    try:
        waitlist_join(user=request.user, product=product, day=day)
    except BookingError as exc:
        return _refused(request, exc)
    messages.success(
        request, _("You are on the waiting list: we will offer you the first time that frees.")
    )
    return redirect(product.get_absolute_url())


@login_required
def waitlist_offer_view(request, pk: int):
    """GET: the time held for me and until when; POST: accept it (one click)."""
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related("product", "offered"), pk=pk, resident=request.user
    )
    if request.method == "POST":
        try:
            appointment = waitlist_accept(user=request.user, entry_id=entry.pk)
        except BookingError as exc:
            return _refused(request, exc)
        messages.success(request, _("Booked: the freed time is yours."))
        return redirect("bookings:appointment-detail", pk=appointment.pk)
    is_open = (
        entry.status == WaitlistEntry.Status.OFFERED
        and entry.offer_expires_at is not None
        and entry.offer_expires_at > timezone.now()
    )
    return render(
        request,
        "bookings/waitlist/offer.html",
        {"entry": entry, "is_open": is_open, "page_title": _("A freed time")},
        status=200 if is_open or entry.status == WaitlistEntry.Status.ACCEPTED else 410,
    )
