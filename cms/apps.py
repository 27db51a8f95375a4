from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """The cms app: Wagtail pages and the fee boards; connects its signal receivers."""

    name = "cms"
    verbose_name = _("Fee boards and pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Django's way of connecting receivers: cms.signals imports models of several apps,
        # which may be imported only once the app registry is ready, i.e. here, not at the
        # top of this module (loaded while the registry is being populated).
        from cms import signals  # noqa: F401
