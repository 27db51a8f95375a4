from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    """The site package: users, enterprises, communities and households; the site's glue."""

    name = "marketplace"
    verbose_name = _("Marketplace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, not at the top: these modules import models, which may be imported
        # only once the app registry is ready (Django's idiom for receivers).
        from oscar.apps.analytics.receivers import receive_product_view
        from oscar.apps.catalogue.signals import product_viewed

        from marketplace import metrics, signals  # noqa: F401  (connects the receivers)

        # Oscar's analytics count every product page view with two counter UPDATEs and an
        # INSERT. Every visitor of a popular service then queues on the same counter row, and
        # nothing in Linli reads those counts. Orders and basket additions are still counted.
        product_viewed.disconnect(receive_product_view)
