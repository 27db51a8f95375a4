from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bookings.models import (
    Appointment,
    AppointmentEvent,
    AppointmentMessage,
    DispatchAttempt,
    DispatchRound,
    JobOffer,
    Notice,
    NoticeDelivery,
    TimeOff,
    WeeklyHours,
    Worker,
)


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Worker)
class WorkerAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "provider", "is_active", "rating"]
    list_filter = ["provider", "is_active", "skills"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    filter_horizontal = ["skills", "communities"]
    raw_id_fields = ["user"]
    inlines = [WeeklyHoursInline, TimeOffInline]

    def get_deleted_objects(self, objs, request):
        """A worker with appointments is never deleted (``on_delete=PROTECT``: the timeline and
        the money need them): the page lists every one of them as what stands in the way, in
        Django's own words ("would require deleting the following protected related objects").
        Deactivate the worker instead: their future jobs are re-dispatched."""
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        jobs = Appointment.objects.filter(worker__in=list(objs)).select_related("product")
        if jobs:
            protected = [*protected, *(f"{job._meta.verbose_name}: {job}" for job in jobs)]
            perms_needed = set()
        return to_delete, counts, perms_needed, protected


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason", "fee"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: appointments change only through the bookings services (and their events)."""

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


# --- dispatch (bookings/dispatch/, bookings/notify/): visible to staff, read-only ------------


class _ReadOnly:
    """Rows written only by the dispatch services: staff look, nobody edits."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JobOfferInline(_ReadOnly, admin.TabularInline):
    model = JobOffer
    extra = 0
    fields = ["worker", "status", "created", "expires_at", "answered_at", "decline_reason"]
    readonly_fields = fields


class DispatchAttemptInline(_ReadOnly, admin.TabularInline):
    model = DispatchAttempt
    extra = 0
    fields = ["at", "worker", "outcome", "actor", "note"]
    readonly_fields = fields


class NoticeInline(_ReadOnly, admin.TabularInline):
    model = Notice
    extra = 0
    fields = ["kind", "recipient", "due_at", "status", "sent_at", "channels"]
    readonly_fields = fields


AppointmentAdmin.inlines = [
    *AppointmentAdmin.inlines,
    DispatchAttemptInline,
    JobOfferInline,
    NoticeInline,
]


@admin.register(DispatchRound)
class DispatchRoundAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "appointment", "status", "created", "processed_at", "escalated_at"]
    list_filter = ["status"]
    date_hierarchy = "created"
    inlines = [DispatchAttemptInline]


@admin.register(JobOffer)
class JobOfferAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "appointment", "worker", "status", "created", "expires_at"]
    list_filter = ["status", "worker__provider"]
    date_hierarchy = "created"


@admin.register(DispatchAttempt)
class DispatchAttemptAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["at", "appointment", "worker", "outcome", "actor", "note"]
    list_filter = ["outcome"]
    date_hierarchy = "at"


@admin.register(Notice)
class NoticeAdmin(_ReadOnly, admin.ModelAdmin):
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


class NoticeDeliveryInline(_ReadOnly, admin.TabularInline):
    model = NoticeDelivery
    extra = 0
    fields = ["channel", "address", "template", "status", "attempts", "due_at", "sent_at", "error"]
    readonly_fields = fields
    can_delete = False


NoticeAdmin.inlines = [NoticeDeliveryInline]


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(_ReadOnly, admin.ModelAdmin):
    """Each email and SMS of a notice: a failed one says why, after its last attempt."""

    list_display = ["pk", "notice", "channel", "address", "status", "attempts", "due_at", "error"]
    list_filter = ["channel", "status"]
    date_hierarchy = "due_at"


class AppointmentMessageInline(_ReadOnly, admin.TabularInline):
    """The conversation, part of the appointment's record (read only: nobody edits it)."""

    model = AppointmentMessage
    extra = 0
    fields = ["created", "author", "role", "body"]
    readonly_fields = fields
    can_delete = False


AppointmentAdmin.inlines = [*AppointmentAdmin.inlines, AppointmentMessageInline]
