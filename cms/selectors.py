"""Reads for the cms pages' contexts."""

from marketplace.catalogue.models import ProductClass
from marketplace.models import Community


def home_context(request) -> dict:
    """The home page's communities (with their enterprises) and service classes, lazily."""
    return {
        "communities": Community.objects.select_related("enterprise").order_by("pk"),
        "categories": ProductClass.objects.order_by("pk"),
    }
