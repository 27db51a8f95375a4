"""The version that keys the catalogue's cached service grid.

The grid is the same for everyone who looks at the same community, language, category and
page; it is cached as a template fragment keyed by this version, which moves on whenever
anything it shows can change: a service, its class, attributes or images, a price
(``StockRecord``), or a fee board's publication.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from marketplace.cache import bump_version, register_version_key, request_version

CATALOGUE_VERSION_KEY = register_version_key("linli:catalogue:version")


def catalogue_version(request=None) -> int:
    """The current catalogue version (0 before the first change): part of the grid's key.
    Read with the request's other versions when ``request`` is given."""
    return request_version(request, CATALOGUE_VERSION_KEY)


def catalogue_changed(**kwargs) -> None:
    """Move the catalogue version on; accepts and ignores a signal's keyword arguments."""
    bump_version(CATALOGUE_VERSION_KEY)


def connect() -> None:
    """Move the catalogue version on at every save or delete of what the grid shows."""
    for label in (
        "catalogue.Product",
        "catalogue.ProductClass",
        "catalogue.ProductAttributeValue",
        "catalogue.ProductImage",
        "partner.StockRecord",
        "partner.Partner",
    ):
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            signal.connect(catalogue_changed, sender=model, dispatch_uid=f"linli-catalogue-{label}")
