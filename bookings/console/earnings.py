"""Earnings in the console: captured minus refunded card payments, per worker and period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.console.errors import ConsoleError
from bookings.models import Appointment, Worker
from marketplace.csv_export import csv_text
from marketplace.policy import LOCAL_TZ
from payments.models import PaymentIntentRecord

Status = Appointment.Status

#: The periods earnings are summed by.
PERIODS = ("day", "week", "month")


@dataclass
class EarningsRow:
    """One worker's money in one period (yuan Decimals): captured, refunded and their net."""

    period: date
    worker: Worker
    jobs: int = 0
    captured: Decimal = Decimal("0.00")
    refunded: Decimal = Decimal("0.00")

    @property
    def net(self) -> Decimal:
        """Captured minus refunded, in yuan."""
        return self.captured - self.refunded


def _period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def earnings(*, provider, start: date, end: date, period: str = "week") -> list[EarningsRow]:
    """Captured minus refunded card payments of the provider's jobs from ``start`` to ``end``
    (local dates, inclusive), per worker and per period of the job's date.

    A payment belongs to an order; an order of several jobs is shared between them in
    proportion to what each was charged (its price when completed, plus fees due).
    ``period`` is one of ``PERIODS``; raises ``ConsoleError`` for another.
    """
    if period not in PERIODS:
        raise ConsoleError(_("Unknown period."))
    lo = datetime.combine(start, time(0), tzinfo=LOCAL_TZ)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    appointments = list(
        Appointment.objects.filter(
            worker__provider=provider,
            start__gte=lo,
            start__lt=hi,
            order__stripe_intents__isnull=False,
        )
        .distinct()
        .select_related("worker__user")
    )
    order_ids = {a.order_id for a in appointments}
    weights: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for pk, order_id, status, price, fees in Appointment.objects.filter(
        order_id__in=order_ids
    ).values_list("pk", "order_id", "status", "price", "fees_due"):
        weights[order_id][pk] = (price if status == Status.COMPLETED else Decimal(0)) + fees
    money: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for order_id, captured, refunded in PaymentIntentRecord.objects.filter(
        order_id__in=order_ids, amount_captured__gt=0
    ).values_list("order_id", "amount_captured", "amount_refunded"):
        c, r = money[order_id]
        money[order_id] = (c + captured, r + refunded)

    rows: dict[tuple[date, int], EarningsRow] = {}
    for a in appointments:
        captured, refunded = money.get(a.order_id, (Decimal(0), Decimal(0)))
        total_weight = sum(weights[a.order_id].values())
        share = weights[a.order_id].get(a.pk, Decimal(0))
        if not captured or not total_weight or not share:
            continue
        fraction = share / total_weight
        key = (_period_start(timezone.localtime(a.start).date(), period), a.worker_id)
        row = rows.setdefault(key, EarningsRow(period=key[0], worker=a.worker))
        row.jobs += a.status == Status.COMPLETED
        row.captured += (captured * fraction).quantize(Decimal("0.01"))
        row.refunded += (refunded * fraction).quantize(Decimal("0.01"))
    return sorted(rows.values(), key=lambda r: (r.period, r.worker.pk))


def earnings_csv(rows: list[EarningsRow], *, period: str) -> str:
    """The earnings table as CSV text (a BOM first, so Excel reads Chinese), through
    ``marketplace.csv_export``: a worker's name that would start a formula is written with
    ``'`` in front; the amounts are Decimals (yuan, two places), so numbers, a negative net
    included."""
    labels = {"day": _("day"), "week": _("week"), "month": _("month")}
    header = [
        _("Period starting"),
        _("Period"),
        _("Worker"),
        _("Jobs completed"),
        _("Captured (CNY)"),
        _("Refunded (CNY)"),
        _("Net (CNY)"),
    ]
    cents = Decimal("0.01")
    return csv_text(
        (
            [
                row.period.isoformat(),
                labels[period],
                row.worker.display_name,
                int(row.jobs),
                row.captured.quantize(cents),
                row.refunded.quantize(cents),
                row.net.quantize(cents),
            ]
            for row in rows
        ),
        header=header,
    )
