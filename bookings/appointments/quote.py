"""The price of a booking: decided in exactly one place, ``service_quote``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from bookings.exceptions import BookingError, PriceNotPublished, ServiceNotOfferedHere
from cms.pricing import PriceNotOnBoard
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

    The community's StockRecord through the pricing Strategy, at the price the community's
    published fee board lists for it (``CommunityStrategy.board_price``, the price gate of
    ``cms.pricing``): a service not on the board is refused before anything is written, a
    provider's unpublished proposal is not charged, and the board revision that justified the
    price is recorded on the appointment. Raises ``ServiceNotOfferedHere`` (no StockRecord in
    the community) or ``PriceNotPublished`` (not on the published board).
    """
    strategy = CommunityStrategy(community=community)
    info = strategy.fetch_for_product(product)
    if info.stockrecord is None:
        raise ServiceNotOfferedHere(
            _("%(service)s is not offered in %(community)s.")
            % {"service": product.get_title(), "community": community.display_name}
        )
    try:
        board = strategy.board_price(product, info.stockrecord)
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


def check_charges(*, charged: list[Decimal], quotes: list[Quote], products, total: Decimal) -> None:
    """Refuse an order unless what it charges is exactly what the board publishes.

    ``charged`` is each line's amount after every discount (yuan, one appointment per line),
    ``quotes`` the board's price for each line and ``total`` the order's total (incl. any
    surcharge or shipping). The rule (2020 national notice §19: no fee other than those
    publicised) is about the amount charged, so a discount, a surcharge or a rounding that
    moves a line or the total off the board is refused like a changed price. Raises
    ``BookingError`` naming the service (or the total) and the board's amount.
    """
    for amount, quote, product in zip(charged, quotes, products, strict=True):
        if amount != quote.amount:
            raise BookingError(
                _(
                    "%(service)s would be charged %(charged)s, but the published fee board "
                    "says %(price)s. Nothing was booked."
                )
                % {
                    "service": product.get_title(),
                    "charged": f"¥{amount}",
                    "price": f"¥{quote.amount}",
                }
            )
    published = sum((q.amount for q in quotes), Decimal("0.00"))
    if total != published:
        raise BookingError(
            _(
                "This order would be charged %(charged)s, but the published fee board says "
                "%(price)s. Nothing was booked."
            )
            % {"charged": f"¥{total}", "price": f"¥{published}"}
        )
