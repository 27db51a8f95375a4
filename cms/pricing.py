"""The price gate: a price is chargeable only if it is on the community's published fee board.

Policy (2020 national notice §19; Hubei's 四公开): an enterprise "shall not charge fees other
than those publicised". So every booking and checkout line asks :func:`published_board_price`
for its price; the answer comes from the snapshot of life services stored in the **live
revision** of the community's :class:`cms.models.FeeBoardPage`, never from the catalogue.

The amount charged is the published one. A StockRecord whose price differs from the snapshot
holds a proposal (a provider's new price, a draft board revision awaiting publication): the
service stays on sale at the published price until the enterprise publishes the new one. A
service the live board does not list, or lists for another provider's StockRecord, raises
:class:`PriceNotOnBoard`; the caller must create nothing. The function costs one query: which
revision is live. Its decoded snapshot is kept per process (``live_board_snapshot``), the
first use of a revision costing one query more; :func:`board_price_in` reads an already
fetched snapshot with no query (the pricing Strategy fetches it once per request).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from wagtail.models import Revision

from cms.models import FeeBoardPage
from marketplace.partner.models import StockRecord


@dataclass(frozen=True)
class BoardPrice:
    """A price found on the live fee board: ``amount`` in yuan and where it was published."""

    amount: Decimal
    revision_id: int  # the published Wagtail revision that lists this price
    board_id: int


class PriceNotOnBoard(Exception):
    """The price is not on the community's published fee board. ``str(exc)`` is for residents."""

    def __init__(self, community, reason: str = ""):
        self.community = community
        self.reason = reason  # for logs and tests: no_board, not_listed, other_provider
        name = getattr(community, "display_name", None) or str(community)
        super().__init__(
            gettext(
                "This price is not on the published fee board of %(community)s; it becomes "
                "bookable when the enterprise publishes it."
            )
            % {"community": name}
        )


#: Decoded snapshots of published revisions, by (revision id, creation time). A revision's
#: content never changes once written, so an entry can never be stale; the key's time guards
#: against a database that reuses ids (SQLite after a rollback). Per process, bounded.
_SNAPSHOTS: OrderedDict[tuple, tuple[dict, ...]] = OrderedDict()
_SNAPSHOTS_KEPT = 512


def live_board_snapshot(community_id: int) -> tuple[int, int, tuple[dict, ...]] | None:
    """(board id, live revision id, life services) of the community's live board, or None.

    One small query: which revision is live now, always read from the database. Its
    snapshot is read from the revision's stored content (a second query) the first time this
    process needs it, then kept: decoding a whole board's content on every booking and every
    service page was a fifth of their cost. What is chargeable is exactly what was published.
    """
    row = (
        FeeBoardPage.objects.filter(
            community_id=community_id, live=True, live_revision__isnull=False
        )
        .values_list("pk", "live_revision_id", "live_revision__created_at")
        .first()
    )
    if row is None:
        return None
    board_id, revision_id, created = row
    key = (revision_id, created)
    services = _SNAPSHOTS.get(key)
    if services is None:
        services = _SNAPSHOTS[key] = _revision_services(revision_id)
        while len(_SNAPSHOTS) > _SNAPSHOTS_KEPT:
            _SNAPSHOTS.popitem(last=False)
    return board_id, revision_id, services


def _revision_services(revision_id: int) -> tuple[dict, ...]:
    content = Revision.objects.filter(pk=revision_id).values_list("content", flat=True).first()
    if isinstance(content, str):
        content = json.loads(content)
    services = (content or {}).get("life_services") or []
    if isinstance(services, str):
        services = json.loads(services)
    return tuple(services)


def _as_decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def published_board_price(*, community, product, stockrecord=None) -> BoardPrice:
    """The price of ``product`` on the live fee board of ``community`` (yuan, as charged).

    ``stockrecord`` is the community's StockRecord of ``product`` (looked up when not given).
    Raises :class:`PriceNotOnBoard` if the community has no live board, the service is not on
    it, or the board lists another StockRecord (another provider) for it. A pending price
    proposal on the StockRecord changes nothing here until it is published.
    """
    if community is None:
        raise PriceNotOnBoard(community, "no_board")
    live = live_board_snapshot(community.pk)
    if stockrecord is None:
        stockrecord = StockRecord.objects.filter(
            product_id=getattr(product, "pk", product), community_id=community.pk
        ).first()
    return board_price_in(live, community=community, product=product, stockrecord=stockrecord)


def board_price_in(live, *, community, product, stockrecord) -> BoardPrice:
    """:func:`published_board_price` on a snapshot already read (``live_board_snapshot``'s
    answer, or None for no live board): no query. Raises :class:`PriceNotOnBoard`."""
    if live is None:
        raise PriceNotOnBoard(community, "no_board")
    board_id, revision_id, services = live
    product_id = getattr(product, "pk", product)
    entry = next((s for s in services if s.get("product_id") == product_id), None)
    if entry is None or stockrecord is None:
        raise PriceNotOnBoard(community, "not_listed")
    published = _as_decimal(entry.get("price"))
    if published is None:
        raise PriceNotOnBoard(community, "not_listed")
    if stockrecord.community_id != community.pk or stockrecord.product_id != product_id:
        raise PriceNotOnBoard(community, "not_listed")
    listed_record = entry.get("stockrecord_id")
    if listed_record is not None and listed_record != stockrecord.pk:
        # The board published another StockRecord's price (another provider's offer).
        raise PriceNotOnBoard(community, "other_provider")
    return BoardPrice(amount=published, revision_id=revision_id, board_id=board_id)
