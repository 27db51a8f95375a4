from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Payments that finish later (3-D Secure, far dates, webhooks) confirm or release holds.
        from bookings import payment_flow  # noqa: F401
