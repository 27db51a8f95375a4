from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    """Repair requests (报修): reporting, dispatch to maintenance workers, clocks, quotes."""

    name = "repairs"
    verbose_name = _("Repair requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The payment receivers (a quote approved once 3-D Secure finishes) and the tasks.
        from repairs import handlers, notices, quotes, tasks  # noqa: F401
