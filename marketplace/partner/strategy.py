"""Community pricing: the price a resident sees and pays is the one on their community's
published fee board, for the StockRecord of their community.

The community comes from the resident's default household, or, for a visitor, from the
community chosen in the header (kept in the session). A service with no StockRecord in that
community is "not available in <community>" and never shown with another community's price.
The amount is the live board's (``cms.pricing``, the price gate): a provider's proposal saved
on the StockRecord is not charged, nor shown, until the enterprise publishes it, and a service
the live board does not list is unavailable. Prices in CNY are tax-inclusive retail prices, so
no tax is added.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from oscar.apps.partner import availability, prices, strategy

from cms.pricing import BoardPrice, PriceNotOnBoard, board_price_in, live_board_snapshot
from marketplace.community import current_community

_FROM_REQUEST = object()


class NotOfferedHere(availability.Unavailable):
    """Oscar availability: not sold in this community (or no community chosen yet)."""

    def __init__(self, community):
        if community is None:
            self.message = _("Choose your community to see the price")
        else:
            self.message = _("Not available in %(community)s") % {
                "community": community.display_name
            }


class NotOnBoard(availability.Unavailable):
    """Oscar availability: offered in the community but not on its published fee board."""

    def __init__(self, refusal: PriceNotOnBoard):
        self.message = str(refusal)


class CommunityStrategy(strategy.UseFirstStockRecord, strategy.NoTax, strategy.Structured):
    """Oscar's pricing Strategy: the StockRecord of the visitor's community at the price its
    published fee board lists (``board_price``), no tax."""

    def __init__(self, request=None, community=_FROM_REQUEST, user=None):
        super().__init__(request)
        self._community = community
        self._user = user

    @cached_property
    def community(self):
        """Resolved on first use: Oscar builds a strategy on every request, most never price."""
        if self._community is _FROM_REQUEST:
            return current_community(request=self.request, user=self._user)
        return self._community

    @cached_property
    def _live_board(self):
        # One query per strategy (per request): which board revision is live.
        return live_board_snapshot(self.community.pk) if self.community is not None else None

    def board_price(self, product, stockrecord) -> BoardPrice:
        """The published price of ``product`` sold through ``stockrecord`` in this community.

        Raises ``cms.pricing.PriceNotOnBoard`` (no live board, not listed, another provider's)."""
        return board_price_in(
            self._live_board, community=self.community, product=product, stockrecord=stockrecord
        )

    def select_stockrecord(self, product):
        if self.community is None:
            return None
        # Iterate the (usually prefetched) stockrecords so a listing costs no extra query
        # per product.
        for record in product.stockrecords.all():
            if record.community_id == self.community.pk:
                return record
        return None

    def availability_policy(self, product, stockrecord):
        if stockrecord is None:
            return NotOfferedHere(self.community)
        try:
            self.board_price(product, stockrecord)
        except PriceNotOnBoard as refusal:
            return NotOnBoard(refusal)
        return availability.Available()

    def pricing_policy(self, product, stockrecord):
        if stockrecord is None:
            return prices.Unavailable()
        try:
            amount = self.board_price(product, stockrecord).amount
        except PriceNotOnBoard:
            return prices.Unavailable()
        return prices.FixedPrice(currency=stockrecord.price_currency, excl_tax=amount, tax=0)

    def parent_availability_policy(self, product, children_stock):
        return availability.Unavailable()

    def parent_pricing_policy(self, product, children_stock):
        return prices.Unavailable()


class Selector:
    """Oscar's strategy selector: a ``CommunityStrategy`` per request (or per ``community``)."""

    def strategy(self, request=None, user=None, **kwargs):
        community = kwargs.get("community")
        return CommunityStrategy(
            request, community=_FROM_REQUEST if community is None else community, user=user
        )
