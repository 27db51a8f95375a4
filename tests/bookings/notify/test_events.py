"""Every change of an appointment is told once, on the channels each person chose, in their own
language, with links to the configured site; SMS keeps quiet at night except for same-day
changes; a refused SMS is retried with backoff and then recorded as failed."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from oscar.apps.communication.models import Notification

from bookings.appointments.changes import appointment_cancel, appointment_reschedule
from bookings.appointments.lifecycle import appointment_transition
from bookings.dispatch.offers import offer_accept
from bookings.dispatch.outbox import dispatch_round_process
from bookings.models import Appointment, Notice, NoticeDelivery
from bookings.notify import channels
from bookings.notify.deliveries import deliveries_send_due, sms_due_at
from bookings.notify.events import notify
from bookings.notify.preferences import preferences_set
from bookings.notify.reminders import reminder_send
from marketplace.policy import LOCAL_TZ
from tests.bookings.notify.conftest import tell_now
from tests.support import local

pytestmark = pytest.mark.django_db
Kind = Notice.Kind
Status = Appointment.Status


class RefusingSMSBackend(channels.BaseSMSBackend):
    """A gateway that refuses everything."""

    def send_template(self, phone, template, params, text):
        raise channels.SMSError("gateway says no")


@pytest.fixture
def reachable(resident):
    resident.phone, resident.language = "13800138000", "en"
    resident.save()
    return resident


@pytest.fixture
def worker_reachable(worker):
    worker.user.phone = "13900139000"
    worker.user.save()
    return worker


def _send_now():
    """What a committed request's kicks do: send the notices due now."""
    from django.utils import timezone

    from bookings.notify.reminders import reminders_send_due

    return reminders_send_due(now=timezone.now())


def _told(user, kind):
    return Notice.objects.filter(recipient=user, kind=kind, status=Notice.Status.SENT)


def _accepted(book):
    appointment = book(local(3, 10))
    offer = dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    offer_accept(offer=offer, worker=offer.worker)
    appointment.refresh_from_db()
    return appointment


def test_every_step_reaches_the_resident_once_on_inbox_email_and_sms_in_english(
    book, reachable, worker
):
    appointment = _accepted(book)
    for status in (Status.IN_PROGRESS, Status.COMPLETED):
        appointment_transition(appointment=appointment, to=status, by=worker.user)
    _send_now()
    assert _send_now() == 0  # nothing twice
    kinds = (Kind.BOOKED, Kind.ACCEPTED, Kind.STARTED, Kind.COMPLETED)
    for kind in kinds:
        (notice,) = _told(reachable, kind)
        assert notice.channels == "inbox,email,sms"
        assert {d.channel: d.status for d in notice.deliveries.all()} == {
            "email": "sent",
            "sms": "sent",
        }
    to_resident = [m for m in mail.outbox if m.to == [reachable.email]]
    assert len(to_resident) == 4
    assert [m.subject.split(":")[0] for m in to_resident][::3] == ["Booked", "Receipt"]
    assert len([p for p, _ in channels.outbox if p == reachable.phone]) == 4
    assert Notification.objects.filter(recipient=reachable).count() == 4
    booked = to_resident[0].body
    assert "Price: ¥" in booked and "Pay after the service" in booked
    accepted = to_resident[1]
    assert worker.display_name in accepted.subject
    receipt = to_resident[3].body
    assert "revision" in receipt and "Charged" in receipt
    # The link opens the resident's appointment on the configured site.
    link = f"{settings.SITE_URL.rstrip('/')}{appointment.get_absolute_url()}"
    assert link in booked
    client = Client()
    client.force_login(reachable)
    assert client.get(link.removeprefix(settings.SITE_URL.rstrip("/"))).status_code == 200


def test_the_sms_goes_to_the_gateway_as_a_template_code_with_parameters(book, reachable, worker):
    book(local(3, 10))
    _send_now()
    (call,) = [c for c in channels.template_outbox if c["to"] == reachable.phone]
    assert call["template"] == "LINLI_BOOKED"
    assert set(call["params"]) == {"service", "when", "address", "price", "payment", "link"}
    assert all(isinstance(v, str) and v for v in call["params"].values())


def test_a_cancellation_tells_the_resident_and_the_worker_who_had_accepted_in_their_languages(
    book, reachable, worker_reachable
):
    appointment = _accepted(book)
    tell_now()
    appointment_cancel(appointment=appointment, by=reachable)
    _send_now()
    (to_resident,) = [m for m in mail.outbox if m.to == [reachable.email]]
    assert to_resident.subject.startswith("Cancelled:")
    assert "Nothing is charged" in to_resident.body
    (to_worker,) = [m for m in mail.outbox if m.to == [worker_reachable.user.email]]
    assert "取消" in to_worker.subject  # the worker's language: Simplified Chinese
    assert _told(worker_reachable.user, Kind.JOB_CANCELLED).count() == 1


def test_a_move_tells_the_old_and_new_time_and_the_worker_who_keeps_the_job(
    book, reachable, worker
):
    appointment = _accepted(book)
    tell_now()
    appointment_reschedule(appointment=appointment, new_start=local(4, 15), by=reachable)
    _send_now()
    (to_resident,) = [m for m in mail.outbox if m.to == [reachable.email]]
    assert to_resident.subject.startswith("Moved:")
    assert "10:00" in to_resident.body and "15:00" in to_resident.body
    assert worker.display_name in to_resident.body  # the same worker, who had accepted
    assert _told(worker.user, Kind.JOB_CHANGED).count() == 1


def test_an_unaccepted_job_moved_withdraws_the_offer_and_tells_the_worker(book, reachable, worker):
    appointment = book(local(3, 10))
    dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    appointment_reschedule(appointment=appointment, new_start=local(4, 15), by=reachable)
    _send_now()
    assert _told(appointment.worker.user, Kind.OFFER_WITHDRAWN).count() == 1


def test_each_person_chooses_the_channels_per_kind(book, reachable, worker):
    preferences_set(user=reachable, choices={Kind.BOOKED: {"inbox"}})
    book(local(3, 10))
    _send_now()
    (notice,) = _told(reachable, Kind.BOOKED)
    assert notice.channels == "inbox"
    assert [m for m in mail.outbox if m.to == [reachable.email]] == []
    assert channels.outbox == []
    assert Notification.objects.filter(recipient=reachable).count() == 1


def test_the_same_happening_told_twice_makes_one_notice_and_one_message(book, reachable, worker):
    appointment = book(local(3, 10))
    tell_now()
    first = notify(user=reachable, kind=Kind.PAYMENT_FAILED, appointment=appointment, key="k:1")
    again = notify(user=reachable, kind=Kind.PAYMENT_FAILED, appointment=appointment, key="k:1")
    assert first is not None and again is None
    assert reminder_send(reminder_id=first.pk) is True
    assert reminder_send(reminder_id=first.pk) is False  # a redelivered task
    assert len(mail.outbox) == 1 and len(channels.outbox) == 1


def _at(days, hour):
    return local(days, hour)


@pytest.mark.parametrize(
    ("now", "start", "sms_at"),
    [
        # 23:00, about a job in three days: the SMS waits for 08:00.
        (_at(0, 23), _at(3, 10), _at(1, 8)),
        # 23:00, about a job at 07:00 tomorrow, before the quiet hours end: sent now.
        (_at(0, 23), _at(1, 7), _at(0, 23)),
        # 06:00, about a job at 10:00 today: a same-day change, sent now.
        (_at(1, 6), _at(1, 10), _at(1, 6)),
        # 06:00 about a job tomorrow: waits for 08:00 today.
        (_at(1, 6), _at(2, 10), _at(1, 8)),
        # 12:00: sent now.
        (_at(1, 12), _at(3, 10), _at(1, 12)),
    ],
)
def test_no_sms_in_quiet_hours_except_same_day_changes(now, start, sms_at, settings):
    settings.LINLI_SMS_QUIET_HOURS = (22, 8)
    notice = Notice(kind=Kind.RESCHEDULED, appointment=Appointment(start=start))
    assert sms_due_at(notice, now) == sms_at


def test_the_receipt_sms_waits_for_the_morning_even_about_a_job_today(settings):
    settings.LINLI_SMS_QUIET_HOURS = (22, 8)
    notice = Notice(kind=Kind.COMPLETED, appointment=Appointment(start=_at(0, 21)))
    assert sms_due_at(notice, _at(0, 23)) == _at(1, 8)


def test_an_sms_held_over_the_night_is_sent_once_in_the_morning(book, reachable, worker, settings):
    settings.LINLI_SMS_QUIET_HOURS = (22, 8)
    appointment = book(local(3, 10))
    notice = Notice.objects.get(kind=Kind.BOOKED)
    night = datetime.combine(local(1, 0).date(), datetime.min.time(), tzinfo=LOCAL_TZ)
    night = night.replace(hour=23) - timedelta(days=0)
    assert appointment.start > night + timedelta(days=1)
    assert reminder_send(reminder_id=notice.pk, now=night) is True
    assert [m.to for m in mail.outbox] == [[reachable.email]]  # email at once
    assert channels.outbox == []
    sms = notice.deliveries.get(channel="sms")
    assert sms.status == "pending" and sms.due_at == night + timedelta(hours=9)
    assert deliveries_send_due(now=night + timedelta(hours=8, minutes=59)) == 0
    assert deliveries_send_due(now=night + timedelta(hours=9)) == 1
    assert deliveries_send_due(now=night + timedelta(hours=10)) == 0
    assert len(channels.outbox) == 1


def test_a_refused_sms_is_retried_with_backoff_then_recorded_failed(
    book, reachable, worker, settings
):
    settings.SMS_BACKEND = f"{__name__}.RefusingSMSBackend"
    book(local(3, 10))
    notice = Notice.objects.get(kind=Kind.BOOKED)
    noon = local(1, 12)
    assert reminder_send(reminder_id=notice.pk, now=noon) is True
    sms = notice.deliveries.get(channel="sms")
    waits = []
    at = noon
    for _ in range(3):
        sms.refresh_from_db()
        assert sms.status == "pending" and "gateway says no" in sms.error
        waits.append(sms.due_at - at)
        at = sms.due_at
        assert deliveries_send_due(now=at - timedelta(seconds=1)) == 0  # not before its time
        assert deliveries_send_due(now=at) == 0  # tried, refused again
    assert waits == [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=8)]
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.sent_at) == (NoticeDelivery.Status.FAILED, 4, None)
    assert deliveries_send_due(now=at + timedelta(days=1)) == 0  # never again
    # The email went once, and the notice is recorded sent on the channels chosen.
    assert notice.deliveries.get(channel="email").status == "sent"
    assert len(mail.outbox) == 1


def test_a_failed_payment_signal_repeated_tells_the_resident_once(book, reachable, worker):
    from payments import signals
    from payments.models import PaymentIntentRecord

    appointment = book(local(3, 10))
    tell_now()
    intent = PaymentIntentRecord(pk=987654, order_id=appointment.order_id)
    for _ in range(2):
        signals.payment_failed.send(sender=PaymentIntentRecord, intent=intent)
    _send_now()
    assert _told(reachable, Kind.PAYMENT_FAILED).count() == 1
    (message,) = mail.outbox
    assert message.subject.startswith("Payment failed")
    assert "/payments/" in message.body or "cards" in message.body


def test_the_choices_page_saves_the_channels_per_kind_and_refuses_unknown_names(client, reachable):
    from bookings.models import ChannelPreference
    from bookings.notify.preferences import channels_for

    client.force_login(reachable)
    page = client.get("/shop/accounts/notification-choices/")
    assert page.status_code == 200 and 'name="booked:sms"' in page.content.decode()
    bad = client.post("/shop/accounts/notification-choices/", {"booked:fax": "on"})
    assert bad.status_code == 400 and not ChannelPreference.objects.exists()
    saved = client.post(
        "/shop/accounts/notification-choices/", {"booked:inbox": "on", "cancelled:sms": "on"}
    )
    assert saved.status_code == 302
    assert channels_for(reachable, Kind.BOOKED) == ["inbox"]
    assert channels_for(reachable, Kind.CANCELLED) == ["sms"]


def test_a_cancellation_before_anything_was_sent_still_tells_both_steps(book, reachable, worker):
    """Ending an appointment cancels its reminders, not the notices of what happened."""
    appointment = book(local(3, 10))
    appointment_cancel(appointment=appointment, by=reachable)
    _send_now()
    assert _told(reachable, Kind.BOOKED).count() == 1
    assert _told(reachable, Kind.CANCELLED).count() == 1
    assert not Notice.objects.filter(kind__in=Notice.SCHEDULED, status="sent").exists()


def test_the_providers_managers_hear_of_a_moved_or_cancelled_accepted_job(
    book, reachable, worker, provider_manager
):
    appointment = _accepted(book)
    appointment_reschedule(appointment=appointment, new_start=local(4, 15), by=reachable)
    appointment.refresh_from_db()
    appointment_cancel(appointment=appointment, by=reachable)
    _send_now()
    assert _told(provider_manager, Kind.JOB_CHANGED).count() == 1
    assert _told(provider_manager, Kind.JOB_CANCELLED).count() == 1
    to_manager = [m for m in mail.outbox if m.to == [provider_manager.email]]
    assert len(to_manager) == 2
    assert all(f"/provider/jobs/{appointment.pk}/" in m.body for m in to_manager)
