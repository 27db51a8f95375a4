"""Workers and their time: who may do jobs, on which weekly hours, and when they are away."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from marketplace.policy import RATING_PRIOR_MEAN


class Worker(models.Model):
    """A person who does the jobs of one provider: cleaner, carer, courier, technician."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="worker_profile",
        verbose_name=_("user"),
    )
    provider = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        related_name="workers",
        verbose_name=_("provider"),
    )
    skills = models.ManyToManyField(
        "catalogue.ProductClass",
        blank=True,
        related_name="workers",
        verbose_name=_("skills"),
        help_text=_("The kinds of service this worker may be booked for."),
    )
    communities = models.ManyToManyField(
        "marketplace.Community",
        blank=True,
        related_name="workers",
        verbose_name=_("communities served"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    rating = models.DecimalField(
        _("rating"),
        max_digits=3,
        decimal_places=2,
        default=RATING_PRIOR_MEAN,
        help_text=_("Average of residents' ratings, 1 to 5."),
    )
    #: Who changed the worker (django-simple-history); the rating is computed, not edited.
    history = HistoricalRecords(excluded_fields=["rating"])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.email


class WeeklyHours(models.Model):
    """One stretch of a weekday on which a worker takes jobs (local time, Asia/Shanghai)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="weekly_hours", verbose_name=_("worker")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["worker", "weekday", "start"]
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="weekly_hours_end_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_hours_weekday_0_to_6"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class TimeOff(models.Model):
    """A worker is away: holiday, sick leave, training."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="time_off", verbose_name=_("worker")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["worker", "start"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="time_off_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.worker}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"
