"""Dispatch and reminders: who is offered a job, what they answered, and what we told whom.

Imported at the end of ``bookings/models.py`` (same app, same migrations).

- ``DispatchRequest`` is the outbox: written in the booking's own transaction, so a booking
  that commits is dispatched even if the broker was down at that moment (beat sweeps it).
  One request is one dispatch round for an appointment; offers and attempts hang on it.
- ``Offer``: one worker may take one job until ``expires_at``. At most one open offer per
  appointment (a partial unique constraint): a redelivered task cannot make a second one.
- ``DispatchAttempt``: every step of a round, whoever took it: offered, accepted, declined,
  expired, withdrawn, escalated.
- ``Reminder``: a message with a due time and a sent flag, claimed by beat: the reminders
  before and after the appointment, and the notices that are due at once (an offer to a
  worker, an escalation to managers and the resident). Each is sent once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DispatchRequest(models.Model):
    """The outbox row of one dispatch round: "find a worker for this appointment"."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be dispatched")
        OFFERED = "offered", _("Offered to a worker")
        ACCEPTED = "accepted", _("Accepted")
        ESCALATED = "escalated", _("No worker left: escalated")
        CLOSED = "closed", _("Closed")

    #: Rounds still looking for a worker.
    OPEN = (Status.PENDING, Status.OFFERED, Status.ESCALATED)

    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.CASCADE,
        related_name="dispatch_requests",
        verbose_name=_("appointment"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField(_("why"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    processed_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("dispatch request")
        verbose_name_plural = _("dispatch requests")
        indexes = [models.Index(fields=["status", "created"], name="dispatch_request_due")]

    def __str__(self):
        return f"#{self.pk} {self.appointment_id} {self.get_status_display()}"


class Offer(models.Model):
    """A job offered to one worker, open until it expires or they answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(
        DispatchRequest,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("dispatch request"),
    )
    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("appointment"),
    )
    worker = models.ForeignKey(
        "bookings.Worker", on_delete=models.PROTECT, related_name="offers", verbose_name=_("worker")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created = models.DateTimeField(_("offered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            # One open offer per appointment: a task delivered twice, a sweep racing the
            # on-commit kick, or a worker killed mid-dispatch can never put out a second one.
            models.UniqueConstraint(
                fields=["appointment"], condition=Q(status="open"), name="one_open_offer"
            ),
        ]

    def __str__(self):
        return f"{self.appointment_id} → {self.worker} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > timezone.now()


class DispatchAttempt(models.Model):
    """One step of a dispatch round: who, when, outcome."""

    class Outcome(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ASSIGNED = "assigned", _("Assigned by a manager")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ESCALATED = "escalated", _("No worker left: escalated")

    request = models.ForeignKey(
        DispatchRequest,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("dispatch request"),
    )
    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.CASCADE,
        related_name="dispatch_attempts",
        verbose_name=_("appointment"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("offer"),
    )
    worker = models.ForeignKey(
        "bookings.Worker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatch_attempts",
        verbose_name=_("worker"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("dispatch attempt")
        verbose_name_plural = _("dispatch attempts")

    def __str__(self):
        return f"{self.appointment_id} {self.worker or '—'} {self.get_outcome_display()}"


class Reminder(models.Model):
    """A message due at a time, sent once: a reminder, or a notice due at once."""

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
    # appointment's resident or worker when they are sent (a re-dispatch changes the worker).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("offer"),
    )
    request = models.ForeignKey(
        DispatchRequest,
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
        verbose_name = _("reminder or notice")
        verbose_name_plural = _("reminders and notices")
        indexes = [models.Index(fields=["status", "due_at"], name="reminder_due")]
        constraints = [
            # Planning twice (a redelivered task, a confirm and a reschedule) cannot double
            # a reminder: one row per appointment and scheduled kind, one per offer, one per
            # escalation and recipient.
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(
                    kind__in=["resident_24h", "resident_2h", "worker_1h", "rating_request"]
                ),
                name="one_reminder_per_kind",
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
