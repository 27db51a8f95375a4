"""An appointment's timeline: one ``AppointmentEvent`` per status change or reschedule, with
its reason stored untranslated and shown in the reader's language."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models.appointments import Appointment
from bookings.models.event_reasons import reason_shown


class AppointmentEvent(models.Model):
    """One row per status change (and per reschedule): the appointment's timeline."""

    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("appointment"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(
        _("from"), max_length=20, choices=Appointment.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Appointment.Status.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    reason_params = models.JSONField(
        _("details of why"),
        default=dict,
        blank=True,
        help_text=_(
            "The values a fixed reason names (times as ISO 8601, a worker's notes as written); "
            "the reason is translated when shown."
        ),
    )
    fee = models.DecimalField(
        _("fee"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("The late-change fee this event made due, if any."),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")

    def __str__(self):
        return f"{self.appointment_id}: {self.from_status or '∅'} → {self.to_status}"

    @property
    def display_reason(self) -> str:
        """The reason in the active language, as plain text: the services store the fixed
        reasons as their source text (``STANDARD_REASONS``) with their values in
        ``reason_params``, translated and filled in here (times local); a person's own words
        (a resident's cancel reason, a worker's notes) are shown as written."""
        return reason_shown(self.reason, self.reason_params, mark_words=False)

    @property
    def display_reason_html(self) -> str:
        """``display_reason`` for a page: escaped, with a person's own words marked
        ``translate="no"`` (shown as written, whatever the page's language)."""
        return reason_shown(self.reason, self.reason_params, mark_words=True)
