"""A read-only panel of the fee board's edit page: the life-service prices it publishes.

The life services are not edited on the board (they are a snapshot of the providers'
StockRecord prices, ``cms.boards.life_services_snapshot``); this panel shows them to the editor
and to the approving manager, each with the price residents see now (the live revision) beside
the price this revision would publish, proposals highlighted (``cms.board_prices``).
"""

from wagtail.admin.panels import Panel

from cms.board_prices import pending_count, price_rows


class LifeServicePricesPanel(Panel):
    """Lists ``cms.board_prices.price_rows`` of the edited revision; no form field."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/life_service_prices_panel.html"

        def get_context_data(self, parent_context=None):
            """Adds ``rows`` (``PriceRow`` list) and ``pending`` (how many rows change)."""
            context = super().get_context_data(parent_context)
            rows = price_rows(self.instance)
            context["rows"] = rows
            context["pending"] = pending_count(rows)
            context["never_published"] = not getattr(self.instance, "live", False)
            return context
