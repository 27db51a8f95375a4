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


from oscar.apps.catalogue.models import *  # noqa: E402,F403
