"""Settings of the Celery processes of the broker-outage drill: the dispatch tests' worker
settings (the test database, mail and SMS to files), with beat on the production scheduler
(django-celery-beat's ``DatabaseScheduler``, which ``/healthz/dispatch/`` reads) and the
dispatch entries every second instead of every 30 s, under their production names."""

from tests.bookings.dispatch.worker_settings import *  # noqa: F403

CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # bookings.dispatch.health.SWEEP_ENTRY (not imported: settings load before the apps)
    "linli: dispatch outbox sweep": {"task": "bookings.tasks.dispatch_sweep", "schedule": 1.0},
    "linli: expire offers": {"task": "bookings.tasks.dispatch_expire_offers", "schedule": 1.0},
}
