"""Celery beat's schedule (django-celery-beat): the due-time scans that replace countdowns.

Dispatch outbox sweep and offer expiry every 30 s, due reminders every minute; payments'
far-date authorisations (every 5 min) and hourly reconciliation under the names their
settings entries use, so beat's DatabaseScheduler keeps one row for each.
"""

from django.db import migrations

INTERVALS = {
    "linli: dispatch outbox sweep": ("bookings.tasks.dispatch_sweep", 30, "seconds"),
    "linli: expire offers": ("bookings.tasks.dispatch_expire_offers", 30, "seconds"),
    "linli: due reminders": ("bookings.tasks.notify_due_reminders", 1, "minutes"),
    "payments-authorise-due": ("payments.tasks.authorise_due_payments", 5, "minutes"),
    "payments-reconcile": ("payments.tasks.reconcile_payments", 1, "hours"),
}


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, every, period) in INTERVALS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True}
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=list(INTERVALS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_dispatch_offers_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
