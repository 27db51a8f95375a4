from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here because models must be loaded first (Django's rule for ready()):
        # - the payment seam connects its receivers: payments that finish later (3-D Secure,
        #   far dates, webhooks) confirm or release holds;
        # - the tasks register under their names, which the dispatch outbox kicks by name;
        # - a worker deactivated or taken off a skill or community hands back their jobs,
        #   whatever path changed them (signal handlers);
        # - refunds and failed payments are told to the resident (``bookings.notify.handlers``).
        # - every change of a worker's calendar moves the slot cache's versions on.
        from bookings import tasks  # noqa: F401
        from bookings.appointments import payment  # noqa: F401
        from bookings.availability import handlers as slot_cache_handlers  # noqa: F401
        from bookings.dispatch import handlers  # noqa: F401
        from bookings.notify import handlers as notify_handlers  # noqa: F401
        from bookings.packages import holders  # noqa: F401 - the service page's package flag
