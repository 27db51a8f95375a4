"""The service page's slot picker and one-click booking (``POST /shop/book/``), and the basket.

Each view reads its input through a form (bad input is 400 before anything is written), calls
one service and answers: a refusal is ``views._refusal`` (400, 402 or 409 with the next free
slots), a new booking 201 (JSON) or a redirect to it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bookings.appointments.basket import basket_add_service
from bookings.appointments.hold import resolve_household
from bookings.appointments.one_click import appointment_book
from bookings.availability.window import parse_start
from bookings.exceptions import BookingError, HouseholdRequired, SlotUnavailable
from bookings.models import Appointment
from bookings.residents.forms import BookForm
from bookings.residents.service_page import service_slot_search
from bookings.residents.views import _refusal, _service, _wants_json
from marketplace import metrics
from marketplace.community import current_community
from marketplace.models import Household
from marketplace.ratelimits import rate_limited

# --- service page's slots and one-click booking -----------------------------------------------


@rate_limited("slots")
@require_GET
def service_slots(request, product_pk):
    """The slot picker's data: free slots of a service in the visitor's community, by date
    (``?from=&to=`` YYYY-MM-DD, at most ``MAX_PICKER_DAYS`` days)."""
    product = _service(product_pk)
    community = current_community(request=request)
    if community is None:
        return JsonResponse({"error": _("Choose your community to see free times.")}, status=400)
    try:
        search = service_slot_search(
            product=product,
            community=community,
            first=request.GET.get("from", ""),
            last=request.GET.get("to", ""),
        )
    except BookingError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(
        {
            "service": product.pk,
            "community": community.slug,
            "from": search.first.isoformat(),
            "to": search.last.isoformat(),
            "slots": [s.as_json() for s in search.slots],
        }
    )


def _never_confirmed(appointment) -> bool:
    """A booking released before it was ever confirmed (its payment failed)."""
    Status = Appointment.Status
    return (
        appointment.status in (Status.CANCELLED, Status.EXPIRED)
        and not appointment.events.filter(to_status=Status.CONFIRMED).exists()
    )


def _booked_status(appointment) -> int:
    """201 for the booking this request made; for an earlier one found by its key, 200, or
    202 while it still waits for its payment (the first request is paying, or the bank's
    page waits: ``payment_action_url``)."""
    if not getattr(appointment, "is_repeat", False):
        return 201
    return 202 if appointment.status == Appointment.Status.HELD else 200


@require_GET
def login_to_book(request):
    """A visitor's time on a shared service page (``?product=<pk>&start=<ISO time>``): the
    login page, saying why, and back to the service page with that time chosen (``?slot=``).
    A signed-in resident goes straight back to it. The shared page's time buttons are GET
    forms to here, so the page carries no per-visitor token (``marketplace.page_cache``)."""
    product = _service(request.GET.get("product"))
    back = f"{product.get_absolute_url()}?{urlencode({'slot': request.GET.get('start', '')})}"
    if request.user.is_authenticated:
        return redirect(back)
    messages.info(request, _("Please log in to book this time. You will come back to it."))
    return redirect_to_login(back)


@rate_limited("booking")
@require_POST
def book(request):
    """One click: book ``product`` at ``start`` for the resident's (default) household."""
    product = _service(request.POST.get("product"))
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"error": _("Please log in to book.")}, status=401)
        # Back to the same time after logging in: the service page offers it again (?slot=).
        messages.info(request, _("Please log in to book this time. You will come back to it."))
        back = f"{product.get_absolute_url()}?{urlencode({'slot': request.POST.get('start', '')})}"
        return redirect_to_login(back)
    form = BookForm(request.POST)
    if not form.is_valid():
        return _refusal(request, BookingError(form.first_error()), product=product)
    household = None
    if form.cleaned_data["household"] is not None:
        household = Household.objects.filter(pk=form.cleaned_data["household"]).first()
        if household is None:
            return _refusal(
                request, BookingError(_("That household does not exist.")), product=product
            )
    try:
        start = parse_start(form.cleaned_data["start"])
        appointment = appointment_book(
            user=request.user,
            product=product,
            start=start,
            household=household,
            idempotency_key=form.cleaned_data["key"],
        )
    except HouseholdRequired as exc:
        if _wants_json(request):
            return JsonResponse(
                {"error": str(exc), "household_url": reverse("bookings:households")}, status=400
            )
        messages.info(request, str(exc))
        back = f"{product.get_absolute_url()}?{urlencode({'slot': request.POST.get('start', '')})}"
        return redirect(f"{reverse('bookings:households')}?{urlencode({'next': back})}")
    except BookingError as exc:
        return _refusal(request, exc, product=product)
    if getattr(appointment, "is_repeat", False) and _never_confirmed(appointment):
        # The same key again, after its booking failed (a declined card, say): say so, never
        # that it booked. A new booking needs the page's new key.
        return _refusal(
            request,
            SlotUnavailable(
                _(
                    "This booking did not go through (%(status)s) and nothing was charged for it. "
                    "Please choose a time and book again."
                )
                % {"status": appointment.get_status_display()}
            ),
            product=product,
        )
    if not getattr(appointment, "is_repeat", False):
        metrics.BOOKINGS.labels(outcome="booked").inc()
    action_url = getattr(appointment, "payment_action_url", "")
    if action_url and not _wants_json(request):
        # The bank asks the resident to confirm the card (3-D Secure) before it is authorised.
        return redirect(action_url)
    if _wants_json(request):
        return JsonResponse(
            {
                "appointment": appointment.pk,
                "payment_action_url": action_url,
                "status": appointment.status,
                "repeat": getattr(appointment, "is_repeat", False),
                "url": appointment.get_absolute_url(),
            },
            status=_booked_status(appointment),
        )
    messages.success(request, _("Booked! We will let you know when the worker accepts."))
    return redirect(appointment)


@rate_limited("booking")
@require_POST
def add_to_basket(request, product_pk):
    """Put a service at a slot in the basket, to book several in one checkout."""
    product = _service(product_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(product.get_absolute_url())
    try:
        household = resolve_household(user=request.user)
        start = parse_start(request.POST.get("start", ""))
        basket_add_service(basket=request.basket, product=product, start=start, household=household)
    except HouseholdRequired as exc:
        messages.info(request, str(exc))
        return redirect(
            f"{reverse('bookings:households')}?{urlencode({'next': product.get_absolute_url()})}"
        )
    except BookingError as exc:
        return _refusal(request, exc, product=product)
    messages.success(request, _("Added to your basket."))
    return redirect("basket:summary")
