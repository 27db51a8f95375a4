"""Dispatch: who is offered a job and what they answered.

- ``DispatchRound`` is the outbox: written in the booking's own transaction, so a booking
  that commits is dispatched even if the broker was down at that moment (beat sweeps it).
  One row is one dispatch round for an appointment; job offers and attempts hang on it (their
  foreign key to it is still called ``request``, the column's historical name).
- ``JobOffer``: one worker may take one job until ``expires_at``. At most one open offer per
  appointment (a partial unique constraint): a redelivered task cannot make a second one.
  (Not Oscar's ``offer`` app, which is discounts.)
- ``DispatchAttempt``: every step of a round, whoever took it: offered, accepted, declined,
  expired, withdrawn, escalated.

The messages these produce are ``bookings.models.notices.Notice`` rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

#: The fixed notes of dispatch attempts, stored untranslated and translated when shown
#: (``DispatchAttempt.display_note``); a worker's reason for declining is shown as written.
STANDARD_NOTES = frozenset(
    (
        gettext_noop("The appointment was cancelled"),
        gettext_noop("The appointment was moved"),
        gettext_noop("Assigned by a manager"),
        gettext_noop("The worker can no longer do this job; it goes to another worker."),
    )
)


class DispatchRound(models.Model):
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
        db_table = "bookings_dispatchrequest"
        verbose_name = _("dispatch request")
        verbose_name_plural = _("dispatch requests")
        indexes = [models.Index(fields=["status", "created"], name="dispatch_request_due")]

    def __str__(self):
        return f"#{self.pk} {self.appointment_id} {self.get_status_display()}"


class JobOffer(models.Model):
    """A job offered to one worker, open until it expires or they answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(
        DispatchRound,
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
        db_table = "bookings_offer"
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
        DispatchRound,
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
        JobOffer,
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

    @property
    def display_note(self) -> str:
        """The note in the active language: a fixed note (``STANDARD_NOTES``) translated, a
        worker's own words as written."""
        return gettext(self.note) if self.note in STANDARD_NOTES else self.note
