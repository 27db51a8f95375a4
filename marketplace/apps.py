from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Oscar's analytics count every product page view with two counter UPDATEs and an
        # INSERT. Every visitor of a popular service then queues on the same counter row, and
        # nothing in Linli reads those counts. Orders and basket additions are still counted.
        from oscar.apps.analytics.receivers import receive_product_view
        from oscar.apps.catalogue.signals import product_viewed

        product_viewed.disconnect(receive_product_view)
