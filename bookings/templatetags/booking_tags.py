"""The service page's booking panel, computed once per page (Oscar's detail view stays as is)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from bookings import services
from bookings.exceptions import BookingError
from bookings.slots import available_slots, group_by_day, parse_start, service_terms
from marketplace.community import current_community
from marketplace.policy import DAYS_SHOWN

register = template.Library()

#: The service page shows this many days that have free slots; the picker reaches further.


@dataclass
class ServiceBooking:
    community: object = None
    quote: services.Quote | None = None
    refusal: str = ""
    duration_minutes: int = 0
    cancellation_fee: object = None
    slot_days: list = field(default_factory=list)
    slots: list = field(default_factory=list)
    chosen: object = None


@register.simple_tag(takes_context=True)
def service_booking(context, product) -> ServiceBooking:
    request = context["request"]
    terms = service_terms(product)
    booking = ServiceBooking(
        community=current_community(request=request),
        duration_minutes=int(terms.duration.total_seconds() // 60),
        cancellation_fee=terms.cancellation_fee,
    )
    if booking.community is None:
        return booking
    try:
        booking.quote = services.service_quote(community=booking.community, product=product)
    except BookingError as exc:
        booking.refusal = str(exc)
        return booking
    booking.slots = available_slots(
        product=product,
        stockrecord=booking.quote.stockrecord,
        community=booking.community,
        max_days=DAYS_SHOWN,
        duration=terms.duration,
    )
    booking.slot_days = group_by_day(booking.slots)
    if request.GET.get("slot"):
        try:
            booking.chosen = parse_start(request.GET["slot"])
        except BookingError:
            booking.chosen = None
    return booking


@register.filter
def line_slot(line):
    """The slot start of an Oscar basket or order line (local time), or None."""
    return services.line_slot(line)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag(takes_context=True)
def booking_nonce(context) -> str:
    """One random value per page view. A booking form sends ``<nonce>:<start>`` as its key, so a
    double click (or a resubmitted form) is recognised and never pays twice."""
    import uuid

    request = context.get("request")
    if request is None:
        return uuid.uuid4().hex
    if not hasattr(request, "_linli_booking_nonce"):
        request._linli_booking_nonce = uuid.uuid4().hex
    return request._linli_booking_nonce


@register.simple_tag(takes_context=True)
def slot_buttons(context) -> str:
    """The slot forms of one day (``bookings/partials/slot_buttons.html``), built in Python.

    Markup as a template would write it, at a tenth of the cost: a service page shows about a
    hundred slots, and the template version spent most of the page's time on them.
    """
    slots = context.get("slots") or []
    if not slots:
        return format_html('<div class="linli-slots d-flex flex-wrap"></div>')
    action, product, chosen = (
        context.get("action", ""),
        context.get("product"),
        context.get("chosen"),
    )
    token = str(context.get("csrf_token") or "")
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if token and token != "NOTPROVIDED"
        else ""
    )
    product_input = (
        format_html('<input type="hidden" name="product" value="{}">', product.pk)
        if product
        else ""
    )
    nonce = booking_nonce(context)
    # Escaped once per page, not once per slot: the per-slot parts are ISO times, the clock
    # and the (escaped) title; format_html for each of a hundred forms was most of the cost.
    head = format_html('<form method="post" action="{}" class="mr-2 mb-2">', action)
    head += csrf + product_input
    prefix = escape(nonce)
    book = gettext("Book %(day)s %(time)s")
    days: dict = {}
    forms = []
    for slot in slots:
        local = slot.local_start
        iso = local.isoformat()
        day = days.get(local.date())
        if day is None:
            day = days[local.date()] = date_format(local, "MONTH_DAY_FORMAT")
        clock = local.strftime("%H:%M")
        active = " active" if chosen and chosen == slot.start else ""
        title = escape(book % {"day": day, "time": clock})
        forms.append(
            f'{head}<input type="hidden" name="start" value="{iso}">'
            f'<input type="hidden" name="key" value="{prefix}:{iso}">'
            f'<button type="submit" class="btn btn-outline-primary btn-sm linli-slot{active}" '
            f'data-start="{iso}" title="{title}">{clock}</button></form>'
        )
    return mark_safe(  # noqa: S308 - every part above is escaped or an ISO time
        '<div class="linli-slots d-flex flex-wrap">' + "\n".join(forms) + "</div>"
    )


@register.simple_tag
def slot_options(slots) -> str:
    """``<option>`` per slot ("11月24日 09:00"), built in Python like ``slot_buttons``."""
    days: dict = {}

    def row(slot):
        local = slot.local_start
        if local.date() not in days:
            days[local.date()] = date_format(local, "MONTH_DAY_FORMAT")
        return local.isoformat(), days[local.date()], local.strftime("%H:%M")

    return format_html_join("", '<option value="{}">{} {}</option>', (row(s) for s in slots))
