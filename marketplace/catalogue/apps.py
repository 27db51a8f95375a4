import oscar.apps.catalogue.apps as apps

from marketplace.catalogue import listing_cache


class CatalogueConfig(apps.CatalogueConfig):
    """Oscar's catalogue app, forked: connects the catalogue version's receivers."""

    name = "marketplace.catalogue"

    def ready(self):
        super().ready()
        listing_cache.connect()
