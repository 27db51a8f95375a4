"""A resident waiting for a freed time of one service on one (local) day.

An entry waits, is offered a time (a held appointment, ``offer_expires_at`` 15 minutes on),
then is accepted, lapses (the offer expired: the next resident's turn) or is left. At most one
waiting-or-offered entry per resident, service, community and day (a unique constraint), so a
double click joins once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WaitlistEntry(models.Model):
    """``resident`` waits for ``product`` in ``community`` on ``day`` (local date); first come
    first offered (``created``, then ``pk``)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a time")
        ACCEPTED = "accepted", _("Accepted")
        LAPSED = "lapsed", _("Offer expired")
        LEFT = "left", _("Left the list")

    OPEN = (Status.WAITING, Status.OFFERED)

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        verbose_name=_("resident"),
    )
    household = models.ForeignKey(
        "marketplace.Household", on_delete=models.CASCADE, related_name="+"
    )
    community = models.ForeignKey(
        "marketplace.Community", on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("service"),
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    offered = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("time held"),
    )
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    created = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        constraints = [
            # One open place per resident, service, community and day: joining twice is once.
            models.UniqueConstraint(
                fields=["resident", "product", "community", "day"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry",
            ),
        ]
        indexes = [models.Index(fields=["status", "offer_expires_at"])]

    def __str__(self):
        return f"{self.resident_id} {self.product_id} {self.day} {self.status}"
