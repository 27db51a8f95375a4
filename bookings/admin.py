from django.contrib import admin

from bookings.models import Appointment, AppointmentEvent, TimeOff, WeeklyHours, Worker


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "provider", "is_active", "rating"]
    list_filter = ["provider", "is_active", "skills"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    filter_horizontal = ["skills", "communities"]
    raw_id_fields = ["user"]
    inlines = [WeeklyHoursInline, TimeOffInline]


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason", "fee"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: appointments change only through bookings.services (and their events)."""

    list_display = ["pk", "product", "start", "worker", "resident", "status", "price"]
    list_filter = ["status", "community"]
    date_hierarchy = "start"
    inlines = [AppointmentEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
