"""The packages of prepaid visits a community's live fee board publishes (issue 18).

The price gate of ``cms/pricing.py`` for packages: a package is sold only at the price of a
``PackageOffer`` row inside the board's **live revision**. The rows of a live page are the
published revision's, but a row is trusted only when the live revision lists the same package
(service, visits, minutes, price, validity, name); the amount charged is the revision's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from wagtail.models import Revision

from cms.models import FeeBoardPage, PackageOffer
from cms.pricing import PriceNotOnBoard, published_board_price


@dataclass(frozen=True)
class BoardPackage:
    """A package as the live board publishes it: ``price`` in yuan, ``valid_for`` from the
    purchase, ``offer`` its board row (names, refund policy), ``revision_id`` the proof."""

    offer: PackageOffer
    price: Decimal
    visits: int
    minutes: int
    valid_for: timedelta
    revision_id: int


def live_package_offers(community_id: int) -> list[PackageOffer]:
    """The package rows of the community's live board, in board order ([] without a board)."""
    return list(
        PackageOffer.objects.filter(board__community_id=community_id, board__live=True)
        .select_related("product", "board")
        .order_by("sort_order", "pk")
    )


def _revision_rows(revision_id: int) -> list[dict]:
    content = Revision.objects.filter(pk=revision_id).values_list("content", flat=True).first()
    if isinstance(content, str):
        content = json.loads(content)
    rows = (content or {}).get("package_offers") or []
    return rows if isinstance(rows, list) else []


def _same(row: dict, offer: PackageOffer) -> bool:
    try:
        price = Decimal(str(row.get("price")))
    except (InvalidOperation, TypeError, ValueError):
        return False
    return (
        row.get("product") == offer.product_id
        and row.get("visits") == offer.visits
        and row.get("minutes") == offer.minutes
        and row.get("valid_days") == offer.valid_days
        and row.get("name") == offer.name
        and price == offer.price
    )


def published_package_offer(*, community, offer_id) -> BoardPackage:
    """The package ``offer_id`` (a ``PackageOffer`` pk) as the live board of ``community``
    publishes it. Raises ``PriceNotOnBoard`` when the community has no live board, the
    package is not on it (another community's package, a withdrawn one), or the service it
    covers is not on sale there."""
    board = (
        FeeBoardPage.objects.filter(community_id=community.pk, live=True)
        .values_list("pk", "live_revision_id")
        .first()
    )
    if board is None or board[1] is None:
        raise PriceNotOnBoard(community, "no_board")
    try:
        offer = PackageOffer.objects.select_related("product").get(pk=int(offer_id))
    except (PackageOffer.DoesNotExist, TypeError, ValueError):
        raise PriceNotOnBoard(community, "not_listed") from None
    if offer.board_id != board[0]:
        raise PriceNotOnBoard(community, "not_listed")
    row = next((r for r in _revision_rows(board[1]) if _same(r, offer)), None)
    if row is None:
        raise PriceNotOnBoard(community, "not_listed")
    published_board_price(community=community, product=offer.product)  # the service is on sale
    return BoardPackage(
        offer=offer,
        price=Decimal(str(row["price"])),
        visits=offer.visits,
        minutes=offer.minutes,
        valid_for=timedelta(days=offer.valid_days),
        revision_id=board[1],
    )
