"""Residents' booking pages: slots, one-click booking, My appointments, households, calendars.

Each view authorises (``_own_appointment`` is the one way to reach an appointment), reads its
input, calls one service and answers. Booking errors become 400, a taken slot 409 (with the
next free slots), someone else's appointment or feed 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from oscar.templatetags.currency_filters import currency

from bookings.appointments import changes
from bookings.availability.search import available_slots, group_by_day
from bookings.availability.window import parse_start
from bookings.exceptions import (
    BookingError,
    CancellationRefused,
)
from bookings.models import Appointment, AppointmentEvent, CalendarFeed
from bookings.residents.forms import CancelForm, HouseholdForm
from bookings.residents.households import household_create, household_set_default
from bookings.residents.ics import appointments_ics, calendar_feed_revoke, calendar_feed_rotate
from bookings.residents.service_page import booking_nonce
from marketplace import metrics
from marketplace.cache import content_digest
from marketplace.catalogue.models import Product
from marketplace.models import Household
from marketplace.policy import CALENDAR_FEED_PAST, DAYS_OFFERED_AFTER_REFUSAL
from payments.services import payment_for_order


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _service(pk) -> Product:
    """A bookable service, or 404 for anything else (unknown, hidden, not a number)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(Product.objects.browsable().select_related("product_class"), pk=pk)


def _own_appointment(request, pk) -> Appointment:
    """The resident's own appointment; anyone else's is 404 (not 403: we don't confirm it exists)."""
    return get_object_or_404(
        Appointment.objects.select_related(
            "product", "worker__user", "household", "community", "order", "stockrecord"
        ),
        pk=pk,
        resident=request.user,
    )


def _own_household(request, pk) -> Household:
    """The resident's own household; anyone else's is 404."""
    return get_object_or_404(Household, pk=pk, user=request.user)


def _refusal(request, exc: BookingError, *, product=None, reschedule=None):
    """A booking (or a move) that cannot be made: JSON for the slot picker, else a page
    saying why, with the next free slots as one-click buttons."""
    status = exc.status_code
    if reschedule is None:
        metrics.BOOKINGS.labels(outcome="conflict" if status == 409 else "refused").inc()
    next_slots = getattr(exc, "next_slots", [])
    if _wants_json(request):
        return JsonResponse(
            {"error": str(exc), "next_slots": [s.as_json() for s in next_slots]}, status=status
        )
    context = {
        "message": str(exc),
        "product": product,
        "reschedule": reschedule,
        "slot_days": group_by_day(next_slots),
        "nonce": booking_nonce(request),
        "conflict": status == 409,
    }
    return render(request, "bookings/booking_refused.html", context, status=status)


# --- My appointments --------------------------------------------------------------------------


@login_required
def appointment_list(request):
    """My appointments: upcoming (active, not ended) soonest first, then the rest."""
    now = timezone.now()
    mine = Appointment.objects.filter(resident=request.user).select_related(
        "product", "worker__user", "household", "community"
    )
    upcoming = mine.filter(status__in=Appointment.ACTIVE, end__gte=now).order_by("start")
    # A booking released before it was ever confirmed (its card was declined) was never
    # booked: the card says so, without a price, instead of reading as cancelled by the resident.
    confirmed = AppointmentEvent.objects.filter(
        appointment=OuterRef("pk"), to_status=Appointment.Status.CONFIRMED
    )
    past = list(
        mine.exclude(pk__in=upcoming.values("pk"))
        .annotate(was_confirmed=Exists(confirmed))
        .order_by("-start")
    )
    upcoming = list(upcoming)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(
        request,
        "bookings/appointment_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            # The two lists of cards are a fragment cached under every value they show (and
            # the language): drawing a resident's few dozen cards was most of the page's CPU.
            "cards_shown": content_digest(
                [len(upcoming)] + [_card_shown(a) for a in [*upcoming, *past]]
            ),
            "feed": feed,
            "active_tab": "appointments",
            "page_title": _("My appointments"),
            "feed_url": request.build_absolute_uri(
                reverse("bookings:calendar-feed", args=[feed.token])
            )
            if feed
            else "",
        },
    )


def _card_shown(appointment) -> tuple:
    """Every value ``bookings/partials/appointment_card.html`` shows of ``appointment``."""
    return (
        appointment.pk,
        appointment.product.get_title(),
        appointment.start,
        appointment.end,
        appointment.community.display_name,
        appointment.household.address_line,
        getattr(appointment, "was_confirmed", None),
        appointment.status,
        appointment.price,
    )


@login_required
def appointment_detail(request, pk):
    """One of my appointments: its timeline, payment and what changing it costs now."""
    appointment = _own_appointment(request, pk)
    try:
        fee = changes.cancellation_fee_for(appointment)
        can_change = appointment.status in changes.CHANGEABLE
    except CancellationRefused:
        fee, can_change = None, False
    # Released before it was ever confirmed (a declined card, an unfinished payment): never
    # booked, so no price and no "cancelled", as on the list.
    never_booked = (
        not appointment.is_active
        and not appointment.events.filter(to_status=Appointment.Status.CONFIRMED).exists()
    )
    return render(
        request,
        "bookings/appointment_detail.html",
        {
            "appointment": appointment,
            "never_booked": never_booked,
            "events": appointment.events.select_related("actor"),
            "payment": payment_for_order(appointment.order),
            "fee": fee,
            "can_change": can_change,
            "active_tab": "appointments",
            "page_title": appointment.product.get_title(),
        },
    )


@login_required
def appointment_cancel(request, pk):
    """GET shows what cancelling costs; POST cancels."""
    appointment = _own_appointment(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    try:
        fee = changes.cancellation_fee_for(appointment)
        if request.method == "POST" and form.is_valid():
            fee = changes.appointment_cancel(
                appointment=appointment, by=request.user, reason=form.cleaned_data["reason"]
            )
            if fee:
                done = _("Cancelled. %(fee)s is charged to your card; the rest is released.")
                messages.success(request, done % {"fee": currency(fee)})
            else:
                messages.success(request, _("Cancelled, free of charge."))
            return redirect(appointment)
    except BookingError as exc:
        return _refusal(request, exc, product=appointment.product)
    return render(
        request,
        "bookings/appointment_cancel.html",
        {
            "appointment": appointment,
            "fee": fee,
            "form": form,
            "active_tab": "appointments",
            "page_title": _("Cancel the appointment"),
        },
    )


@login_required
def appointment_reschedule(request, pk):
    """GET shows free slots (moving is free; what a late move keeps); POST moves there."""
    appointment = _own_appointment(request, pk)
    try:
        kept_fee = changes.fee_kept_by_moving(appointment)
        if request.method == "POST":
            new_start = parse_start(request.POST.get("start", ""))
            old_worker_id = appointment.worker_id
            changes.appointment_reschedule(
                appointment=appointment, new_start=new_start, by=request.user
            )
            done = _("Moved to the new time, free of charge.")
            appointment.refresh_from_db(fields=["worker"])
            if appointment.worker_id and appointment.worker_id != old_worker_id:
                # The resident should know who comes now, not discover it at the door.
                done += " " + _("%(worker)s takes the new time.") % {
                    "worker": appointment.worker.display_name
                }
            if kept_fee:
                kept = _("From now on, cancelling it costs %(fee)s.")
                done += " " + kept % {"fee": currency(kept_fee)}
            messages.success(request, done)
            return redirect(appointment)
    except BookingError as exc:
        return _refusal(request, exc, product=appointment.product, reschedule=appointment)
    slots = available_slots(
        product=appointment.product,
        stockrecord=appointment.stockrecord,
        community=appointment.community,
        max_days=DAYS_OFFERED_AFTER_REFUSAL,
        duration=appointment.end - appointment.start,
        exclude_appointment=appointment,
    )
    return render(
        request,
        "bookings/appointment_reschedule.html",
        {
            "appointment": appointment,
            "kept_fee": kept_fee,
            "slot_days": group_by_day(slots),
            "nonce": booking_nonce(request),
            "active_tab": "appointments",
            "page_title": _("Reschedule"),
        },
    )


@login_required
def appointment_ics(request, pk):
    """One of my appointments as an .ics download."""
    appointment = _own_appointment(request, pk)
    body = appointments_ics([appointment], name=appointment.product.get_title())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@login_required
@require_POST
def calendar_feed_manage(request):
    """Give me a new private calendar address (``action=revoke``: none)."""
    if request.POST.get("action") == "revoke":
        calendar_feed_revoke(user=request.user)
        messages.success(request, _("Your calendar address no longer works."))
    else:
        calendar_feed_rotate(user=request.user)
        messages.success(request, _("Your private calendar address is ready. Keep it to yourself."))
    return redirect("bookings:appointment-list")


@require_GET
def calendar_feed(request, token):
    """The private feed: the token is the only key, so an unknown or revoked one is 404."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    since = timezone.now() - CALENDAR_FEED_PAST
    appointments = Appointment.objects.filter(resident=feed.user, start__gte=since).select_related(
        "product", "worker__user", "household", "community"
    )
    body = appointments_ics(appointments, name=_("Linli appointments"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- households ----------------------------------------------------------------------------


@login_required
def households(request):
    """The resident's homes: list, add (the first becomes the default), back to ``next``."""
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = HouseholdForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        make_default = data.pop("make_default")
        household_create(user=request.user, make_default=make_default, **data)
        messages.success(request, _("Address saved."))
        return redirect(next_url or "bookings:households")
    return render(
        request,
        "bookings/households.html",
        {
            "households": Household.objects.filter(user=request.user).select_related("community"),
            "form": form,
            "next": next_url,
            "active_tab": "households",
            "page_title": _("My homes"),
        },
    )


@login_required
@require_POST
def household_default(request, pk):
    """Make one of my homes the default address for booking."""
    household_set_default(household=_own_household(request, pk))
    messages.success(request, _("Default address changed."))
    return redirect("bookings:households")
