"""Reminders: planned with the booking, sent once when due, moved, cancelled; in the
recipient's language. And no long countdown anywhere in the code."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from oscar.apps.communication.models import Notification

from bookings.appointments.changes import appointment_cancel, appointment_reschedule
from bookings.appointments.lifecycle import appointment_transition
from bookings.models import Appointment, Notice
from bookings.notify import channels as sms
from bookings.notify.reminders import reminders_send_due
from tests.bookings.notify.conftest import tell_now
from tests.support import local

pytestmark = pytest.mark.django_db
Status = Appointment.Status
Kind = Notice.Kind


def _due(appointment):
    return {r.kind: r.due_at for r in appointment.reminders.filter(kind__in=Notice.SCHEDULED)}


def test_a_booking_plans_the_resident_and_worker_reminders(book, worker):
    appointment = book(local(3, 10))
    tell_now()
    assert _due(appointment) == {
        Kind.RESIDENT_24H: appointment.start - timedelta(hours=24),
        Kind.RESIDENT_2H: appointment.start - timedelta(hours=2),
        Kind.WORKER_1H: appointment.start - timedelta(hours=1),
    }


def test_each_reminder_is_sent_once_in_the_recipients_language(book, worker, resident):
    resident.language, resident.phone = "en", "13800138000"
    resident.save()
    appointment = book(local(3, 10))
    tell_now()
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.ACCEPTED)
    at_24h = appointment.start - timedelta(hours=24) + timedelta(seconds=1)
    assert reminders_send_due(now=at_24h) == 1
    assert reminders_send_due(now=at_24h) == 0
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert mail.outbox[0].subject.startswith("Reminder:")
    assert sms.outbox == [("13800138000", sms.outbox[0][1])] and "[Linli]" in sms.outbox[0][1]
    at_1h = appointment.start - timedelta(minutes=59)
    assert reminders_send_due(now=at_1h) == 2  # the resident's 2 h and the worker's 1 h
    assert reminders_send_due(now=at_1h) == 0
    worker_mail = mail.outbox[-1] if mail.outbox[-1].to == [worker.user.email] else mail.outbox[-2]
    assert "1 小时" in worker_mail.subject  # the worker's language: Simplified Chinese
    # The two reminders, and the booking's own notice before them.
    assert Notification.objects.filter(recipient=resident).count() == 3
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}


def test_a_cancelled_appointment_gets_no_reminder(book, worker, resident):
    appointment = book(local(3, 10))
    tell_now()
    appointment_cancel(appointment=appointment, by=resident)
    tell_now()
    assert reminders_send_due(now=appointment.start - timedelta(minutes=30)) == 0
    # Only what happened was told (booked, then cancelled): no reminder.
    assert mail.outbox == []
    told = Notice.objects.filter(status=Notice.Status.SENT).values_list("kind", flat=True)
    assert sorted(told) == [Kind.BOOKED, Kind.CANCELLED]
    assert Notification.objects.count() == 2
    assert set(
        Notice.objects.filter(kind__in=Notice.SCHEDULED).values_list("status", flat=True)
    ) == {Notice.Status.CANCELLED}


def test_a_reminder_claimed_for_a_job_cancelled_meanwhile_is_not_sent(book, worker):
    appointment = book(local(3, 10))
    tell_now()
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.CANCELLED)
    assert reminders_send_due(now=appointment.start - timedelta(minutes=30)) == 0
    assert mail.outbox == []


def test_rescheduling_moves_the_reminders(book, worker, resident):
    appointment = book(local(3, 10))
    tell_now()
    appointment_reschedule(appointment=appointment, new_start=local(4, 15), by=resident)
    tell_now()
    appointment.refresh_from_db()
    assert _due(appointment)[Kind.RESIDENT_24H] == appointment.start - timedelta(hours=24)
    assert _due(appointment)[Kind.WORKER_1H] == appointment.start - timedelta(hours=1)
    assert reminders_send_due(now=local(2, 10)) == 0  # the old 24 h mark: nothing any more


def test_a_late_booking_gets_only_the_reminders_still_ahead(book, worker):
    start = (timezone.localtime() + timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    if not 9 <= start.hour <= 16:
        pytest.skip("the factory worker's hours (08–18) do not cover a start 4 h from now")
    appointment = book(start)
    tell_now()
    assert set(_due(appointment)) == {Kind.RESIDENT_2H, Kind.WORKER_1H}


def test_completion_plans_one_rating_request(book, worker, resident):
    appointment = book(local(3, 10))
    tell_now()
    for status in (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED):
        appointment_transition(appointment=appointment, to=status, by=worker.user)
    tell_now()  # accepted, started, completed (the receipt)
    before = Notification.objects.filter(recipient=resident).count()
    request = appointment.reminders.get(kind=Kind.RATING_REQUEST)
    assert reminders_send_due(now=request.due_at - timedelta(seconds=1)) == 0
    assert reminders_send_due(now=request.due_at) == 1
    assert reminders_send_due(now=request.due_at + timedelta(hours=1)) == 0
    assert Notification.objects.filter(recipient=resident).count() == before + 1


LONG_DELAY = re.compile(r"\b(countdown|eta)\s*=")


def _long_delays(text: str) -> list[str]:
    """Every ``countdown=``/``eta=`` whose value is not a literal of at most 300 seconds."""
    found = []
    for match in LONG_DELAY.finditer(text):
        value = re.match(r"\s*(\d+(?:\.\d+)?)\s*[,)\n]", text[match.end() :])
        if match.group(1) == "eta" or value is None or float(value.group(1)) > 300:
            found.append(text[match.start() : match.start() + 60])
    return found


def test_the_scan_catches_what_it_should():
    assert _long_delays("task.apply_async(args, countdown=3600)")
    assert _long_delays("task.apply_async(args, eta=when)")
    assert _long_delays("task.apply_async(args, countdown=delay)")
    assert not _long_delays("task.apply_async(args, countdown=30)")


def test_no_celery_countdown_or_eta_over_five_minutes_anywhere():
    root = Path(settings.BASE_DIR)
    offenders = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in (".venv", "var", "node_modules") or path.name == Path(__file__).name:
            continue
        found = _long_delays(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            offenders[str(path.relative_to(root))] = found
    assert offenders == {}
