"""Oscar's order list, with its CSV download made safe (``marketplace.csv_export``)."""

from oscar.apps.dashboard.orders import views

from marketplace.csv_export import csv_download, csv_text


class OrderListView(views.OrderListView):
    """Oscar's order list; "Download selected orders" writes through ``csv_text``: a
    resident's name or e-mail starting with ``=`` is text in a spreadsheet, never a formula."""

    def download_selected_orders(self, request, orders):
        """The orders as a CSV download (Oscar's columns and file name)."""
        rows = (
            [self.get_row_values(order).get(column, "") for column in self.CSV_COLUMNS]
            for order in orders
        )
        return csv_download(
            csv_text(rows, header=self.CSV_COLUMNS.values()),
            filename=self.get_download_filename(request),
        )
