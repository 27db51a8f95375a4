"""A partial index of each worker's active appointments by start (issue 20, scale): the slot
search, a booking's overlap check and load count, and the console read only these, and at
1,000,000 appointments the older indexes made them walk a worker's whole history."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0020_series_price_told"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["held", "confirmed", "accepted", "in_progress"])
                ),
                fields=["worker", "start"],
                name="appointment_worker_active",
            ),
        ),
    ]
