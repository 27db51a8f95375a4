"""Services are Oscar Products; we add the English title and description."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct, AbstractProductClass

from marketplace.models import bilingual


class ProductClass(AbstractProductClass):
    name_en = models.CharField(_("name (English)"), max_length=128, blank=True)

    @property
    def display_name(self) -> str:
        return bilingual(self.name, self.name_en)


class Product(AbstractProduct):
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    def get_title(self):
        title = super().get_title()
        return bilingual(title, self.title_en)

    @property
    def display_description(self) -> str:
        return bilingual(self.description, self.description_en)

    def _attribute(self, code):
        # Reads the (prefetched) attribute values, so listings cost no query per product.
        for value in self.attribute_values.all():
            if value.attribute.code == code:
                return value.value
        return None

    @property
    def duration_minutes(self) -> int | None:
        value = self._attribute("duration_minutes")
        return int(value) if value is not None else None

    @property
    def unit_label(self) -> str:
        """The pricing unit, stored as "次 / visit": the half for the active language."""
        value = self._attribute("unit") or ""
        zh, _sep, en = value.partition(" / ")
        return bilingual(zh, en)

    @property
    def cancellation_fee(self):
        from decimal import Decimal

        value = self._attribute("cancellation_fee")
        return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else Decimal("0")


from oscar.apps.catalogue.models import *  # noqa: E402,F403
