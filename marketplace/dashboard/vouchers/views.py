"""Oscar's voucher set download, written through ``marketplace.csv_export``."""

from django.utils.text import slugify
from oscar.apps.dashboard.vouchers import views

from marketplace.csv_export import csv_download, csv_text


class VoucherSetDownloadView(views.VoucherSetDownloadView):
    """The codes of a voucher set, one a line, as a safe CSV download."""

    def get(self, request, *args, **kwargs):
        """The set's codes (a code typed as ``=1+1`` stays text) as ``<set-name>.csv``."""
        voucher_set = self.get_object()
        codes = voucher_set.vouchers.values_list("code", flat=True)
        return csv_download(
            csv_text([code] for code in codes),
            filename=f"{slugify(voucher_set.name) or 'vouchers'}.csv",
        )
