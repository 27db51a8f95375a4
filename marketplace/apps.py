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
        from django.db.models.signals import post_migrate
        from oscar.apps.analytics.receivers import receive_product_view
        from oscar.apps.catalogue.signals import product_viewed

        from marketplace import metrics, signals  # noqa: F401  (connects the receivers)
        from marketplace.site_url import site_url_sync_after_migrate

        # Django's and Wagtail's sites name SITE_URL's host and port after every migrate.
        post_migrate.connect(
            site_url_sync_after_migrate, sender=self, dispatch_uid="linli-site-url"
        )

        # Oscar's analytics count every product page view with two counter UPDATEs and an
        # INSERT. Every visitor of a popular service then queues on the same counter row, and
        # nothing in Linli reads those counts. Orders and basket additions are still counted.
        product_viewed.disconnect(receive_product_view)
