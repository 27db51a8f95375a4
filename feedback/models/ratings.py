"""A resident's rating of one completed appointment."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.policy import REVIEW_TEXT_MAX


class Rating(models.Model):
    """1–5 stars, optional tags and text, for one completed appointment (one per appointment).

    Enterprise staff may hide an abusive review (``hidden_reason``, who, when); a rating is
    never deleted. ``worker`` and ``provider`` are copied from the appointment when rated, so
    the figures do not change if the appointment's worker changes later.
    """

    class Tag(models.TextChoices):
        PUNCTUAL = "punctual", _("Punctual")
        SKILLED = "skilled", _("Skilled")
        COURTEOUS = "courteous", _("Courteous")
        TIDY = "tidy", _("Tidy")
        LATE = "late", _("Late")
        UNSKILLED = "unskilled", _("Not skilled")
        RUDE = "rude", _("Discourteous")
        MESSY = "messy", _("Left a mess")

    appointment = models.OneToOneField(
        "bookings.Appointment",
        on_delete=models.PROTECT,
        related_name="rating",
        verbose_name=_("appointment"),
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resident"),
    )
    worker = models.ForeignKey(
        "bookings.Worker",
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("worker"),
    )
    provider = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("provider"),
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    text = models.CharField(_("review"), max_length=REVIEW_TEXT_MAX, blank=True)
    created = models.DateTimeField(_("rated at"), auto_now_add=True)
    updated = models.DateTimeField(_("changed at"), auto_now=True)
    hidden_reason = models.CharField(_("why hidden"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["provider", "created"], name="rating_provider_created")]

    def __str__(self):
        return f"{self.appointment_id}: {self.stars}★"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def tag_labels(self) -> list[str]:
        """The tags' labels in the active language."""
        return [self.Tag(t).label for t in self.tags if t in self.Tag.values]

    def reviewer_label(self) -> str:
        """What the public sees of the reviewer: first name and community only."""
        return f"{self.resident.first_name or '—'} · {self.community.display_name}"
