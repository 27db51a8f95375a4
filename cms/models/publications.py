"""The permanent record of every publication of a fee board (its public change log)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BoardPublication(models.Model):
    """One row per published revision of a board: the public change log's permanent record.

    It copies what was charged (charging items and life services) and a fingerprint of every
    section, so the change log survives Wagtail's revision purging and page deletion: nothing
    published ever disappears.
    """

    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="board_publications",
        verbose_name=_("community"),
    )
    board = models.ForeignKey(
        "cms.FeeBoardPage",
        on_delete=models.SET_NULL,
        null=True,
        related_name="publications",
        verbose_name=_("fee board"),
    )
    revision_id = models.PositiveBigIntegerField(_("revision"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    charges = models.JSONField(_("charges"), default=list)
    sections = models.JSONField(_("section fingerprints"), default=dict)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("board publication")
        verbose_name_plural = _("board publications")
        constraints = [
            # A revision is recorded once, even if it is published again after an unpublish.
            models.UniqueConstraint(
                fields=["community", "revision_id"], name="one_publication_per_revision"
            ),
        ]

    def __str__(self):
        return f"{self.community} #{self.revision_id}"
