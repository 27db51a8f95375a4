from oscar.apps.partner.admin import *

# Django's admin shows each price's history (who changed it, when) on its "History" page.
from django.contrib import admin as _admin  # noqa: E402
from oscar.apps.partner.admin import StockRecordAdmin as _OscarStockRecordAdmin  # noqa: E402
from oscar.core.loading import get_model as _get_model  # noqa: E402
from simple_history.admin import SimpleHistoryAdmin as _SimpleHistoryAdmin  # noqa: E402

_StockRecord = _get_model("partner", "StockRecord")


class StockRecordAdmin(_SimpleHistoryAdmin, _OscarStockRecordAdmin):
    """Oscar's StockRecord admin with django-simple-history's history page."""


_admin.site.unregister(_StockRecord)
_admin.site.register(_StockRecord, StockRecordAdmin)
