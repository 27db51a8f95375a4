"""Appointment events keep their fixed reasons untranslated with the values they name
(``reason_params``: times as ISO 8601, a worker's notes as written), translated and filled in
when shown (``AppointmentEvent.display_reason``); dispatch attempts' fixed notes likewise
(``DispatchAttempt.display_note``). Rows written before were stored in the language active
when they were made (the resident's, the worker's, or the beat's): this turns them back into
the source text and its values."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations, models

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# The zh-hans catalogue's translations of the fixed reasons and notes without values.
CHINESE_TO_SOURCE = {
    "同一预约的重复点击": "A second click on the same booking",
    "服务人员已接单": "Accepted by the worker",
    "新时间由其他服务人员承接": "Another worker takes the new time",
    "由管理员分派": "Assigned by a manager",
    "已改派给其他服务人员": "Assigned to another worker",
    "住户预约": "Booked by the resident",
    "预约已确认": "Booking confirmed",
    "住户取消": "Cancelled by the resident",
    "已完成": "Completed",
    "No saved card; nothing was charged": "No saved card; nothing was charged",
    "跳过定期服务中的一次上门": "One visit of a series skipped",
    "预约已取消": "The appointment was cancelled",
    "预约已改期": "The appointment was moved",
    "预约未能完成，未扣任何费用": "The booking could not be completed; nothing was charged",
    "预约未在规定时间内完成": "The booking was not completed in time",
    "银行卡支付未成功": "The card payment did not go through",
    "The card service could not be reached; nothing was charged": "The card service could not be reached; nothing was charged",
    "The card was declined; nothing was charged": "The card was declined; nothing was charged",
    "定期服务已结束": "The series was ended",
    "原服务人员已无法承接此工作，将改派给其他服务人员。": "The worker can no longer do this job; it goes to another worker.",
    "该订单正在支付中": "This order is already being paid",
    "候补保留超时未接受": "Waiting list offer expired unanswered",
    "候补保留已撤回": "Waiting list offer withdrawn",
    "服务人员已签到": "Worker checked in",
}

# Reasons with values, as they were stored in either language: (pattern, source text).
WITH_VALUES = [
    (
        re.compile(r"^Moved from (?P<old>[\d-]+ [\d:]+) to (?P<new>[\d-]+ [\d:]+)$"),
        "Moved from %(old)s to %(new)s",
    ),
    (
        re.compile(r"^由 (?P<old>[\d-]+ [\d:]+) 改期至 (?P<new>[\d-]+ [\d:]+)$"),
        "Moved from %(old)s to %(new)s",
    ),
    (re.compile(r"^Completed: (?P<notes>.*)$", re.S), "Completed: %(notes)s"),
    (re.compile(r"^已完成：(?P<notes>.*)$", re.S), "Completed: %(notes)s"),
    (re.compile(r"^No-show: (?P<notes>.*)$", re.S), "No-show: %(notes)s"),
    (re.compile(r"^住户爽约：(?P<notes>.*)$", re.S), "No-show: %(notes)s"),
]


def _iso(local_text):
    """'2026-12-01 10:00' (local, as the old rows wrote it) as ISO 8601 with its offset."""
    return datetime.strptime(local_text, "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ).isoformat()


def _untranslate(text):
    if text in CHINESE_TO_SOURCE:
        return CHINESE_TO_SOURCE[text], {}
    for pattern, source in WITH_VALUES:
        found = pattern.match(text)
        if found:
            params = found.groupdict()
            for key in ("old", "new"):
                if key in params:
                    params[key] = _iso(params[key])
            return source, params
    return None


def untranslate(apps, schema_editor):
    AppointmentEvent = apps.get_model("bookings", "AppointmentEvent")
    for event in AppointmentEvent.objects.exclude(reason="").iterator():
        found = _untranslate(event.reason)
        if found is not None:
            event.reason, event.reason_params = found
            event.save(update_fields=["reason", "reason_params"])
    DispatchAttempt = apps.get_model("bookings", "DispatchAttempt")
    for chinese, source in CHINESE_TO_SOURCE.items():
        DispatchAttempt.objects.filter(note=chinese).update(note=source)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0022_notice_kinds_complaints_and_repairs"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointmentevent",
            name="reason_params",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The values a fixed reason names (times as ISO 8601, a worker's notes "
                "as written); the reason is translated when shown.",
                verbose_name="details of why",
            ),
        ),
        migrations.RunPython(untranslate, migrations.RunPython.noop),
    ]
