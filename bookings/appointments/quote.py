"""The price of a booking: decided in exactly one place, ``service_quote``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from bookings.exceptions import BookingError, PriceNotPublished, ServiceNotOfferedHere
from cms.pricing import PriceNotOnBoard, published_board_price
from marketplace.partner.strategy import CommunityStrategy


@dataclass(frozen=True)
class Quote:
    """A priced service: its community StockRecord, the amount (yuan ``Decimal``, incl. tax),
    the fee-board revision that lists that amount, and the pricing Strategy's price."""

    stockrecord: object
    amount: Decimal
    board_revision_id: int | None = None
    price: object = None  # the pricing Strategy's price (incl./excl. tax, currency)


def service_quote(*, community, product) -> Quote:
    """The price a resident of ``community`` pays for ``product``: the one place it is decided.

    The community's StockRecord through the pricing Strategy, and only if that price is on the
    community's published fee board (``cms.pricing.published_board_price``): a price not on the
    board is refused before anything is written, and the board revision that justified it is
    recorded on the appointment. Raises ``ServiceNotOfferedHere`` (no price in the community)
    or ``PriceNotPublished`` (the price is not on the published board).
    """
    info = CommunityStrategy(community=community).fetch_for_product(product)
    if info.stockrecord is None or not info.price.exists:
        raise ServiceNotOfferedHere(
            _("%(service)s is not offered in %(community)s.")
            % {"service": product.get_title(), "community": community.display_name}
        )
    try:
        board = published_board_price(
            community=community, product=product, stockrecord=info.stockrecord
        )
    except PriceNotOnBoard as exc:
        raise PriceNotPublished(str(exc)) from exc
    return Quote(
        stockrecord=info.stockrecord,
        amount=board.amount,
        board_revision_id=board.revision_id,
        price=info.price,
    )


def check_line_price(line_price: Decimal, quote: Quote, product) -> None:
    """Refuse a line (basket line, Strategy price) whose price is not the quote's amount.

    Raises ``BookingError`` saying the new price, so the resident reviews it and books again.
    """
    if line_price != quote.amount:
        raise BookingError(
            _("The price of %(service)s has changed to %(price)s. Please review it and book again.")
            % {"service": product.get_title(), "price": f"¥{quote.amount}"}
        )
