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


# --- dispatch (bookings/dispatch.py, bookings/reminders.py): visible to staff, read-only ------

from bookings.models_dispatch import (  # noqa: E402
    DispatchAttempt,
    DispatchRequest,
    Offer,
    Reminder,
)


class _ReadOnly:
    """Rows written only by the dispatch services: staff look, nobody edits."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfferInline(_ReadOnly, admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["worker", "status", "created", "expires_at", "answered_at", "decline_reason"]
    readonly_fields = fields


class DispatchAttemptInline(_ReadOnly, admin.TabularInline):
    model = DispatchAttempt
    extra = 0
    fields = ["at", "worker", "outcome", "actor", "note"]
    readonly_fields = fields


class ReminderInline(_ReadOnly, admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["kind", "recipient", "due_at", "status", "sent_at", "channels"]
    readonly_fields = fields


AppointmentAdmin.inlines = [
    *AppointmentAdmin.inlines,
    DispatchAttemptInline,
    OfferInline,
    ReminderInline,
]


@admin.register(DispatchRequest)
class DispatchRequestAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "appointment", "status", "created", "processed_at", "escalated_at"]
    list_filter = ["status"]
    date_hierarchy = "created"
    inlines = [DispatchAttemptInline]


@admin.register(Offer)
class OfferAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "appointment", "worker", "status", "created", "expires_at"]
    list_filter = ["status", "worker__provider"]
    date_hierarchy = "created"


@admin.register(DispatchAttempt)
class DispatchAttemptAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["at", "appointment", "worker", "outcome", "actor", "note"]
    list_filter = ["outcome"]
    date_hierarchy = "at"


@admin.register(Reminder)
class ReminderAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "pk",
        "appointment",
        "kind",
        "recipient",
        "due_at",
        "status",
        "sent_at",
        "channels",
    ]
    list_filter = ["kind", "status"]
    date_hierarchy = "due_at"
