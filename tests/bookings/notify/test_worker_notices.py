"""With a real Celery worker (and beat) on Redis: a resident who books, is accepted, gets a
message, is moved and cancels receives each step once in the inbox, by email and by template
SMS, in their language, across worker restarts. (Retries of a refused SMS: test_events.)"""

import time

import pytest
from django.core import mail
from oscar.apps.communication.models import Notification

from bookings.appointments.changes import appointment_cancel, appointment_reschedule
from bookings.conversation.services import conversation_for, message_post
from bookings.dispatch.offers import offer_accept
from bookings.models import JobOffer, Notice, NoticeDelivery
from bookings.notify import channels
from tests.bookings.dispatch.conftest import wait_for
from tests.support import local

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
Kind = Notice.Kind
RESIDENT_KINDS = [Kind.BOOKED, Kind.ACCEPTED, Kind.MESSAGE, Kind.RESCHEDULED, Kind.CANCELLED]


def _sms(celery_worker, phone):
    """Text messages to ``phone`` since the test began: from the worker's file and, like mail,
    from this process (a delivery due at once is sent by whichever process claims it first)."""
    lines = celery_worker.sms_since_mark() + channels.template_outbox
    return [line for line in lines if line["to"] == phone]


def _mails_to(celery_worker, email, appointment):
    """The emails to ``email`` about ``appointment`` (its page, or its job page for a worker,
    is linked in each), over the whole session: Django's file backend names a file by the
    second and its connection's id, so a mail may share a file written before the test began.
    A delivery due at once is sent by whichever process claims it first: the worker (its mail
    folder) or this test process, after its commit (Django's test outbox)."""
    links = (f"/appointments/{appointment.pk}/", f"/provider/jobs/{appointment.pk}/")
    sent_here = [f"To: {', '.join(m.to)}\nSubject: {m.subject}\n\n{m.body}" for m in mail.outbox]
    return [
        m
        for m in celery_worker.all_emails() + sent_here
        if f"To: {email}" in m and any(link in m for link in links)
    ]


def _all_sent():
    notices = Notice.objects.filter(kind__in=RESIDENT_KINDS)
    return (
        notices.count() == len(RESIDENT_KINDS)
        and not notices.exclude(status=Notice.Status.SENT).exists()
        and not NoticeDelivery.objects.filter(notice__in=notices).exclude(status="sent").exists()
    )


def test_each_step_reaches_the_resident_once_on_every_channel_across_restarts(
    celery_worker, book, worker, resident
):
    channels.template_outbox.clear()
    resident.phone, resident.language = "13800138000", "en"
    resident.save()
    appointment = book(local(3, 10))
    offer = wait_for(
        lambda: JobOffer.objects.filter(appointment=appointment, status="open").first(), 20
    )
    # The worker has been told of the offer before answering it.
    assert wait_for(lambda: Notice.objects.filter(kind=Kind.OFFER, status="sent").exists(), 20)
    offer_accept(offer=offer, worker=worker)
    message_post(
        conversation=conversation_for(worker.user, appointment.pk),
        author=worker.user,
        body="我会准时到",
    )
    celery_worker.stop()  # a restart in the middle: the kicks wait in Redis
    celery_worker.start()
    appointment_reschedule(appointment=appointment, new_start=local(4, 15), by=resident)
    appointment.refresh_from_db()
    appointment_cancel(appointment=appointment, by=resident)
    assert wait_for(_all_sent, 30), list(Notice.objects.values_list("kind", "status"))
    celery_worker.stop()
    celery_worker.start()
    time.sleep(4)  # beat sweeps again, past the test lease: still nothing twice

    # One email per step, exactly, in the worker's folder or this process's outbox: the
    # session's only worker sent them (see tests/bookings/dispatch/conftest.py: a second
    # session worker used to sweep the same database and send into a folder of its own).
    mails = _mails_to(celery_worker, resident.email, appointment)
    assert len(mails) == len(RESIDENT_KINDS), mails
    assert len(set(mails)) == len(mails)
    subjects = sorted(
        NoticeDelivery.objects.filter(address=resident.email).values_list("subject", flat=True)
    )
    for start in ("Booked:", "Cancelled:", "Moved:", "New message"):
        assert sum(s.startswith(start) for s in subjects) == 1, subjects
    # One SMS row per step, sent once, as a template code, and one line per step in the files.
    sms_rows = NoticeDelivery.objects.filter(address=resident.phone, channel="sms")
    assert sorted(sms_rows.values_list("notice__kind", flat=True)) == sorted(RESIDENT_KINDS)
    assert set(sms_rows.values_list("status", "attempts")) == {("sent", 1)}
    texts = _sms(celery_worker, resident.phone)
    templates = [t["template"] for t in texts]
    assert sorted(templates) == sorted(f"LINLI_{kind.upper()}" for kind in RESIDENT_KINDS)
    assert all(t["text"].startswith("[Linli]") for t in texts)  # the resident's English
    assert Notification.objects.filter(recipient=resident).count() == len(RESIDENT_KINDS)
    # The worker: the offer, the move of their job, its cancellation; in Chinese.
    # (The offer's email names no page of the job: the rows below count it.)
    assert len(_mails_to(celery_worker, worker.user.email, appointment)) == 2
    to_worker = NoticeDelivery.objects.filter(address=worker.user.email)
    assert sorted(to_worker.values_list("notice__kind", flat=True)) == sorted(
        [Kind.OFFER, Kind.JOB_CHANGED, Kind.JOB_CANCELLED]
    )
    assert any("取消" in d.subject for d in to_worker)
