"""A repair's timeline keeps the system's notes untranslated with their values
(``note_params``), translated when shown (``RepairEvent.display_note``). Rows written before
stored them in the language of the request that made them: this turns them back into the
source text and its amount."""

import re

from django.db import migrations, models

DESK = "Assigned by the repair desk"
FUND = "Paid from the maintenance fund: %(amount)s"
FUND_STORED = re.compile(r"^(?:Paid from the maintenance fund: |使用专项维修资金：)¥?(?P<amount>[\d.,]+)$")


def untranslate(apps, schema_editor):
    RepairEvent = apps.get_model("repairs", "RepairEvent")
    RepairEvent.objects.filter(note="报修服务台派单").update(note=DESK)
    for event in RepairEvent.objects.exclude(note="").exclude(note=DESK).iterator():
        found = FUND_STORED.match(event.note)
        if found:
            event.note = FUND
            event.note_params = {"amount": found["amount"].replace(",", "")}
            event.save(update_fields=["note", "note_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("repairs", "0002_fund_disclosure"),
    ]

    operations = [
        migrations.AddField(
            model_name="repairevent",
            name="note_params",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The values a fixed note names (an amount in yuan as text).",
                verbose_name="details of the note",
            ),
        ),
        migrations.RunPython(untranslate, migrations.RunPython.noop),
    ]
