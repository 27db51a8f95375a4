import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    name = "marketplace.catalogue"

    def ready(self):
        super().ready()
        from marketplace.catalogue import listing_cache

        listing_cache.connect()
