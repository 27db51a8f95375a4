"""A complaint's timeline keeps what the system says as codes, translated when shown
(``ComplaintEvent.display_label``): escalations as their untranslated source text, the
satisfaction as its code, attached evidence from the linked appointment event or message.
Rows written before stored them translated in whatever language the beat or the request ran
in: this turns escalations back into source text and strips the satisfaction label from a
rating's text, leaving only the resident's own words."""

import re

from django.db import migrations

FIRST = "The first-response clock was overrun: escalated to the enterprise's manager."
RESOLUTION = "The resolution clock was overrun: escalated to the enterprise's manager."
STREET = "Still unresolved after escalation: flagged for the street office."

# Escalation texts as they were stored, in English and in zh-hans.
ESCALATIONS = {
    "The first response clock was overrun: escalated to the enterprise's manager.": FIRST,
    "The resolution clock was overrun: escalated to the enterprise's manager.": RESOLUTION,
    "首次响应时限已超：已升级至物业企业负责人。": FIRST,
    "办结时限已超：已升级至物业企业负责人。": RESOLUTION,
    STREET: STREET,
    "升级后仍未办结：已标记报街道办事处。": STREET,
}

# The satisfaction labels a rating's text began with, in both languages (longest first).
LABELS = ["Basically satisfied", "Dissatisfied", "Satisfied", "基本满意", "不满意", "满意"]
LABEL_PREFIX = re.compile(r"^(?:%s)(?:[:：]\s*)?" % "|".join(map(re.escape, LABELS)))


def untranslate(apps, schema_editor):
    ComplaintEvent = apps.get_model("feedback", "ComplaintEvent")
    for stored, source in ESCALATIONS.items():
        ComplaintEvent.objects.filter(kind="escalated", text=stored).update(text=source)
    for event in ComplaintEvent.objects.filter(kind="rated").exclude(text="").iterator():
        words = LABEL_PREFIX.sub("", event.text, count=1)
        if words != event.text:
            event.text = words
            event.save(update_fields=["text"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_complaint_about_a_repair"),
    ]

    operations = [migrations.RunPython(untranslate, migrations.RunPython.noop)]
