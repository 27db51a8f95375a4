"""One beat schedule: ``CELERY_BEAT_SCHEDULE`` in ``marketplace/settings/base.py``.

0004 (and 0005) wrote the periodic tasks into django-celery-beat's tables; the setting now holds
every entry, and beat's DatabaseScheduler copies it into those tables at start. The rows 0004
made are removed here, so no entry is kept in two places (nor runs twice under two names). The
setting keeps their names, so beat recreates each with the same name and schedule.
"""

from django.db import migrations

#: The rows 0004_beat_schedule created (0005 only changed one's interval).
NAMES = [
    "linli: dispatch outbox sweep",
    "linli: expire offers",
    "linli: due reminders",
    "payments-authorise-due",
    "payments-reconcile",
]


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0007_rename_joboffer_dispatchround_notice"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Backwards: nothing to restore; beat recreates the rows from the setting at start.
    operations = [migrations.RunPython(remove, migrations.RunPython.noop)]
