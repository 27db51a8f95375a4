from django.contrib import admin
from oscar.apps.partner.admin import *
from oscar.apps.partner.admin import StockRecordAdmin as OscarStockRecordAdmin
from oscar.core.loading import get_model
from simple_history.admin import SimpleHistoryAdmin

StockRecord = get_model("partner", "StockRecord")


class StockRecordAdmin(SimpleHistoryAdmin, OscarStockRecordAdmin):
    """Oscar's StockRecord admin with a "History" page: who changed the price, and when."""


admin.site.unregister(StockRecord)
admin.site.register(StockRecord, StockRecordAdmin)
