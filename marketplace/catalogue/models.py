"""Services are Oscar Products; we add the English title and description."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct, AbstractProductClass

from marketplace.models import bilingual


class ProductClass(AbstractProductClass):
    """A kind of service (eldercare, housekeeping ...), with its English name."""

    name_en = models.CharField(_("name (English)"), max_length=128, blank=True)

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return bilingual(self.name, self.name_en)


class Product(AbstractProduct):
    """A service: Oscar's Product with an English title and description."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    def get_title(self):
        """The title in the active language."""
        title = super().get_title()
        return bilingual(title, self.title_en)

    @property
    def display_description(self) -> str:
        """The description in the active language."""
        return bilingual(self.description, self.description_en)

    def attribute_map(self) -> dict:
        """{code: value} of this service's attributes: no query when ``attribute_values`` (with
        their attribute) were prefetched, as listings do; one query otherwise."""
        values = self.attribute_values.all()
        if "attribute_values" not in getattr(self, "_prefetched_objects_cache", {}):
            values = values.select_related("attribute")
        return {value.attribute.code: value.value for value in values}

    @property
    def duration_minutes(self) -> int | None:
        """The service's duration in minutes (its attribute), or None."""
        value = self.attribute_map().get("duration_minutes")
        return int(value) if value is not None else None

    @property
    def unit_label(self) -> str:
        """The pricing unit, stored as "次 / visit": the half for the active language."""
        return bilingual(*split_unit(str(self.attribute_map().get("unit") or "")))


def split_unit(unit: str) -> tuple[str, str]:
    """The catalogue writes units as "次 / visit": (Chinese, English)."""
    zh, _sep, en = (unit or "").partition(" / ")
    return zh.strip(), (en.strip() or zh.strip())


from oscar.apps.catalogue.models import *  # noqa: E402,F403
