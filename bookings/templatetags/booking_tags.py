"""Formatting helpers of the booking pages. They take data computed by the views
(``bookings.residents.service_page``) and only write markup."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from bookings.appointments import orders
from marketplace.policy import LOCAL_TZ

register = template.Library()


@register.filter
def line_slot(line):
    """The slot start of an Oscar basket or order line (local time), or None."""
    return orders.line_slot(line)


# Oscar's order statuses (settings.OSCAR_ORDER_STATUS_PIPELINE) are stored in English; they
# are translated when shown. gettext_noop marks them for the catalogue.
ORDER_STATUSES = (
    gettext_noop("Pending"),
    gettext_noop("Confirmed"),
    gettext_noop("In progress"),
    gettext_noop("Completed"),
    gettext_noop("Cancelled"),
)


@register.filter
def order_status(status: str) -> str:
    """An Oscar order status (stored in English) in the active language."""
    return gettext(status) if status in ORDER_STATUSES else status


@register.filter
def line_text(line) -> str:
    """An order or basket line as a resident reads it: the service's name in the active
    language and, for a booked slot, its local date and time ("日常保洁（2 小时） · 12月1日
    星期二 10:00"), never Oscar's "title (option = 'ISO time')"."""
    product = getattr(line, "product", None)
    title = product.get_title() if product is not None else line.title
    start = orders.line_slot(line)
    if start is None:
        return title
    local = timezone.localtime(start, LOCAL_TZ)
    when = f"{date_format(local, 'MONTH_DAY_FORMAT')} {date_format(local, 'l')} {local:%H:%M}"
    return f"{title} · {when}"


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or None (also for no mapping)."""
    return (mapping or {}).get(key)


@register.simple_tag(takes_context=True)
def slot_buttons(context) -> str:
    """The slot forms of one day (``bookings/partials/slot_buttons.html``), built in Python.

    Context: ``slots``, ``action`` (URL), ``product`` (optional: sent along for booking),
    ``chosen`` (aware start or None), ``nonce`` (the page view's booking key prefix, computed by
    the view: ``bookings.residents.service_page.booking_nonce``).

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
    nonce = context.get("nonce") or ""
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
