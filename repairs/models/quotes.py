"""Quotes of in-home repairs: labour at the published board's repair fee items, materials at cost."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from repairs.models.requests import RepairRequest


class RepairQuote(models.Model):
    """A worker's quote for an in-home repair; ``total`` (yuan) is what approval authorises."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for your approval")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Replaced by a newer quote")
        DECLINED = "declined", _("Declined")

    request = models.ForeignKey(
        RepairRequest, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("request")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    board_revision_id = models.PositiveIntegerField(_("fee board revision"))
    labour_total = models.DecimalField(_("labour (CNY)"), max_digits=10, decimal_places=2)
    materials_total = models.DecimalField(_("materials (CNY)"), max_digits=10, decimal_places=2)
    total = models.DecimalField(_("total (CNY)"), max_digits=10, decimal_places=2)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_quote",
        verbose_name=_("order"),
    )

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("repair quote")
        verbose_name_plural = _("repair quotes")
        constraints = [
            # One live quote (waiting or approved) per request.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=["proposed", "approved"]),
                name="one_live_repair_quote",
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("labour_total") + models.F("materials_total"))
                & Q(total__gte=Decimal("0")),
                name="repair_quote_total_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.request_id}: {self.total} ({self.status})"


class RepairQuoteLine(models.Model):
    """One line of a quote: labour at a board item's price, or a material at cost."""

    class Kind(models.TextChoices):
        LABOUR = "labour", _("Labour")
        MATERIAL = "material", _("Material")

    quote = models.ForeignKey(RepairQuote, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("board item"), max_length=50, blank=True)
    name = models.CharField(_("item"), max_length=200)
    unit = models.CharField(pgettext_lazy("price unit", "unit"), max_length=50, blank=True)
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=10, decimal_places=2)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="repair_line_quantity"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=Decimal("0")), name="repair_line_price"
            ),
        ]

    def __str__(self):
        return f"{self.name} × {self.quantity} = {self.amount}"
