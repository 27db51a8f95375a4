"""Settings of the Celery worker the dispatch tests start: the test settings, on the test
session's database, sending mail and SMS to files the test reads, beat every second."""

import os

from marketplace.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["LINLI_WORKER_DB_NAME"]  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["LINLI_WORKER_MAIL_DIR"]
SMS_BACKEND = "bookings.notify.channels.FileSMSBackend"
SMS_FILE_PATH = os.environ["LINLI_WORKER_SMS_DIR"]
# No quiet hours: the worker's tests must send their SMS at any hour of the day they run.
LINLI_SMS_QUIET_HOURS = ()
# A reminder claimed by a worker that died is sent by another after this (120 s in production).
LINLI_REMINDER_LEASE_SECONDS = 3
# The bookings tasks of CELERY_BEAT_SCHEDULE (base settings), every second instead of 15/30 s.
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CELERY_BEAT_SCHEDULE = {
    "dispatch-sweep": {"task": "bookings.tasks.dispatch_sweep", "schedule": 1.0},
    "expire-offers": {"task": "bookings.tasks.dispatch_expire_offers", "schedule": 1.0},
    "due-reminders": {"task": "bookings.tasks.notify_due_reminders", "schedule": 1.0},
}
