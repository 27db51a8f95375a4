"""Providers are Oscar Partners; a price is a StockRecord for one community."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner, AbstractStockRecord
from simple_history.models import HistoricalRecords

from marketplace.models import bilingual
from marketplace.validators import normalize_phone_text


class Partner(AbstractPartner):
    """A service provider (服务商): run by the enterprise itself or a third party."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Run by the property service enterprise")
        THIRD_PARTY = "third_party", _("Third-party provider")

    name_en = models.CharField(_("name (English)"), max_length=128, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.THIRD_PARTY
    )
    enterprise = models.ForeignKey(
        "marketplace.Enterprise",
        on_delete=models.PROTECT,
        related_name="providers",
        null=True,
        blank=True,
        verbose_name=_("enterprise"),
        help_text=_("The enterprise whose communities this provider serves."),
    )
    licence_number = models.CharField(_("business licence number"), max_length=50, blank=True)
    phone = models.CharField(_("service telephone"), max_length=30, blank=True)
    communities = models.ManyToManyField(
        "marketplace.Community",
        blank=True,
        related_name="providers",
        verbose_name=_("communities served"),
    )
    offer_timeout_minutes = models.PositiveSmallIntegerField(
        _("offer timeout (minutes)"),
        default=15,
        help_text=_("How long a worker has to accept a dispatched job."),
    )
    #: Who changed the provider's details, and when (django-simple-history).
    history = HistoricalRecords()

    def clean(self):
        """Model validation; the telephone in ASCII, as written (``normalize_phone_text``)."""
        super().clean()
        self.phone = normalize_phone_text(self.phone)

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return bilingual(self.name, self.name_en)


class StockRecord(AbstractStockRecord):
    """The price of one service in one community. Oscar's Strategy picks it per resident."""

    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stockrecords",
        verbose_name=_("community"),
    )
    #: Who changed a price, and when, from any page (Oscar's dashboard, the console, the admin):
    #: the enterprise must be able to show it (README, "Who changed what").
    history = HistoricalRecords(excluded_fields=["num_allocated", "date_updated"])

    class Meta(AbstractStockRecord.Meta):
        constraints = [
            # One price per service per community: the fee board lists exactly one.
            models.UniqueConstraint(
                fields=["product", "community"],
                condition=Q(community__isnull=False),
                name="one_price_per_service_per_community",
            ),
        ]


from oscar.apps.partner.models import *  # noqa: E402,F403
