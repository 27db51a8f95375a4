"""Formatting helpers of the booking pages. They take data computed by the views
(``bookings.residents.service_page``) and only write markup."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
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


# --- slots ---------------------------------------------------------------------------------
# A service page shows about a hundred free times, three times over (the buttons, the basket's
# and the package's lists): the markup is written here in Python, not by templates, and every
# per-slot part is either an ISO time, a clock ("09:30") or a label escaped once per day.


@register.simple_tag(takes_context=True)
def slot_days(context) -> str:
    """The free slots grouped by day (``bookings/partials/slot_days.html``): per day a
    ``<section data-date>`` with its heading and its ``slot_buttons``, or a line saying there
    are none. Context: ``slot_days`` ([(local date, [Slot])]) and ``slot_buttons``' context."""
    groups = context.get("slot_days") or []
    if not groups:
        return format_html(
            '<p class="text-muted">{}</p>',
            gettext("No free times in the next 30 days. Please check again later."),
        )
    sections = []
    for day, slots in groups:
        label = escape(date_format(day, "MONTH_DAY_FORMAT"))
        weekday = escape(date_format(day, "l"))
        sections.append(
            f'<section class="mb-2 linli-slot-day" aria-label="{label}" data-date="'
            f'{day.isoformat()}">\n<h3 class="h6 mb-2">{label} <span class="text-muted">'
            f"{weekday}</span></h3>\n{_slot_forms(context, slots)}\n</section>"
        )
    return mark_safe("\n".join(sections))  # noqa: S308 - every part above is escaped or ISO


@register.simple_tag(takes_context=True)
def slot_buttons(context) -> str:
    """The slot forms of one day (``bookings/partials/slot_buttons.html``).

    Context: ``slots``, ``action`` (URL), ``product`` (optional: sent along for booking),
    ``chosen`` (aware start or None), ``nonce`` (the page view's booking key prefix, computed by
    the view: ``bookings.residents.service_page.booking_nonce``), ``method`` ("get": a
    visitor's forms, which carry neither token nor key: ``bookings:login-to-book``)."""
    return _slot_forms(context, context.get("slots") or [])


def _slot_forms(context, slots) -> str:
    """One complete form per slot (one click books it), in a ``div.linli-slots``."""
    if not slots:
        return mark_safe('<div class="linli-slots d-flex flex-wrap"></div>')
    action, product, chosen = (
        context.get("action", ""),
        context.get("product"),
        context.get("chosen"),
    )
    visitor = context.get("method") == "get"
    token = "" if visitor else str(context.get("csrf_token") or "")
    head = format_html(
        '<form method="{}" action="{}" class="mr-2 mb-2">', "get" if visitor else "post", action
    )
    if token and token != "NOTPROVIDED":
        head += format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    if product:
        head += format_html('<input type="hidden" name="product" value="{}">', product.pk)
    prefix = escape(context.get("nonce") or "")
    # "Book %(day)s %(time)s", escaped once: escaping is per character, so the escaped pattern
    # filled with an escaped day and a clock is the escaped title.
    book = escape(gettext("Book %(day)s %(time)s"))
    titles: dict = {}
    forms = []
    for slot in slots:
        local = slot.local_start
        iso = local.isoformat()
        clock = f"{local.hour:02d}:{local.minute:02d}"
        day = titles.get(local.date())
        if day is None:
            day = titles[local.date()] = escape(date_format(local, "MONTH_DAY_FORMAT"))
        active = " active" if chosen and chosen == slot.start else ""
        title = book % {"day": day, "time": clock}
        key = "" if visitor else f'<input type="hidden" name="key" value="{prefix}:{iso}">'
        forms.append(
            f'{head}<input type="hidden" name="start" value="{iso}">{key}'
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
    options = []
    for slot in slots:
        local = slot.local_start
        day = days.get(local.date())
        if day is None:
            day = days[local.date()] = escape(date_format(local, "MONTH_DAY_FORMAT"))
        options.append(
            f'<option value="{local.isoformat()}">{day} {local.hour:02d}:{local.minute:02d}'
            "</option>"
        )
    return mark_safe("".join(options))  # noqa: S308 - an escaped label, ISO times and clocks
