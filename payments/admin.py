"""Django admin for payments (platform staff): read-only records and a re-sync action."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from payments.models import PaymentIntentRecord, Refund, SavedCard, StripeCustomer, WebhookEvent
from payments.services import payment_sync


class RefundInline(admin.TabularInline):
    """A payment's refunds, read-only (refunds are made through ``payment_refund``)."""

    model = Refund
    extra = 0
    can_delete = False
    readonly_fields = (
        "amount",
        "reason",
        "status",
        "external",
        "stripe_id",
        "created_by",
        "created",
    )
    fields = readonly_fields


@admin.register(PaymentIntentRecord)
class PaymentIntentRecordAdmin(admin.ModelAdmin):
    """Card payments, read-only (platform staff with ``view_paymentintentrecord``); money
    moves only through the services, never by editing a row here."""

    list_display = (
        "order",
        "user",
        "status",
        "amount_authorised",
        "amount_captured",
        "amount_refunded",
        "updated",
    )
    list_filter = ("status",)
    search_fields = ("order__number", "stripe_id", "user__email")
    readonly_fields = [f.name for f in PaymentIntentRecord._meta.fields]
    inlines = [RefundInline]
    # No refund action: a refund is made on the staff payment page, which asks for the
    # amount and the reason and needs ``payments.refund_payment``.
    actions = ["sync_from_stripe"]

    def has_add_permission(self, request):
        """Payments are created by bookings, never by hand."""
        return False

    @admin.action(
        description=_("Re-read the selected payments from Stripe"), permissions=["change"]
    )
    def sync_from_stripe(self, request, queryset):
        """Re-read each selected payment's PaymentIntent from Stripe (``payment_sync``)."""
        for intent in queryset:
            payment_sync(intent=intent)


@admin.register(SavedCard)
class SavedCardAdmin(admin.ModelAdmin):
    """Saved cards, read-only (residents manage theirs on /shop/accounts/cards/)."""

    list_display = ("user", "brand", "last4", "exp_month", "exp_year", "is_default")
    search_fields = ("user__email", "last4")
    readonly_fields = (
        "user",
        "stripe_payment_method_id",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "is_default",
    )


admin.site.register(
    StripeCustomer, list_display=("user", "stripe_id"), search_fields=("user__email", "stripe_id")
)
admin.site.register(
    WebhookEvent, list_display=("event_id", "type", "received"), list_filter=("type",)
)
