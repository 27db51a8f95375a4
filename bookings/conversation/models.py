"""The conversation of an appointment: short messages between the resident, the assigned worker
and the provider's managers. Kept with the appointment's record (complaints cite them), so a
message is never edited or deleted by its author."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Longest message (characters).
MESSAGE_MAX = 500


class AppointmentMessage(models.Model):
    """One message of an appointment's conversation, by its author, at a time."""

    class Role(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        WORKER = "worker", _("Worker")
        MANAGER = "manager", _("Provider")

    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("appointment"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    # The author's side when writing: what the other side sees instead of a name or a phone.
    role = models.CharField(_("as"), max_length=10, choices=Role.choices)
    body = models.CharField(_("message"), max_length=MESSAGE_MAX)
    created = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("appointment message")
        verbose_name_plural = _("appointment messages")
        indexes = [models.Index(fields=["appointment", "created"], name="message_appointment")]

    def __str__(self):
        return f"#{self.appointment_id} {self.role}: {self.body[:30]}"
