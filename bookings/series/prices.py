"""A price change between the visits of a series (issue 18).

Each visit is charged the price on the board published when its card is authorised, and the
resident is told of a new price before any visit is charged at it. Both hold because this one
service does both, in order: it reads the live board's price of each active series; on a
change it re-prices the coming visits whose authorisation is still scheduled (never one
already authorised: that one keeps the price it was booked and authorised at) and tells the
resident, with the right to end the series without any fee (``Series.price_changed_at``, read
by ``series_end``). The amount of a scheduled authorisation is only ever moved from SCHEDULED
by a conditional UPDATE, so a visit authorised meanwhile is left as it is. Yuan ``Decimal``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.order.models import Line, LinePrice, Order

from bookings.models import Appointment, Series
from bookings.series.notices import series_tell
from cms.pricing import PriceNotOnBoard, published_board_price
from marketplace.policy import LOCAL_TZ
from payments.models import PaymentIntentRecord

IntentStatus = PaymentIntentRecord.Status


def series_price_now(series: Series) -> Decimal | None:
    """The live board's price (yuan) of the series' service in its community, or None when
    it is not on the board (then nothing is booked either)."""
    try:
        return published_board_price(
            community=series.household.community, product=series.product
        ).amount
    except PriceNotOnBoard:
        return None


def _reprice_coming(series: Series, price: Decimal, now: datetime) -> list[Appointment]:
    """Move the coming visits whose authorisation is still scheduled to ``price``; returns
    them (the others were authorised already and keep their price)."""
    moved = []
    coming = Appointment.objects.filter(series=series, start__gt=now).filter(
        status__in=Appointment.ACTIVE
    )
    for appointment in coming.order_by("start"):
        with transaction.atomic():
            changed = PaymentIntentRecord.objects.filter(
                order_id=appointment.order_id, status=IntentStatus.SCHEDULED
            ).update(amount=price)
            if not changed:
                continue
            Order.objects.filter(pk=appointment.order_id).update(
                total_incl_tax=price, total_excl_tax=price
            )
            Line.objects.filter(order_id=appointment.order_id).update(
                line_price_incl_tax=price,
                line_price_excl_tax=price,
                line_price_before_discounts_incl_tax=price,
                line_price_before_discounts_excl_tax=price,
                unit_price_incl_tax=price,
                unit_price_excl_tax=price,
            )
            LinePrice.objects.filter(order_id=appointment.order_id).update(
                price_incl_tax=price, price_excl_tax=price
            )
        moved.append(appointment)
    return moved


def series_price_check(*, now: datetime | None = None) -> int:
    """Beat (hourly, before the 48-hour authorisations reach a re-priced visit): for each
    active series whose board price differs from the price it was told, re-price its coming
    scheduled visits and tell the resident (old and new price, from which visit, and that
    ending the series is free). Returns how many series were told. Safe to run twice: the
    told price moves by a conditional UPDATE, so one change is told once."""
    now = now or timezone.now()
    told = 0
    active = Series.objects.filter(status=Series.Status.ACTIVE).select_related(
        "household__community", "product", "resident"
    )
    for series in active:
        price = series_price_now(series)
        if price is None or price == series.price_told:
            continue
        old = series.price_told
        if not Series.objects.filter(pk=series.pk, price_told=old).update(
            price_told=price, price_changed_at=now if old is not None else None
        ):
            continue  # another run told it
        if old is None:
            continue  # a series from before prices were recorded: nothing to compare
        moved = _reprice_coming(series, price, now)
        first = moved[0].start.astimezone(LOCAL_TZ) if moved else None
        told += 1

        def body(series=series, old=old, price=price, first=first):
            text = _(
                "The price of “%(summary)s” on your community's fee board changed from "
                "%(old)s to %(new)s yuan."
            ) % {"summary": series.display_summary, "old": old, "new": price}
            if first is not None:
                text += " " + _("Visits from %(when)s are charged the new price.") % {
                    "when": f"{first:%Y-%m-%d %H:%M}"
                }
            return text + " " + _("You may end the series without any fee.")

        series_tell(
            series.resident,
            subject=lambda: _("Your regular visits: new price"),
            body=body,
        )
    return told
