"""The Celery app. Workers and beat run as separate processes (other machines in production).

Tasks are routed to three queues: ``dispatch`` (offers to workers), ``notifications``
(email, SMS, inbox) and ``default``. Late acks plus reject-on-worker-lost mean a task whose
worker dies is redelivered; every task is therefore idempotent (it claims rows first).
"""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.base")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("dispatch"), Queue("notifications"))
app.conf.task_default_queue = "default"
app.conf.task_routes = {
    "bookings.dispatch.*": {"queue": "dispatch"},
    "bookings.tasks.dispatch_*": {"queue": "dispatch"},
    "bookings.tasks.notify_*": {"queue": "notifications"},
    "bookings.notifications.*": {"queue": "notifications"},
}
app.autodiscover_tasks()
