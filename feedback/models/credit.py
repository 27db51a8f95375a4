"""Monthly credit stars (信用星级): one row per subject and month, never overwritten by time."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CreditGrade(models.Model):
    """A provider's or an enterprise's grade for one calendar month (local time).

    ``inputs`` holds every published input as computed (strings for decimals), ``score`` the
    weighted score 0–1, ``stars`` 1–5 (``feedback.credit.grades``). Recomputing a past month
    gives the same row (the inputs are read as of the month's end).
    """

    class Subject(models.TextChoices):
        PROVIDER = "provider", _("Service provider")
        ENTERPRISE = "enterprise", _("Property service enterprise")

    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    provider = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_grades",
        verbose_name=_("provider"),
    )
    enterprise = models.ForeignKey(
        "marketplace.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_grades",
        verbose_name=_("enterprise"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month graded."))
    stars = models.PositiveSmallIntegerField(_("stars"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=4)
    inputs = models.JSONField(_("inputs"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("credit grade")
        verbose_name_plural = _("credit grades")
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="credit_1_to_5"),
            models.CheckConstraint(
                condition=(Q(subject="provider", provider__isnull=False, enterprise__isnull=True))
                | (Q(subject="enterprise", enterprise__isnull=False, provider__isnull=True)),
                name="credit_one_subject",
            ),
            models.UniqueConstraint(
                fields=["provider", "month"],
                condition=Q(provider__isnull=False),
                name="credit_provider_month_once",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "month"],
                condition=Q(enterprise__isnull=False),
                name="credit_enterprise_month_once",
            ),
        ]

    def __str__(self):
        return f"{self.provider or self.enterprise} {self.month:%Y-%m}: {self.stars}★"
