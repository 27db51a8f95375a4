"""One-click bookings record the booking form's one-time key, unique per resident: a double
click (or two racing requests) with one key returns the first appointment instead of booking a
second worker. Nullable: basket checkout and older appointments have none (and are not
indexed)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_due_reminders_every_15_seconds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="booking_key",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=200,
                null=True,
                verbose_name="booking key",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            # Partial, which also lets SQLite add it as an index instead of rebuilding the
            # table (a rebuild would try to create the PostgreSQL-only exclusion constraint).
            constraint=models.UniqueConstraint(
                condition=models.Q(booking_key__isnull=False),
                fields=("resident", "booking_key"),
                name="appointment_booking_key_once",
            ),
        ),
    ]
