"""Who changed a price, and when: the history of StockRecords (django-simple-history).

Every save of a ``StockRecord`` (Oscar's dashboard, the provider console, Django's admin, the
shell) writes a historical row with the user of the request that made it
(``HistoryRequestMiddleware``); ``price_changes`` reads them back as one line per change of
price, for the staff page ``/cms/prices/history/`` (``marketplace/wagtail_hooks.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from oscar.core.loading import get_model

from marketplace.staff import staff_enterprise_ids

#: The most lines the staff page shows (the newest first).
PRICE_CHANGES_SHOWN = 200


@dataclass(frozen=True)
class PriceChange:
    """One change of one price. ``old``/``new`` are yuan ``Decimal`` (``None``: no price, i.e.
    the price was created or deleted); ``when`` is aware UTC; ``who`` the user or ``None`` (a
    change made outside a request: a task, a migration, the shell)."""

    when: datetime
    who: object | None
    kind: str  # "+" created, "~" changed, "-" deleted (django-simple-history's history_type)
    stockrecord_id: int
    service: str
    community: str
    provider: str
    old: Decimal | None
    new: Decimal | None


def price_changes(*, user, community_id: int | None = None) -> list[PriceChange]:
    """The newest ``PRICE_CHANGES_SHOWN`` changes of price that ``user`` may see, newest first.

    Platform staff see every enterprise's prices; enterprise staff those of their enterprises'
    communities (``marketplace.staff``); anyone else nothing. ``community_id`` narrows to one
    community. A save that left the price as it was is not a change and is not listed.
    """
    StockRecord = get_model("partner", "StockRecord")
    History = StockRecord.history.model
    rows = History.objects.select_related("history_user", "product", "community", "partner")
    enterprises = staff_enterprise_ids(user)
    if enterprises is not None:
        rows = rows.filter(community__enterprise_id__in=enterprises)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    changes: list[PriceChange] = []
    previous: dict[int, Decimal | None] = {}
    for row in rows.order_by("id", "history_date", "history_id"):
        old = previous.get(row.id)
        new = None if row.history_type == "-" else row.price
        previous[row.id] = new
        if row.history_type == "~" and old == new:
            continue
        changes.append(
            PriceChange(
                when=row.history_date,
                who=row.history_user,
                kind=row.history_type,
                stockrecord_id=row.id,
                service=str(row.product) if row.product_id else "",
                community=str(row.community) if row.community_id else "",
                provider=str(row.partner) if row.partner_id else "",
                old=old,
                new=new,
            )
        )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:PRICE_CHANGES_SHOWN]
