"""Notices: every message Linli sends about an appointment, each a row with a due time.

Reminders before the appointment, the rating request after it, and the notices due at once (a
job offer to a worker, an escalation to the provider's managers and the resident). Beat claims
the due rows and sends each once (``bookings.notify.reminders``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models.dispatch import DispatchRound, JobOffer


class Notice(models.Model):
    """A message due at a time, sent once: a reminder before the appointment, a rating request
    after it, or a notice due at once (a job offer to a worker, an escalation to managers and
    the resident). Table ``bookings_reminder``; the appointment's ``reminders`` holds them all."""

    class Kind(models.TextChoices):
        RESIDENT_24H = "resident_24h", _("Resident, 24 hours before")
        RESIDENT_2H = "resident_2h", _("Resident, 2 hours before")
        WORKER_1H = "worker_1h", _("Worker, 1 hour before")
        RATING_REQUEST = "rating_request", _("Rating request after completion")
        OFFER = "offer", _("New job offer to a worker")
        ESCALATION_MANAGER = "escalation_manager", _("No worker left: alert to a manager")
        ESCALATION_RESIDENT = "escalation_resident", _("No worker left: notice to the resident")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    #: Kinds with one row per appointment, moved when the appointment moves.
    SCHEDULED = (Kind.RESIDENT_24H, Kind.RESIDENT_2H, Kind.WORKER_1H, Kind.RATING_REQUEST)

    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("appointment"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # Set for notices to a particular person; the scheduled kinds go to whoever is the
    # appointment's resident or worker when they are sent (a re-dispatch changes the worker),
    # and record that person once sent (``reminders_plan`` compares it with the worker now).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    offer = models.ForeignKey(
        JobOffer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("offer"),
    )
    request = models.ForeignKey(
        DispatchRound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("dispatch request"),
    )
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    channels = models.CharField(
        _("sent by"), max_length=100, blank=True, help_text=_("inbox, email, sms")
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["due_at", "pk"]
        db_table = "bookings_reminder"
        verbose_name = _("reminder or notice")
        verbose_name_plural = _("reminders and notices")
        indexes = [models.Index(fields=["status", "due_at"], name="reminder_due")]
        constraints = [
            # Planning twice (a redelivered task, a confirm and a reschedule) cannot double
            # a reminder: one *pending* row per appointment and before-start kind (rows already
            # sent are history: a reschedule plans a new one for the new time), one rating
            # request per appointment, one notice per offer, one per escalation and recipient.
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(kind__in=["resident_24h", "resident_2h", "worker_1h"])
                & Q(status="pending"),
                name="one_pending_reminder_per_kind",
            ),
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(kind="rating_request"),
                name="one_rating_request",
            ),
            models.UniqueConstraint(
                fields=["offer"], condition=Q(kind="offer"), name="one_notice_per_offer"
            ),
            models.UniqueConstraint(
                fields=["request", "kind", "recipient"],
                condition=Q(kind__in=["escalation_manager", "escalation_resident"]),
                name="one_escalation_notice_per_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.appointment_id} ({self.get_status_display()})"
