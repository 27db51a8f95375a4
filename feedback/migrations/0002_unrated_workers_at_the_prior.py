"""Workers nobody has rated yet start at the damped average's prior (4.50), not 5.00, so a
new worker does not outrank every rated one in dispatch's tie-break."""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    Worker = apps.get_model("bookings", "Worker")
    Rating = apps.get_model("feedback", "Rating")
    rated = Rating.objects.values("worker_id")
    Worker.objects.exclude(pk__in=rated).update(rating=Decimal("4.50"))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("bookings", "0017_worker_rating_prior"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
