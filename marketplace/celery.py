"""The Celery app. Workers and beat run as separate processes (other machines in production).

Tasks are routed to three queues: ``dispatch`` (offers to workers), ``notifications``
(email, SMS, inbox) and ``default``. Late acks plus reject-on-worker-lost mean a task whose
worker dies is redelivered; every task is therefore idempotent (it claims rows first).
"""

import os

from celery import Celery
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
    "bookings.dispatch.*": {"queue": "dispatch"},
    "bookings.tasks.dispatch_*": {"queue": "dispatch"},
    "bookings.tasks.notify_*": {"queue": "notifications"},
    "bookings.notifications.*": {"queue": "notifications"},
}
app.autodiscover_tasks()
