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
        # What happened to an appointment, told once when it happens (``bookings.notify.events``).
        BOOKED = "booked", _("Booked")
        ACCEPTED = "accepted", _("A worker accepted")
        STARTED = "started", _("The worker is on the way / checked in")
        COMPLETED = "completed", _("Completed: the receipt")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        REFUNDED = "refunded", _("Refund made")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        OFFER_WITHDRAWN = "offer_withdrawn", _("Job offer withdrawn")
        JOB_CHANGED = "job_changed", _("Your job was moved")
        JOB_CANCELLED = "job_cancelled", _("Your job was cancelled")
        MESSAGE = "message", _("A new message about an appointment")
        # Complaints (``feedback.notices``): to the resident who filed one...
        COMPLAINT_ANSWERED = "complaint_answered", _("Your complaint was answered")
        COMPLAINT_INFO_REQUESTED = (
            "complaint_info_requested",
            _("Your complaint: more information is asked for"),
        )
        COMPLAINT_ESCALATED = "complaint_escalated", _("Your complaint was escalated")
        COMPLAINT_RESOLVED = "complaint_resolved", _("Your complaint was resolved")
        # ... and to the people who handle it (a provider's managers, the enterprise's staff).
        COMPLAINT_FILED = "complaint_filed", _("A new complaint to answer")
        COMPLAINT_INFO_ADDED = (
            "complaint_info_added",
            _("A complaint: the resident added information"),
        )
        COMPLAINT_REOPENED = "complaint_reopened", _("A complaint was reopened")
        COMPLAINT_OVERDUE = "complaint_overdue", _("A complaint is overdue: escalated to you")
        COMPLAINT_FLAGGED = "complaint_flagged", _("A complaint is flagged for the street office")
        # Repairs (``repairs.notices``): to the resident who reported one...
        REPAIR_TAKEN = "repair_taken", _("Your repair was taken by a worker")
        REPAIR_QUOTED = "repair_quoted", _("A quote for your repair")
        REPAIR_ON_THE_WAY = "repair_on_the_way", _("Your repair: the worker is on the way")
        REPAIR_DONE = "repair_done", _("Your repair is done")
        REPAIR_LATE = "repair_late", _("Your repair is late")
        # ... to maintenance workers, and to the enterprise's repair desk.
        REPAIR_OFFER = "repair_offer", _("A new repair request to accept")
        REPAIR_ASSIGNED = "repair_assigned", _("A repair assigned to you")
        REPAIR_NO_WORKER = "repair_no_worker", _("A repair without a worker")
        REPAIR_TAKE_LATE = "repair_take_late", _("A repair not taken in time")
        REPAIR_ARRIVAL_LATE = "repair_arrival_late", _("A repair: worker not on site in time")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    #: Kinds with one row per appointment, moved when the appointment moves.
    SCHEDULED = (Kind.RESIDENT_24H, Kind.RESIDENT_2H, Kind.WORKER_1H, Kind.RATING_REQUEST)

    # Empty only for a notice about something else (``bookings.notify.notify`` without one).
    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
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
    # What happened, for the text: old times, fees, amounts (JSON: strings and numbers).
    context = models.JSONField(_("details"), default=dict, blank=True)
    # Exactly once per happening: the same key twice (a replayed task, a repeated signal) makes
    # no second row. Empty for the reminders, whose constraints below say what is unique.
    key = models.CharField(_("key"), max_length=150, blank=True, default="")
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
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="one_notice_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.appointment_id} ({self.get_status_display()})"


class NoticeDelivery(models.Model):
    """One channel's copy of a sent notice (email or SMS), sent once and retried on failure.

    Written with the notice's inbox copy when the notice is sent (``bookings.notify.reminders``);
    claimed like a notice (pending → sending by a conditional UPDATE) so it leaves once. A
    failure puts it back to pending with a later ``due_at`` (backoff); after the last attempt
    it is ``failed``, with the error, never ``sent``. SMS in quiet hours is due at their end."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notice")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    # The email body, or the SMS text as the template renders it (what the file backend shows).
    body = models.TextField(_("text"))
    # SMS only: the gateway's template code and its parameters (Chinese template SMS).
    template = models.CharField(_("SMS template"), max_length=60, blank=True)
    params = models.JSONField(_("SMS parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        indexes = [models.Index(fields=["status", "due_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="one_delivery_per_channel")
        ]

    def __str__(self):
        return f"{self.get_channel_display()} of notice {self.notice_id} ({self.status})"


class ChannelPreference(models.Model):
    """Which channels a person wants for one kind of notice. No row: every channel."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Notice.Kind.choices)
    inbox = models.BooleanField(_("inbox"), default=True)
    email = models.BooleanField(_("email"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}"
