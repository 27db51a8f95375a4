"""Prices in the console: a manager proposes, the enterprise publishes.

A proposed price is saved on the StockRecord at once; the fee-board signal turns it into a draft
board revision. Until the enterprise publishes it the service stays on sale at the published
price (the pricing Strategy and the price gate read the live board, ``cms.pricing``): a price
can be charged only if it is on the published board, and a proposal never takes a service off
sale.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from bookings.console.errors import ConsoleError
from cms.models import FeeBoardPage
from cms.pricing import live_board_snapshot
from marketplace.partner.models import StockRecord


@transaction.atomic
def price_propose(*, stockrecord, price: Decimal, by=None):
    """Propose a new price for one service in one community.

    The StockRecord is saved with the new price; the fee-board signal
    (``cms.signals.stockrecord_changed``) turns it into a draft board revision awaiting the
    enterprise's publication; until then residents book and pay the published price.
    Returns the draft revision (None when the community has no board yet). ``price`` is in
    yuan; raises ``ConsoleError`` for a price of zero or less, or the price it already has.
    """
    price = Decimal(price).quantize(Decimal("0.01"))
    if price <= 0:
        raise ConsoleError(_("The price must be more than ¥0."))
    # Why: two managers proposing at once queue here; each draft snapshots the latest price.
    locked = StockRecord.objects.select_for_update().get(pk=stockrecord.pk)
    if locked.price == price:
        raise ConsoleError(_("That is already the price."))
    locked.price = price
    locked.save(update_fields=["price", "date_updated"])
    board = FeeBoardPage.objects.filter(community_id=locked.community_id).first()
    return board.get_latest_revision() if board is not None else None


def price_status(stockrecords) -> dict[int, Decimal | None]:
    """For each StockRecord, the price on the community's published board (None if absent):
    ``{stockrecord pk: yuan Decimal or None}``, one board read per community."""
    published: dict[int, Decimal | None] = {}
    boards: dict[int, list] = {}
    for record in stockrecords:
        if record.community_id not in boards:
            live = live_board_snapshot(record.community_id)
            boards[record.community_id] = live[2] if live else []
        entry = next(
            (s for s in boards[record.community_id] if s.get("product_id") == record.product_id),
            None,
        )
        published[record.pk] = Decimal(str(entry["price"])) if entry else None
    return published


def price_rows(provider) -> list[tuple[StockRecord, Decimal | None]]:
    """The provider's prices by community and service, each with the price on the community's
    published board: ``[(stockrecord, published yuan or None), ...]``."""
    records = list(
        StockRecord.objects.filter(partner=provider)
        .select_related("product", "community")
        .order_by("community__name", "product__title")
    )
    published = price_status(records)
    return [(r, published.get(r.pk)) for r in records]
