"""Repairs tell people through the one notice system (``repairs.notices``): each person's
channel choices per kind, their language, and the SMS quiet hours, which hold a normal
repair's SMS until the morning and let an urgent repair's go at once."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Notice, NoticeDelivery
from bookings.notify import channels
from bookings.notify.preferences import preferences_set
from bookings.notify.reminders import reminder_send, reminders_send_due
from marketplace.policy import LOCAL_TZ
from repairs.dispatch import offer_accept, request_dispatch
from repairs.models import RepairOffer
from repairs.services import request_check_in, request_complete, request_on_the_way, request_report

pytestmark = pytest.mark.django_db
Kind = Notice.Kind


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    channels.template_outbox.clear()
    yield
    channels.template_outbox.clear()


def _tomorrow_at(hour, minute=0):
    day = timezone.localdate(timezone.now(), LOCAL_TZ) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("category", "description", "held"),
    [("plumbing", "厨房水管爆管漏水", False), ("doors_windows", "门把手松了", True)],
    ids=["urgent-goes-at-once", "normal-waits"],
)
def test_an_offers_sms_at_night_waits_for_the_morning_unless_the_repair_is_urgent(
    settings, resident, home, fixer, category, description, held
):
    settings.LINLI_SMS_QUIET_HOURS = (22, 8)
    repair = request_report(
        user=resident, area="home", household=home, category=category, description=description
    )
    assert (repair.urgency == "normal") == held
    request_dispatch(request_id=repair.pk)
    notice = Notice.objects.get(kind=Kind.REPAIR_OFFER, recipient=fixer.user)
    assert (
        notice.key == f"repair_offer:{RepairOffer.objects.get(request=repair).pk}:u{fixer.user.pk}"
    )
    night = _tomorrow_at(23, 30)
    assert reminder_send(reminder_id=notice.pk, now=night)
    sms = NoticeDelivery.objects.get(notice=notice, channel="sms")
    sent_now = [t for t in channels.template_outbox if t["template"] == "LINLI_REPAIR_OFFER"]
    if held:
        assert sms.status == "pending" and sms.due_at == _tomorrow_at(8) + timedelta(days=1)
        assert sent_now == []
    else:
        assert sms.status == "sent" and [t["to"] for t in sent_now] == [fixer.user.phone]


def test_the_resident_is_told_on_the_channels_they_chose_in_their_language(resident, home, fixer):
    resident.language = "en"
    resident.save()
    preferences_set(user=resident, choices={Kind.REPAIR_DONE: {"inbox"}})
    repair = request_report(
        user=resident, area="home", household=home, category="plumbing", description="漏水"
    )
    request_dispatch(request_id=repair.pk)
    offer_accept(offer_id=RepairOffer.objects.get(request=repair, worker=fixer).pk, worker=fixer)
    request_on_the_way(request_id=repair.pk, worker=fixer)
    request_check_in(request_id=repair.pk, worker=fixer)
    request_complete(request_id=repair.pk, worker=fixer, notes="换了角阀")
    reminders_send_due()
    to_resident = [m.subject for m in mail.outbox if resident.email in m.to]
    # Taken (naming the worker in the body), on the way; "done" only in the inbox, as chosen.
    assert sorted(to_resident) == [
        "Your repair has been taken",
        "Your repair: the worker is on the way",
    ]
    done = Notice.objects.get(kind=Kind.REPAIR_DONE, recipient=resident)
    assert done.status == "sent" and done.channels == "inbox"
    taken = next(m for m in mail.outbox if m.subject == "Your repair has been taken")
    assert f"{fixer.display_name} will come to do your repair." in taken.body
    # The worker hears of the offer in Chinese (their language).
    offer_mail = next(m for m in mail.outbox if fixer.user.email in m.to)
    assert offer_mail.subject == "新的报修"
