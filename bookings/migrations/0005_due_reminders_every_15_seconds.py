"""Due reminders are swept every 15 s instead of every minute: a reminder goes out at most
~15 s after its due time (the sweep is one indexed query, ``reminder_due``, usually empty)."""

from django.db import migrations

NAME = "linli: due reminders"


def interval(every, period):
    def apply(apps, schema_editor):
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.filter(name=NAME).update(interval=schedule)

    return apply


class Migration(migrations.Migration):
    dependencies = [("bookings", "0004_beat_schedule")]

    operations = [migrations.RunPython(interval(15, "seconds"), interval(1, "minutes"))]
