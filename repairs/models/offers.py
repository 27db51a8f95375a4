"""Offers of a repair request to maintenance workers (the repair twin of ``JobOffer``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from repairs.models.requests import RepairRequest


class RepairOffer(models.Model):
    """A request offered to one maintenance worker until ``expires_at`` or their answer.

    A round offers the request to every eligible worker at once (the fastest answer matters
    for a leak); the first to accept takes it and the others' offers are withdrawn.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(
        RepairRequest, on_delete=models.CASCADE, related_name="offers", verbose_name=_("request")
    )
    worker = models.ForeignKey(
        "bookings.Worker",
        on_delete=models.PROTECT,
        related_name="repair_offers",
        verbose_name=_("worker"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created = models.DateTimeField(_("offered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("repair offer")
        verbose_name_plural = _("repair offers")
        constraints = [
            # One open offer per worker and request: a redelivered task cannot double it.
            models.UniqueConstraint(
                fields=["request", "worker"],
                condition=Q(status="open"),
                name="one_open_repair_offer_per_worker",
            ),
            # At most one accepted offer per request: the database's last word on the race.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status="accepted"),
                name="one_accepted_repair_offer",
            ),
        ]

    def __str__(self):
        return f"{self.request_id} → {self.worker_id} ({self.status})"
