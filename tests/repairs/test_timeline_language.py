"""A repair's timeline on the desk shows statuses and the system's notes in the reader's
language (stored as codes with their values, whoever made the step in whichever language),
and what people wrote (the fault, the worker's notes, the place) as written."""

import importlib
import re

import pytest
from django.apps import apps
from django.utils import translation

from repairs.dispatch import request_assign
from repairs.models import RepairEvent
from repairs.services import (
    request_check_in,
    request_complete,
    request_fund_disclose,
    request_report,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]+")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@pytest.fixture
def roof(resident, home, fixer, commit, desk_staff):
    """A common-area repair assigned by the desk, done and paid from the fund, every step
    made while Chinese was the active language."""
    with translation.override("zh-hans"):
        with commit():
            repair = request_report(
                user=resident,
                area="common",
                household=home,
                location="3号楼 屋面",
                category="walls_roof",
                description="屋面漏雨",
            )
        request_assign(request_id=repair.pk, worker_id=fixer.pk, by=desk_staff)
        request_check_in(request_id=repair.pk, worker=fixer)
        request_complete(request_id=repair.pk, worker=fixer, notes="屋面防水补漏")
        request_fund_disclose(request_id=repair.pk, staff=desk_staff, amount="3200.00")
    return repair


def _timeline(page: str) -> str:
    start = page.index('id="repair-timeline"')
    html = page[start : page.index("</ul>", start)]
    html = re.sub(r'<span translate="no">.*?</span>', " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html.split(">", 1)[1])


def test_the_notes_are_stored_as_codes_with_their_values(roof):
    notes = list(RepairEvent.objects.filter(request=roof).exclude(note="").values_list("note"))
    assert ("Assigned by the repair desk",) in notes
    fund = RepairEvent.objects.get(request=roof, note__startswith="Paid from")
    assert fund.note_params == {"amount": "3200.00"}


def test_the_desks_timeline_reads_in_english(client, desk_staff, roof, english):
    client.force_login(desk_staff)
    page = client.get(f"/repairs/desk/{roof.pk}/").content.decode()
    timeline = _timeline(page)
    assert CJK.findall(timeline) == []
    assert "Taken by a worker" in timeline and "accepted" not in timeline  # labels, not codes
    assert "Paid from the maintenance fund: ¥3,200.00" in timeline
    assert '<dd class="col-8 col-sm-9" translate="no">屋面防水补漏</dd>' in page


def test_the_desks_timeline_reads_in_chinese(client, desk_staff, roof):
    client.force_login(desk_staff)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/repairs/desk/{roof.pk}/").content.decode()
    timeline = _timeline(page)
    assert LATIN_WORD.findall(timeline) == []
    assert "报修服务台派单" in timeline and "使用专项维修资金：¥3,200.00" in timeline


def test_the_old_rows_are_turned_back_into_codes(roof):
    event = RepairEvent.objects.get(request=roof, note__startswith="Paid from")
    RepairEvent.objects.filter(pk=event.pk).update(note="使用专项维修资金：3200.00", note_params={})
    RepairEvent.objects.filter(request=roof, note="Assigned by the repair desk").update(
        note="报修服务台派单"
    )
    migration = importlib.import_module("repairs.migrations.0003_repair_event_note_params")
    migration.untranslate(apps, None)
    event.refresh_from_db()
    assert (event.note, event.note_params) == (migration.FUND, {"amount": "3200.00"})
    assert RepairEvent.objects.filter(request=roof, note="Assigned by the repair desk").exists()
