"""The Celery app. Workers and beat run as separate processes (other machines in production).

Tasks are routed to three queues: ``dispatch`` (offers to workers), ``notifications``
(email, SMS, inbox) and ``default``. Late acks plus reject-on-worker-lost mean a task whose
worker dies is redelivered; every task is therefore idempotent (it claims rows first).
"""

import os

from celery import Celery
from celery.signals import task_prerun
from django.db import close_old_connections
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.base")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("default", "dispatch", "notifications")
)
app.conf.task_default_queue = "default"
app.conf.task_default_exchange = "default"
app.conf.task_default_routing_key = "default"
app.conf.task_routes = {
    "bookings.tasks.dispatch_*": {"queue": "dispatch"},
    "bookings.tasks.notify_*": {"queue": "notifications"},
}
app.autodiscover_tasks()

# Request ids into tasks and their log lines (connects Celery's signals).
import marketplace.observability  # noqa: E402,F401


@task_prerun.connect(dispatch_uid="linli-old-db-connections")
def _drop_old_db_connections(task=None, **kwargs):
    """Before each task, what Django does before each request: drop a database connection
    that failed or outlived CONN_MAX_AGE (Celery reuses them: CELERY_DB_REUSE_MAX)."""
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run inline by the caller, inside its transaction
    close_old_connections()
