"""Complaints on two clocks: due times, a pause while waiting for the resident, escalation
on breach (with an explicit clock: every service takes ``now``), satisfaction, reopen once."""

from datetime import datetime, timedelta

import pytest
from oscar.apps.communication.models import Notification
from prometheus_client import REGISTRY

from bookings.notify import channels
from bookings.notify.reminders import reminders_send_due
from feedback.complaints.services import (
    complaint_add_info,
    complaint_file,
    complaint_file_hotline,
    complaint_mark_complex,
    complaint_rate,
    complaint_reopen,
    complaint_request_info,
    complaint_resolve,
    complaint_respond,
    complaints_escalate_due,
)
from feedback.exceptions import Conflict, FeedbackError, NotAllowed
from feedback.models import Complaint, ComplaintEvent
from marketplace.policy import LOCAL_TZ

pytestmark = pytest.mark.django_db

#: 23:00 local: a 2 h clock crosses midnight.
LATE = datetime(2026, 3, 10, 23, 0, tzinfo=LOCAL_TZ)


def _send():
    """Send the notices written so far (after a commit, the notice task does)."""
    reminders_send_due()


def test_an_urgent_complaint_filed_at_23_00_is_due_at_01_00_and_resolved_within_24_h(
    resident, community
):
    c = complaint_file(
        user=resident,
        kind="property",
        category="water",
        text="停水了",
        community=community,
        now=LATE,
    )
    assert c.number.startswith("TS20260310")
    assert c.response_due == datetime(2026, 3, 11, 1, 0, tzinfo=LOCAL_TZ)
    assert c.resolution_due == datetime(2026, 3, 11, 23, 0, tzinfo=LOCAL_TZ)
    assert c.provider_id is None  # the enterprise answers the property


def test_an_ordinary_complaint_has_24_h_and_7_days_and_a_complex_one_15_days(
    completed, resident, provider_manager
):
    c = complaint_file(
        user=resident,
        kind="appointment",
        category="service_quality",
        text="没擦窗",
        appointment=completed,
        now=LATE,
    )
    assert c.provider_id == completed.stockrecord.partner_id
    assert c.worker_id == completed.worker_id
    assert c.response_due == LATE + timedelta(hours=24)
    assert c.resolution_due == LATE + timedelta(days=7)
    complaint_mark_complex(complaint=c, user=provider_manager, reason="需要第三方鉴定", now=LATE)
    c.refresh_from_db()
    assert c.resolution_due == LATE + timedelta(days=15)


def _response_breaches() -> float:
    labels = {"kind": "complaint", "clock": "response"}
    return REGISTRY.get_sample_value("linli_clock_breaches_total", labels) or 0.0


def test_breaching_the_response_clock_escalates_to_the_enterprise_then_the_street_office(
    resident, community, enterprise_editor
):
    c = complaint_file(
        user=resident,
        kind="property",
        category="lift",
        text="电梯困人",
        community=community,
        now=LATE,
    )
    # 00:59: still inside the 2 h that crossed midnight.
    assert complaints_escalate_due(now=LATE + timedelta(minutes=119)) == 0
    _send()
    before = Notification.objects.filter(recipient=enterprise_editor).count()
    breaches = _response_breaches()
    assert complaints_escalate_due(now=LATE + timedelta(minutes=121)) == 1
    assert _response_breaches() == breaches + 1  # counted once on /metrics
    c.refresh_from_db()
    assert c.escalation_level == 1
    _send()
    assert Notification.objects.filter(recipient=enterprise_editor).count() == before + 1
    # Running again changes nothing (claimed by level).
    assert complaints_escalate_due(now=LATE + timedelta(minutes=122)) == 0
    # 24 h after the first escalation, still unresolved: flagged for the street office.
    assert complaints_escalate_due(now=LATE + timedelta(hours=26, minutes=2)) == 1
    c.refresh_from_db()
    assert c.escalation_level == 2
    kinds = list(c.events.values_list("kind", flat=True))
    assert kinds.count("escalated") == 2
    _send()
    assert Notification.objects.filter(recipient=resident, subject__contains=c.number).exists()


def test_waiting_for_the_residents_information_pauses_both_clocks(
    resident, community, enterprise_editor
):
    c = complaint_file(
        user=resident,
        kind="fee",
        category="fee_not_on_board",
        text="多收了 50 元",
        community=community,
        now=LATE,
    )
    asked = LATE + timedelta(hours=1)
    complaint_request_info(complaint=c, user=enterprise_editor, text="请上传收据", now=asked)
    c.refresh_from_db()
    assert c.status == "waiting" and c.responded_at == asked
    # Eight days later (past the 7-day resolution due): paused, so no escalation.
    assert complaints_escalate_due(now=LATE + timedelta(days=8)) == 0
    answered = LATE + timedelta(days=3, hours=1)
    complaint_add_info(complaint=c, user=resident, text="收据如下", now=answered)
    c.refresh_from_db()
    assert c.status == "in_progress" and c.paused_at is None
    assert c.resolution_due == LATE + timedelta(days=7) + timedelta(days=3)
    assert complaints_escalate_due(now=LATE + timedelta(days=9)) == 0
    assert complaints_escalate_due(now=LATE + timedelta(days=10, minutes=1)) == 1


def test_answer_resolve_satisfaction_and_reopen_once(completed, resident, provider_manager):
    c = complaint_file(
        user=resident,
        kind="appointment",
        category="punctuality",
        text="迟到一小时",
        appointment=completed,
        now=LATE,
    )
    complaint_respond(
        complaint=c, user=provider_manager, text="抱歉，核实中", now=LATE + timedelta(hours=1)
    )
    complaint_resolve(
        complaint=c, user=provider_manager, text="已退还 20 元", now=LATE + timedelta(hours=5)
    )
    c.refresh_from_db()
    assert c.status == "resolved" and c.responded_at <= c.response_due
    complaint_rate(
        complaint=c, user=resident, satisfaction="dissatisfied", now=LATE + timedelta(hours=6)
    )
    complaint_reopen(complaint=c, user=resident, text="还不够", now=LATE + timedelta(hours=7))
    c.refresh_from_db()
    assert c.status == "in_progress" and c.reopened == 1 and c.resolved_at is None
    assert c.resolution_due == LATE + timedelta(hours=7) + timedelta(days=7)
    complaint_resolve(
        complaint=c, user=provider_manager, text="全额退款", now=LATE + timedelta(hours=9)
    )
    complaint_rate(
        complaint=c, user=resident, satisfaction="dissatisfied", now=LATE + timedelta(hours=10)
    )
    with pytest.raises(Conflict):
        complaint_reopen(complaint=c, user=resident, text="再开", now=LATE + timedelta(hours=11))
    assert Complaint.objects.get(pk=c.pk).status == "closed"


def test_a_12345_ticket_is_entered_by_staff_and_runs_the_same_flow(
    community, enterprise_editor, other_enterprise_staff
):
    with pytest.raises(NotAllowed):
        complaint_file_hotline(
            staff=other_enterprise_staff,
            ticket="BJ12345-1",
            community=community,
            kind="property",
            category="heating",
            text="暖气不热",
            now=LATE,
        )
    with pytest.raises(FeedbackError):
        complaint_file_hotline(
            staff=enterprise_editor,
            ticket="",
            community=community,
            kind="property",
            category="heating",
            text="暖气不热",
            now=LATE,
        )
    c = complaint_file_hotline(
        staff=enterprise_editor,
        ticket="BJ12345-1",
        community=community,
        kind="property",
        category="heating",
        text="暖气不热",
        caller_name="张先生",
        now=LATE,
    )
    assert c.channel == "hotline" and c.resident is None
    assert c.response_due == LATE + timedelta(hours=2)
    complaint_resolve(
        complaint=c, user=enterprise_editor, text="已修复", now=LATE + timedelta(hours=1)
    )
    complaint_rate(
        complaint=c, user=enterprise_editor, satisfaction="satisfied", now=LATE + timedelta(hours=2)
    )
    assert Complaint.objects.get(pk=c.pk).satisfaction == "satisfied"


def test_complaining_about_someone_elses_appointment_writes_nothing(completed, other_resident):
    with pytest.raises(NotAllowed):
        complaint_file(
            user=other_resident,
            kind="appointment",
            category="other",
            text="x",
            appointment=completed,
        )
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


@pytest.mark.parametrize(
    ("kind", "category", "text"),
    [
        ("nonsense", "other", "x"),
        ("property", "nonsense", "x"),
        ("property", "other", ""),
        ("property", "other", "长" * 1001),
    ],
)
def test_bad_complaints_are_refused(resident, community, kind, category, text):
    with pytest.raises(FeedbackError):
        complaint_file(user=resident, kind=kind, category=category, text=text, community=community)
    assert not Complaint.objects.exists()


def test_filing_tells_the_providers_managers(completed, resident, provider_manager, mailoutbox):
    channels.outbox.clear()
    complaint_file(
        user=resident, kind="appointment", category="conduct", text="态度差", appointment=completed
    )
    _send()
    assert Notification.objects.filter(recipient=provider_manager).count() == 1


def test_beat_escalates_overdue_complaints_every_minute(settings, resident, community):
    from django.utils import timezone

    from feedback.tasks import escalate_complaints_task, grade_last_month_task

    entry = settings.CELERY_BEAT_SCHEDULE["feedback: escalate complaints"]
    assert entry == {"task": "feedback.tasks.escalate_complaints", "schedule": 60.0}
    assert (
        settings.CELERY_BEAT_SCHEDULE["feedback: credit stars"]["task"]
        == grade_last_month_task.name
    )
    c = complaint_file(
        user=resident,
        kind="property",
        category="gas",
        text="燃气味",
        community=community,
        now=timezone.now() - timedelta(hours=3),
    )
    assert escalate_complaints_task.apply().get() == 1
    assert Complaint.objects.get(pk=c.pk).escalation_level == 1
