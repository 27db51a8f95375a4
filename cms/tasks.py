"""Celery tasks of the cms app (schedule: ``CELERY_BEAT_SCHEDULE`` in ``marketplace/settings/base.py``).

The registered names are stable (beat rows name them): ``cms.tasks.*``.
"""

from celery import shared_task
from django.core.management import call_command
from django.db import OperationalError


@shared_task(
    name="cms.tasks.publish_scheduled",
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def publish_scheduled_task() -> None:
    """Beat, every minute: Wagtail's ``publish_scheduled`` (the command Wagtail's docs say to
    run regularly): revisions whose approved go-live time has come go live, expired pages
    are unpublished. A fee board revision that is incomplete is not published; its schedule is
    cleared and the refusal recorded in the page's history (``FeeBoardPage.publish``)."""
    call_command("publish_scheduled")
