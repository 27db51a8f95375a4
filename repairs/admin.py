"""Django admin (platform staff): the enterprises' repair promises and the requests."""

from django.contrib import admin

from repairs.models import RepairPolicy, RepairRequest


@admin.register(RepairPolicy)
class RepairPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "enterprise",
        "urgent_take_minutes",
        "urgent_arrive_minutes",
        "normal_take_minutes",
        "normal_arrive_minutes",
    )


@admin.register(RepairRequest)
class RepairRequestAdmin(admin.ModelAdmin):
    list_display = ("pk", "community", "category", "urgency", "status", "reported_at")
    list_filter = ("status", "urgency", "category", "source")
    raw_id_fields = ("household", "resident", "entered_by", "worker")
    readonly_fields = ("take_due", "arrive_due", "taken_at", "arrived_at", "completed_at")
