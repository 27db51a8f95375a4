"""Oscar's report formatters: every CSV report is written cell by cell through ``csv_cell``.

Oscar's report generators (orders, products, users, offers, vouchers, an offer's order
discounts) subclass ``ReportCSVFormatter`` as ``get_class`` finds it, which is this one.
"""

from oscar.apps.dashboard.reports import reports

from marketplace.csv_export import SpreadsheetSafeWriter, csv_attachment


class ReportCSVFormatter(reports.ReportCSVFormatter):
    """A report as a CSV download whose cells a spreadsheet never runs as formulas."""

    def get_csv_writer(self, file_handle, **kwargs):
        """Oscar's writer with every cell through ``csv_cell``."""
        return SpreadsheetSafeWriter(open_file=file_handle, **kwargs)

    def generate_response(self, objects, **kwargs):
        """The report as an attachment named by the generator's ``filename``."""
        response = csv_attachment(filename=self.filename(**kwargs))
        self.generate_csv(response, objects)
        return response
