"""A complaint's timeline keeps what the system says as codes (escalations as untranslated
source text, the satisfaction as its code, evidence as a link to the appointment's event or
message) and renders them in the reader's language, whichever language the beat or the
request that wrote them ran in; what people wrote is shown as written, marked
translate="no"."""

import importlib
import re
from datetime import timedelta

import pytest
from django.utils import translation

from bookings.models import AppointmentEvent
from feedback.complaints.services import (
    complaint_attach_event,
    complaint_file,
    complaint_rate,
    complaint_resolve,
    complaints_escalate_due,
)
from feedback.models import Complaint, ComplaintEvent
from tests.feedback.test_complaints import LATE

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]+")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def _timeline(page: str) -> str:
    """The timeline's visible text without what people wrote (translate="no")."""
    start = page.index('id="complaint-timeline"')
    html = page[start : page.index("</ol>", start)]
    html = re.sub(r'<span translate="no">.*?</span>', " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html.split(">", 1)[1])


@pytest.fixture
def escalated_in_chinese(resident, community, enterprise_editor):
    """A complaint escalated twice by a beat that ran in Chinese, then resolved and rated
    "basically satisfied" with a comment, all in Chinese."""
    with translation.override("zh-hans"):
        c = complaint_file(
            user=resident,
            kind="property",
            category="lift",
            text="电梯困人",
            community=community,
            now=LATE,
        )
        complaints_escalate_due(now=LATE + timedelta(minutes=121))
        complaints_escalate_due(now=LATE + timedelta(hours=26, minutes=2))
        complaint_resolve(
            complaint=c, user=enterprise_editor, text="已修好", now=LATE + timedelta(hours=27)
        )
        complaint_rate(
            complaint=c,
            user=resident,
            satisfaction=Complaint.Satisfaction.BASIC,
            text="修得慢",
            now=LATE + timedelta(hours=28),
        )
    return c


def test_escalations_and_the_satisfaction_are_stored_as_codes(escalated_in_chinese):
    stored = dict(escalated_in_chinese.events.values_list("kind", "text"))
    assert stored["escalated"] == (
        "Still unresolved after escalation: flagged for the street office."
    )
    texts = escalated_in_chinese.events.filter(kind="escalated").values_list("text", flat=True)
    assert not any(CJK.search(t) for t in texts)
    assert stored["rated"] == "修得慢"  # only the resident's words: the label is the code


def test_the_residents_timeline_reads_in_english(client, resident, escalated_in_chinese, english):
    client.force_login(resident)
    page = client.get(f"/shop/accounts/complaints/{escalated_in_chinese.pk}/").content.decode()
    timeline = _timeline(page)
    assert CJK.findall(timeline) == []
    assert "The first-response clock was overrun" in timeline
    assert "Basically satisfied" in timeline
    assert '<span translate="no">修得慢</span>' in page


def test_the_desks_timeline_reads_in_chinese(client, enterprise_editor, escalated_in_chinese):
    client.force_login(enterprise_editor)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/desk/complaints/{escalated_in_chinese.pk}/").content.decode()
    timeline = _timeline(page)
    assert LATIN_WORD.findall(timeline) == []
    assert "首次响应时限已超" in timeline and "基本满意：" in timeline


def test_an_attached_appointment_event_is_shown_in_the_readers_language(completed, resident):
    with translation.override("zh-hans"):
        c = complaint_file(
            user=resident,
            kind="appointment",
            category="service_quality",
            text="没擦窗",
            appointment=completed,
            now=LATE,
        )
        confirmed = AppointmentEvent.objects.get(appointment=completed, to_status="confirmed")
        step = complaint_attach_event(complaint=c, user=resident, appointment_event=confirmed)
    step = ComplaintEvent.objects.select_related("appointment_event").get(pk=step.pk)
    assert step.text == ""  # nothing stored in the language of the moment
    with translation.override("en"):
        assert step.display_label.endswith("Confirmed Booking confirmed")
    with translation.override("zh-hans"):
        assert step.display_label.endswith("已确认 预约已确认")


@pytest.mark.parametrize(
    "kind,stored,after",
    [
        (
            "escalated",
            "首次响应时限已超：已升级至物业企业负责人。",
            "The first-response clock was overrun: escalated to the enterprise's manager.",
        ),
        (
            "escalated",
            "The resolution clock was overrun: escalated to the enterprise's manager.",
            "The resolution clock was overrun: escalated to the enterprise's manager.",
        ),
        ("rated", "基本满意：修得慢", "修得慢"),
        ("rated", "Dissatisfied: too slow", "too slow"),
        ("rated", "满意", ""),
        ("responded", "满意度很高", "满意度很高"),  # a person's words are not touched
    ],
)
def test_the_old_rows_are_turned_back_into_codes(resident, community, kind, stored, after):
    from django.apps import apps

    c = complaint_file(
        user=resident, kind="property", category="lift", text="x", community=community, now=LATE
    )
    event = ComplaintEvent.objects.create(complaint=c, kind=kind, at=LATE, text=stored)
    migration = importlib.import_module(
        "feedback.migrations.0004_complaint_event_texts_untranslated"
    )
    migration.untranslate(apps, None)
    event.refresh_from_db()
    assert event.text == after
