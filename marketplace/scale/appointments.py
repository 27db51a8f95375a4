"""The benchmark dataset's appointments, each with its Oscar order and line."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from oscar.apps.order.models import Line, Order

from bookings.models import Appointment
from marketplace.policy import TRAVEL_BUFFER
from marketplace.scale.frame import BATCH, Say

#: How many days back the appointments start (the rest are coming days).
PAST_DAYS = 70
#: Appointments written per round of ``bulk_create`` (orders, lines, appointments).
CHUNK = 20_000

#: The Oscar order status of an appointment's order, by the appointment's status.
ORDER_STATUS = {
    "completed": "Completed",
    "cancelled": "Cancelled",
    "in_progress": "In progress",
    "confirmed": "Confirmed",
}


def local_tz() -> ZoneInfo:
    """The site's time zone (``TIME_ZONE``)."""
    return ZoneInfo(settings.TIME_ZONE)


def _plan(products: dict, workers: dict, residents: dict, total: int, *, rng) -> tuple:
    """Up to ``total`` appointments, one per worker per day from ``PAST_DAYS`` ago (at most
    ``days - 30``), each a random service of the worker's kind for a random resident of the
    community, starting on a half hour between 08:00 and an end by 19:00 local time. Returns
    ([(community idx, worker, product, stockrecord, minutes, start, user, household)], days)."""
    tz = local_tz()
    today = timezone.localdate()
    all_workers = [
        (c, k, w) for (c, k), ws in sorted(workers.items(), key=lambda kv: kv[0]) for w in ws
    ]
    days = max(1, -(-total // max(1, len(all_workers))))
    past_days = min(PAST_DAYS, max(0, days - 30))
    plan = []
    for offset in range(-past_days, days - past_days):
        day = today + timedelta(days=offset)
        for c, k, worker in all_workers:
            if len(plan) >= total:
                break
            choices = products.get((c, k))
            if not choices or not residents.get(c):
                continue
            product, record, minutes = rng.choice(choices)
            last_start = 19 * 60 - minutes  # end by 19:00, busy until 19:15 at most
            start_min = 8 * 60 + 30 * rng.randrange(0, (last_start - 8 * 60) // 30 + 1)
            start = datetime.combine(day, time(start_min // 60, start_min % 60), tzinfo=tz)
            user, household = rng.choice(residents[c])
            plan.append((c, worker, product, record, minutes, start, user, household))
    return plan, days


def _order(number: int, user, record, start, status: str) -> Order:
    """The Oscar order of an appointment (unsaved), placed two days before ``start``."""
    return Order(
        number=f"SC{number:08d}",
        user=user,
        currency="CNY",
        total_incl_tax=record.price,
        total_excl_tax=record.price,
        shipping_incl_tax=0,
        shipping_excl_tax=0,
        shipping_method="No shipping required",
        shipping_code="no-shipping-required",
        status=ORDER_STATUS[status],
        guest_email="",
        date_placed=start - timedelta(days=2),
    )


def _line(order: Order, product, record) -> Line:
    """The order's one line (unsaved): the service at its community price."""
    return Line(
        order=order,
        partner=record.partner,
        partner_name=record.partner.name,
        partner_sku=record.partner_sku,
        partner_line_reference="",
        partner_line_notes="",
        stockrecord=record,
        product=product,
        title=product.title,
        upc=product.upc,
        quantity=1,
        line_price_incl_tax=record.price,
        line_price_excl_tax=record.price,
        line_price_before_discounts_incl_tax=record.price,
        line_price_before_discounts_excl_tax=record.price,
        unit_price_incl_tax=record.price,
        unit_price_excl_tax=record.price,
        status=order.status,
        num_allocated=0,
    )


def appointments_create(
    world: dict, products: dict, workers: dict, residents: dict, total: int, *, rng, say: Say
) -> int:
    """Write up to ``total`` appointments (see ``_plan``) with their orders and lines: past ones
    completed (8 % cancelled), running ones in progress, coming ones confirmed. ``world`` is
    ``frame.world_create``'s, ``products``, ``workers`` and ``residents`` the other writers'.
    Returns how many were written."""
    now = timezone.now()
    plan, days = _plan(products, workers, residents, total, rng=rng)
    say(f"planned {len(plan)} appointments over {days} days")

    def status_of(start, end):
        if end <= now:
            return "completed" if rng.random() > 0.08 else "cancelled"
        if start <= now:
            return "in_progress"
        return "confirmed"

    created = 0
    for chunk_start in range(0, len(plan), CHUNK):
        chunk = plan[chunk_start : chunk_start + CHUNK]
        statuses = []
        orders = []
        for n, (_c, _w, _p, record, minutes, start, user, _h) in enumerate(chunk):
            status = status_of(start, start + timedelta(minutes=minutes))
            statuses.append(status)
            orders.append(_order(chunk_start + n + 1, user, record, start, status))
        orders = Order.objects.bulk_create(orders, batch_size=BATCH)
        lines = Line.objects.bulk_create(
            (
                _line(order, product, record)
                for order, (_c, _w, product, record, *_rest) in zip(orders, chunk, strict=True)
            ),
            batch_size=BATCH,
        )
        Appointment.objects.bulk_create(
            (
                Appointment(
                    resident=user,
                    household=household,
                    community_id=household.community_id,
                    product=product,
                    stockrecord=record,
                    order=order,
                    line=line,
                    worker=worker,
                    start=start,
                    end=start + timedelta(minutes=minutes),
                    busy_until=start + timedelta(minutes=minutes) + TRAVEL_BUFFER,
                    status=status,
                    price=record.price,
                    cancellation_fee=Decimal("20.00"),
                )
                for (
                    _c,
                    worker,
                    product,
                    record,
                    minutes,
                    start,
                    user,
                    household,
                ), order, line, status in zip(chunk, orders, lines, statuses, strict=True)
            ),
            batch_size=BATCH,
        )
        created += len(chunk)
        say(f"{created} appointments with orders and lines")
    return created
