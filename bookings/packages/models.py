"""A package of prepaid visits and its ledger.

Two invariants, both in the database: ``balance`` is never below zero nor above the visits
bought (a CHECK constraint; every change is a conditional UPDATE, see ``ledger``), and the
``visits`` of a package's entries always sum to its ``balance`` (each change of the balance
writes its entry in the same transaction).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Package(models.Model):
    """A resident's prepaid visits of one service (``product``) in one community: ``visits``
    bought for ``price_paid`` (yuan), valid until ``valid_until`` (aware), ``balance`` left."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REFUNDED = "refunded", _("Refunded")
        EXPIRED = "expired", _("Expired")

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="packages",
        verbose_name=_("resident"),
    )
    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="packages",
        verbose_name=_("community"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="packages",
        verbose_name=_("service covered"),
    )
    name = models.CharField(_("package"), max_length=200)
    visits = models.PositiveIntegerField(_("visits bought"))
    price_paid = models.DecimalField(_("price paid"), max_digits=12, decimal_places=2)
    board_revision_id = models.PositiveIntegerField(
        _("fee board revision"),
        null=True,
        blank=True,
        help_text=_("The published fee-board revision that justified the price."),
    )
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="package",
        verbose_name=_("order"),
        help_text=_("The Oscar order whose captured card payment bought the package."),
    )
    valid_until = models.DateTimeField(_("valid until"))
    balance = models.IntegerField(_("visits left"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "pk"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [
            # THE invariant: never below zero, however many bookings draw at once.
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lte=F("visits")),
                name="package_balance_within_bought",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.name} ({self.balance}/{self.visits})"

    @property
    def unused_share(self) -> Decimal:
        """The refund of the unused visits under the default policy: the unused share of the
        price paid (yuan, rounded down to the fen), minus nothing."""
        if not self.visits:
            return Decimal("0.00")
        share = self.price_paid * self.balance / self.visits
        return share.quantize(Decimal("0.01"), rounding="ROUND_DOWN")


class PackageEntry(models.Model):
    """One line of a package's ledger. ``visits`` is the change of the balance: +n bought,
    -1 drawn by a booking, +1 returned (free cancellation), 0 consumed (a late cancellation
    keeps the drawn visit as its fee), -n refunded or expired (``amount``: yuan paid back)."""

    class Kind(models.TextChoices):
        BOUGHT = "bought", _("Bought")
        DRAWN = "drawn", _("Drawn by a booking")
        RETURNED = "returned", _("Returned (free cancellation)")
        CONSUMED = "consumed", _("Consumed (late cancellation)")
        REFUNDED = "refunded", _("Refunded")
        EXPIRED = "expired", _("Expired")

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="entries", verbose_name=_("package")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    visits = models.IntegerField(_("visits"))
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    draw = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlements",
        verbose_name=_("draw settled"),
    )
    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="package_entries",
        verbose_name=_("appointment"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("package entry")
        verbose_name_plural = _("package entries")
        constraints = [
            # A draw is returned or consumed at most once (a cancellation retried, two tabs).
            models.UniqueConstraint(
                fields=["draw"],
                condition=Q(draw__isnull=False),
                name="package_draw_settled_once",
            ),
        ]

    def __str__(self):
        return f"{self.package_id} {self.kind} {self.visits:+d}"
