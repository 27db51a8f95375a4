"""Payments: Stripe customers, saved cards, PaymentIntents, refunds and webhook events.

Money moves are mirrored in Oscar's ``payment.Source`` (one per order) and
``payment.Transaction`` rows so that the order page and the dashboard tell the truth; the rows
here keep what Oscar has no place for (Stripe ids, our idempotency keys, the intent's state).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StripeCustomer(models.Model):
    """The Stripe Customer of one user; cards are attached to it for off-session payments."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="stripe_customer",
        verbose_name=_("user"),
    )
    stripe_id = models.CharField(_("Stripe customer id"), max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe customer")
        verbose_name_plural = _("Stripe customers")

    def __str__(self):
        return self.stripe_id


class SavedCard(models.Model):
    """A card saved through a SetupIntent and attached to the user's Stripe Customer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_cards",
        verbose_name=_("user"),
    )
    stripe_payment_method_id = models.CharField(
        _("Stripe payment method id"), max_length=64, unique=True
    )
    brand = models.CharField(_("brand"), max_length=32)
    last4 = models.CharField(_("last four digits"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"))
    exp_year = models.PositiveSmallIntegerField(_("expiry year"))
    is_default = models.BooleanField(_("default"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    #: Who saved, re-defaulted or removed the card's record, and when (no card data beyond it).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "-created", "-id"]
        verbose_name = _("saved card")
        verbose_name_plural = _("saved cards")
        constraints = [
            # One default card per user, so "one click" always means exactly one card.
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="one_default_card_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.brand_label} •••• {self.last4}"

    @property
    def brand_label(self) -> str:
        """The card brand as printed on cards ("Visa", "UnionPay 银联"), from Stripe's brand code."""
        labels = {
            "visa": "Visa",
            "mastercard": "Mastercard",
            "amex": "American Express",
            "unionpay": "UnionPay 银联",
            "jcb": "JCB",
            "discover": "Discover",
        }
        return labels.get(self.brand, self.brand.title())

    @property
    def expiry(self) -> str:
        """Expiry as "MM/YY"."""
        return f"{self.exp_month:02d}/{self.exp_year % 100:02d}"


class PaymentIntentRecord(models.Model):
    """Our side of one Stripe PaymentIntent (manual capture) for one order.

    ``idempotency_key`` is unique in the database: a double click or a retried task finds the
    existing row instead of calling Stripe a second time (localstripe ignores the
    Idempotency-Key header, and real Stripe only remembers it for 24 hours).
    """

    class Status(models.TextChoices):
        """Our states; CANCELED is Stripe's ``canceled`` PaymentIntent, shown as "Voided"."""

        SCHEDULED = "scheduled", _("Authorisation scheduled")
        PENDING = "pending", _("Pending")
        REQUIRES_ACTION = "requires_action", _("Needs card authentication")
        AUTHORISED = "authorised", _("Authorised")
        CAPTURED = "captured", _("Captured")
        CANCELED = "canceled", _("Voided")
        FAILED = "failed", _("Failed")

    ACTIVE = (
        Status.SCHEDULED,
        Status.PENDING,
        Status.REQUIRES_ACTION,
        Status.AUTHORISED,
        Status.CAPTURED,
    )

    order = models.ForeignKey(
        "order.Order",
        on_delete=models.PROTECT,
        related_name="stripe_intents",
        verbose_name=_("order"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payment_intents",
        verbose_name=_("user"),
    )
    card = models.ForeignKey(
        SavedCard,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intents",
        verbose_name=_("card"),
    )
    stripe_id = models.CharField(
        _("Stripe PaymentIntent id"), max_length=64, unique=True, null=True, blank=True
    )
    client_secret = models.CharField(max_length=128, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    currency = models.CharField(max_length=3, default="CNY")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    amount_authorised = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    # A capture or void whose Stripe call is in flight: claimed under the row lock so that a
    # second caller (double click, retried task) does not send it again.
    pending_action = models.CharField(max_length=10, blank=True)
    pending_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Far dates: an authorisation lapses after ~7 days, so it is taken 48 h before the start.
    authorise_at = models.DateTimeField(_("authorise at"), null=True, blank=True, db_index=True)
    # When an authorisation lapses at Stripe (the charge's
    # ``payment_method_details.card.capture_before``, or the shortest window from the time we
    # learnt of it): a job moved past it needs a new authorisation.
    capture_before = models.DateTimeField(_("capture before"), null=True, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")
        # Viewing payments is Django's ``view_paymentintentrecord``; moving money back to a
        # card is a permission of its own, given only to those who answer for it.
        permissions = [("refund_payment", _("Can refund a card payment"))]
        constraints = [
            # At most one live payment per order, whatever key the caller used: two requests
            # for the same booking can never both hold money on the card.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(
                    status__in=["scheduled", "pending", "requires_action", "authorised", "captured"]
                ),
                name="one_live_payment_per_order",
            ),
            models.CheckConstraint(
                condition=Q(amount_captured__lte=models.F("amount"))
                & Q(amount_refunded__lte=models.F("amount_captured")),
                name="payment_amounts_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.stripe_id or self.idempotency_key} ({self.get_status_display()})"

    @property
    def amount_released(self) -> Decimal:
        """The part of a captured authorisation that was released, never taken (yuan): a partial
        capture (a late-cancellation fee) releases the rest. It is no refund."""
        if self.status != self.Status.CAPTURED:
            return Decimal(0)
        return max(Decimal(0), self.amount_authorised - self.amount_captured)

    @property
    def refundable(self) -> Decimal:
        """Captured minus refunded, in yuan (refunds in flight not deducted)."""
        return self.amount_captured - self.amount_refunded


class Refund(models.Model):
    """A refund of a captured payment. The row (and its unique key) exists before the call."""

    class Status(models.TextChoices):
        """PENDING until Stripe confirms the refund (or the reconciliation decides)."""

        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    intent = models.ForeignKey(
        PaymentIntentRecord,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("payment"),
    )
    stripe_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # True for refunds made outside Linli (Stripe dashboard), learnt from charge.refunded.
    external = models.BooleanField(default=False)
    # The staff member who made it (None: the cancellation policy, or outside Linli).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refunded by"),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive"),
            # A refund a staff member made says why (the staff payment page requires it).
            models.CheckConstraint(
                condition=Q(created_by__isnull=True) | ~Q(reason=""),
                name="staff_refund_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.amount} {self.get_status_display()}"


class WebhookEvent(models.Model):
    """A Stripe event we have applied. The UNIQUE id makes a redelivery a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.event_id}"
