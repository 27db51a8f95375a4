"""Appointment events' fixed reasons were stored translated (in Chinese when the booking was
made in Chinese). They are stored as their source text now and translated when shown
(``AppointmentEvent.display_reason``): this turns the stored Chinese back into that text."""

from django.db import migrations

# The zh-hans catalogue's translations of bookings.models.appointments.STANDARD_REASONS.
CHINESE_TO_SOURCE = {
    "已改派给其他服务人员": "Assigned to another worker",
    "由管理员分派": "Assigned by a manager",
    "服务人员已接单": "Accepted by the worker",
    "住户预约": "Booked by the resident",
    "预约已确认": "Booking confirmed",
    "预约未能完成，未扣任何费用": "The booking could not be completed; nothing was charged",
    "住户取消": "Cancelled by the resident",
    "新时间由其他服务人员承接": "Another worker takes the new time",
    "服务人员已签到": "Worker checked in",
}


def untranslate(apps, schema_editor):
    AppointmentEvent = apps.get_model("bookings", "AppointmentEvent")
    for chinese, source in CHINESE_TO_SOURCE.items():
        AppointmentEvent.objects.filter(reason=chinese).update(reason=source)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0013_appointment_paid_by_package"),
    ]

    operations = [migrations.RunPython(untranslate, migrations.RunPython.noop)]
