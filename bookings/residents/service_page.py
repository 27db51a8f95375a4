"""What a service page shows: the price in the visitor's community and the next free times.

``service_booking`` is computed once per page view by the catalogue's ``ProductDetailView``
(``marketplace.catalogue.views``) and rendered by ``bookings/partials/service_panel.html``;
``service_slot_search`` answers the slot picker's JSON for another date range.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments.payment import PaymentPlan, payment_plan
from bookings.appointments.quote import Quote, service_quote
from bookings.availability.search import (
    ServiceTerms,
    Slot,
    available_slots,
    group_by_day,
    service_terms,
)
from bookings.availability.window import local_day_bounds, parse_start
from bookings.exceptions import BookingError
from marketplace.bad_input import DATE_OUT_OF_REACH, within_reach
from marketplace.cache import request_version
from marketplace.catalogue.listing_cache import CATALOGUE_VERSION_KEY
from marketplace.community import current_community
from marketplace.policy import DATE_REACH, DAYS_SHOWN, MAX_PICKER_DAYS


def booking_nonce(request) -> str:
    """One random value per page view (hex), the same however often it is asked for.

    A booking form sends ``<nonce>:<start>`` as its key, so a double click (or a resubmitted
    form) is recognised and never pays twice."""
    if request is None:
        return uuid.uuid4().hex
    if not hasattr(request, "_linli_booking_nonce"):
        request._linli_booking_nonce = uuid.uuid4().hex
    return request._linli_booking_nonce


@dataclass
class ServiceBooking:
    """The service page's booking panel.

    ``community`` is the visitor's (None: they have not chosen one, and see neither price nor
    times); ``quote`` the price there, or ``refusal`` why it cannot be booked there;
    ``slot_days`` the next ``DAYS_SHOWN`` days with free ``slots``, as [(local date, [Slot])];
    ``chosen`` the start the visitor picked before being asked for their address (aware, or
    None); ``nonce`` the page view's booking key prefix (empty for a visitor, whose page is
    shared); ``payment`` how one click will take the payment (the saved card authorised, or
    after the service).
    """

    community: object = None
    quote: Quote | None = None
    refusal: str = ""
    duration_minutes: int = 0
    cancellation_fee: Decimal | None = None
    slot_days: list = field(default_factory=list)
    slots: list = field(default_factory=list)
    chosen: datetime | None = None
    nonce: str = ""
    payment: PaymentPlan = field(default_factory=PaymentPlan)
    #: The slot cache's versions the slots were read under (``{key: version}``): a stored copy
    #: of the page is stale once one moves on (``marketplace.page_cache``).
    versions: dict = field(default_factory=dict)


def service_booking(*, request, product) -> ServiceBooking:
    """The booking panel of ``product``'s page for this visitor (community from the request,
    ``?slot=`` the start they chose before adding an address). Never raises for a service
    that is not offered in the community: ``refusal`` says why."""
    terms = _page_terms(request, product)
    booking = ServiceBooking(
        community=current_community(request=request),
        duration_minutes=int(terms.duration.total_seconds() // 60),
        cancellation_fee=terms.cancellation_fee,
        # A visitor's page is shared (``marketplace.page_cache``): no per-view key in it.
        nonce=booking_nonce(request) if request.user.is_authenticated else "",
        payment=payment_plan(getattr(request, "user", None)),
    )
    if booking.community is None:
        return booking
    try:
        booking.quote = service_quote(community=booking.community, product=product)
    except BookingError as exc:
        booking.refusal = str(exc)
        return booking
    booking.slots = available_slots(
        product=product,
        stockrecord=booking.quote.stockrecord,
        community=booking.community,
        max_days=DAYS_SHOWN,
        duration=terms.duration,
        seen=booking.versions,
    )
    booking.slot_days = group_by_day(booking.slots)
    if request.GET.get("slot"):
        try:
            booking.chosen = parse_start(request.GET["slot"])
        except BookingError:
            booking.chosen = None
    return booking


def _page_terms(request, product) -> ServiceTerms:
    """``service_terms(product)`` kept in the cache under the catalogue version, which every
    change of a service's attributes moves on: a query saved on every view of the page."""
    key = f"linli:terms:{product.pk}:v{request_version(request, CATALOGUE_VERSION_KEY)}"
    terms = cache.get(key)
    if terms is None:
        terms = service_terms(product)
        cache.set(key, terms, 3600)
    return terms


@dataclass
class SlotSearch:
    """Free slots of a service in a community from ``first`` to ``last`` (local dates)."""

    first: date
    last: date
    slots: list[Slot]


def service_slot_search(*, product, community, first: str = "", last: str = "") -> SlotSearch:
    """The slot picker's search: ``first``/``last`` as sent (YYYY-MM-DD, empty for today and
    a week on), at most ``MAX_PICKER_DAYS`` days.

    Raises ``BookingError`` (HTTP 400) when the service has no bookable price in
    ``community``, a date is malformed or out of ``DATE_REACH``, or the range is reversed or
    too long."""
    quote = service_quote(community=community, product=product)
    try:
        first_day = date.fromisoformat(first) if first else None
        last_day = date.fromisoformat(last) if last else None
    except ValueError:
        raise BookingError(_("Dates are written YYYY-MM-DD.")) from None
    if any(day is not None and not within_reach(day) for day in (first_day, last_day)):
        raise BookingError(str(DATE_OUT_OF_REACH % {"years": DATE_REACH.days // 366}))
    first_day = first_day or timezone.localdate()
    last_day = last_day or first_day + timedelta(days=6)
    if last_day < first_day or (last_day - first_day).days >= MAX_PICKER_DAYS:
        raise BookingError(
            _("Ask for at most %(days)d days, from a date to a later one.")
            % {"days": MAX_PICKER_DAYS}
        )
    slots = available_slots(
        product=product,
        stockrecord=quote.stockrecord,
        community=community,
        start=local_day_bounds(first_day)[0],
        end=local_day_bounds(last_day)[1],
    )
    return SlotSearch(first=first_day, last=last_day, slots=slots)
