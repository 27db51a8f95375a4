from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Ratings, complaints and credit stars (issue 16)."""

    name = "feedback"
    verbose_name = _("Ratings, complaints and credit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The beat tasks register under their names (CELERY_BEAT_SCHEDULE); the notices' kinds
        # register their texts (a worker that sends them must know them).
        from feedback import notices, tasks  # noqa: F401
        from feedback.ratings import cache

        cache.connect()  # the service page's cached reviews
