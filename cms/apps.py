from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Fee boards and pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import signals  # noqa: F401  (connects the receivers)
