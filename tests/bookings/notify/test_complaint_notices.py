"""Complaints tell people through the one notice system: the recipient's channel choices per
kind, the SMS quiet hours, their language, once per step (``feedback.notices``)."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from oscar.apps.communication.models import Notification

from bookings.models import Notice, NoticeDelivery
from bookings.notify import channels
from bookings.notify.deliveries import deliveries_send_due
from bookings.notify.preferences import preferences_set
from bookings.notify.reminders import reminder_send, reminders_send_due
from feedback.complaints.services import complaint_file, complaint_resolve, complaint_respond
from marketplace.policy import LOCAL_TZ

pytestmark = pytest.mark.django_db
Kind = Notice.Kind


@pytest.fixture
def complaint(resident, community, enterprise_editor):
    """A complaint about the property (the enterprise's staff answer it) by ``resident``."""
    resident.phone = "13800138000"
    resident.save()
    return complaint_file(
        user=resident, kind="property", category="lift", text="电梯困人", community=community
    )


def _to(address):
    return [m for m in mail.outbox if address in m.to]


def test_a_resident_who_turned_off_email_for_complaint_answers_gets_none(
    complaint, resident, enterprise_editor
):
    preferences_set(user=resident, choices={Kind.COMPLAINT_ANSWERED: {"inbox", "sms"}})
    complaint_respond(complaint=complaint, user=enterprise_editor, text="已派人处理")
    reminders_send_due()
    answered = Notice.objects.get(kind=Kind.COMPLAINT_ANSWERED, recipient=resident)
    assert answered.status == "sent" and answered.channels == "inbox,sms"
    assert _to(resident.email) == []
    assert [t["template"] for t in channels.template_outbox if t["to"] == resident.phone] == [
        "LINLI_COMPLAINT_ANSWERED"
    ]
    assert Notification.objects.filter(recipient=resident, subject__contains=complaint.number)
    # The choice is per kind: the resolution still comes by email, and the staff were told of
    # the new complaint on every channel.
    complaint_resolve(complaint=complaint, user=enterprise_editor, text="已修好")
    reminders_send_due()
    assert len(_to(resident.email)) == 1
    assert complaint.number in _to(resident.email)[0].subject
    assert len(_to(enterprise_editor.email)) == 1


def test_each_step_is_told_once_even_if_sent_twice(complaint, resident, enterprise_editor):
    complaint_respond(complaint=complaint, user=enterprise_editor, text="已派人处理")
    assert reminders_send_due() == 2  # the staff's "filed", the resident's "answered"
    assert reminders_send_due() == 0
    assert Notice.objects.filter(kind=Kind.COMPLAINT_ANSWERED).count() == 1
    assert len(_to(resident.email)) == 1


def test_a_complaint_sms_in_the_quiet_hours_waits_for_the_morning(
    settings, complaint, resident, enterprise_editor
):
    settings.LINLI_SMS_QUIET_HOURS = (22, 8)
    complaint_respond(complaint=complaint, user=enterprise_editor, text="已派人处理")
    tomorrow = timezone.localdate(timezone.now(), LOCAL_TZ) + timedelta(days=1)
    night = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 23, 30, tzinfo=LOCAL_TZ)
    notice = Notice.objects.get(kind=Kind.COMPLAINT_ANSWERED)
    assert reminder_send(reminder_id=notice.pk, now=night)
    sms = NoticeDelivery.objects.get(notice=notice, channel="sms")
    morning = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 8, tzinfo=LOCAL_TZ)
    morning += timedelta(days=1)
    assert sms.status == "pending" and sms.due_at == morning
    assert channels.template_outbox == []  # held...
    assert len(_to(resident.email)) == 1  # ... while the email went at once
    deliveries_send_due(now=morning - timedelta(minutes=1))
    assert channels.template_outbox == []
    deliveries_send_due(now=morning)
    assert [t["to"] for t in channels.template_outbox] == [resident.phone]


def test_each_person_is_told_in_their_own_language(complaint, resident, enterprise_editor):
    resident.language, enterprise_editor.language = "en", "zh-hans"
    resident.save()
    enterprise_editor.save()
    complaint_respond(complaint=complaint, user=enterprise_editor, text="已派人处理")
    reminders_send_due()
    (to_staff,) = _to(enterprise_editor.email)
    assert to_staff.subject == f"新投诉 {complaint.number}：请及时答复"
    assert "/feedback/" in to_staff.body or complaint.number in to_staff.body
    (to_resident,) = _to(resident.email)
    assert to_resident.subject == f"Your complaint {complaint.number} was answered"
    assert to_resident.body.startswith("Hello ")
    sms = [t for t in channels.template_outbox if t["to"] == resident.phone]
    assert sms[0]["text"].startswith("[Linli] Your complaint")
    assert sms[0]["params"]["number"] == complaint.number


def test_the_choices_page_lists_complaints_and_repairs_to_whom_they_concern(
    client, resident, enterprise_editor
):
    client.force_login(resident)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert 'name="complaint_answered:email"' in page and 'name="repair_done:sms"' in page
    assert 'name="complaint_filed:email"' not in page  # nothing a resident handles
    client.force_login(enterprise_editor)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert 'name="complaint_filed:email"' in page and 'name="repair_no_worker:sms"' in page
    # Saving a choice for a handler's kind is recorded like any other.
    ticked = {"complaint_filed:inbox": "on"}
    assert client.post(reverse("notify:preferences"), ticked).status_code == 302
    assert not enterprise_editor.notice_preferences.get(kind=Kind.COMPLAINT_FILED).email
