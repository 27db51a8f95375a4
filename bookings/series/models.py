"""A series: one rule (RRULE) of visits of one service to one household, one preferred worker.

Its occurrences are ordinary appointments (``Appointment.series``); ``SeriesOccurrence`` keeps
one row per start of the rule that has been looked at (booked, unfilled, skipped, ended), unique
per (series, start), so extending a series twice books nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bookings.series.rules import describe


class Series(models.Model):
    """A resident's regular visits: ``rule`` (RRULE text, local wall-clock times) from
    ``dtstart`` (aware; its local time is the visits' time), materialised up to ``materialised_until``
    (aware UTC) as appointments held for ``preferred_worker`` when free."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="series",
        verbose_name=_("resident"),
    )
    household = models.ForeignKey(
        "marketplace.Household",
        on_delete=models.PROTECT,
        related_name="series",
        verbose_name=_("household"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="series",
        verbose_name=_("service"),
    )
    preferred_worker = models.ForeignKey(
        "bookings.Worker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="series",
        verbose_name=_("preferred worker"),
    )
    rule = models.CharField(_("recurrence rule (RRULE)"), max_length=200)
    dtstart = models.DateTimeField(_("first visit"))
    summary = models.CharField(_("how often"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    ends_on = models.DateField(
        _("ended from"),
        null=True,
        blank=True,
        help_text=_("No visit on or after this local date (the resident ended the series)."),
    )
    materialised_until = models.DateTimeField(
        _("booked up to"),
        null=True,
        blank=True,
        help_text=_("Every start of the rule up to this moment has been booked or recorded."),
    )
    price_told = models.DecimalField(
        _("price told"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The board's price (yuan) the resident was last shown or told."),
    )
    price_changed_at = models.DateTimeField(
        _("price change told at"),
        null=True,
        blank=True,
        help_text=_("When the resident was told of a new price: ending the series is then free."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "pk"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self):
        return f"#{self.pk} {self.summary}"

    def get_absolute_url(self):
        return reverse("bookings:series-detail", args=[self.pk])

    @property
    def display_summary(self) -> str:
        """How often, in the active language, made from the rule when shown (``summary`` keeps
        the words of the language it was booked in, for the admin only)."""
        return describe(self.rule, self.dtstart) or self.summary


class SeriesOccurrence(models.Model):
    """One start of a series' rule: booked (its appointment), unfilled (nobody free), skipped
    by the resident, or ended with the series. ``start`` is the rule's start (aware), kept when
    the appointment is moved."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        UNFILLED = "unfilled", _("No worker free")
        SKIPPED = "skipped", _("Skipped")
        ENDED = "ended", _("Series ended")

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("series")
    )
    start = models.DateTimeField(_("start"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    appointment = models.OneToOneField(
        "bookings.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="series_occurrence",
        verbose_name=_("appointment"),
    )
    substitute = models.BooleanField(
        _("another worker"),
        default=False,
        help_text=_("The preferred worker was not free; another qualified worker was held."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("series visit")
        verbose_name_plural = _("series visits")
        constraints = [
            # Extending twice (two beat runs, a beat run racing the resident's page) records
            # each start of the rule once.
            models.UniqueConstraint(fields=["series", "start"], name="series_occurrence_once"),
        ]

    def __str__(self):
        return f"{self.series_id} {self.start:%Y-%m-%d %H:%M} {self.status}"
