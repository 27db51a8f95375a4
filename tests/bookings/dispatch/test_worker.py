"""Dispatch and reminders with a real Celery worker (and beat) on Redis: through restarts,
a SIGKILL and a Redis outage. PostgreSQL, because the worker is another process sharing the
test database (committed data, real row locks)."""

import threading
import time
from datetime import timedelta
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from django.db import connection, connections
from django.utils import timezone
from oscar.apps.communication.models import Notification

from bookings.appointments.changes import appointment_cancel
from bookings.dispatch.offers import offer_decline
from bookings.models import Appointment, DispatchRound, JobOffer, Notice, NoticeDelivery
from tests.bookings.dispatch.conftest import wait_for
from tests.support import local, tomorrow_at

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
Status = Appointment.Status


def _offers(appointment, **filters):
    return list(JobOffer.objects.filter(appointment=appointment, **filters))


def test_a_booking_reaches_the_worker_as_an_offer_within_two_seconds(celery_worker, book, worker):
    appointment = book(tomorrow_at(10))
    # Correctness, not speed (latency is measured by make bench): the real worker makes the offer.
    offers = wait_for(lambda: _offers(appointment), timeout=20)
    assert [o.worker for o in offers] == [worker]
    # ...and the worker is told: the notice is sent by the worker process.
    assert wait_for(lambda: Notification.objects.filter(recipient=worker.user).exists(), 5)
    # The email goes just after the inbox copy (a delivery row sent once the notice is marked).
    to_worker = lambda: [m for m in celery_worker.emails() if f"To: {worker.user.email}" in m]  # noqa: E731
    assert wait_for(lambda: len(to_worker()) == 1, 5)
    time.sleep(1)
    assert len(to_worker()) == 1


def test_decline_and_expiry_move_the_job_on_and_nobody_left_escalates(
    celery_worker, book, worker, second_worker, resident, provider_manager
):
    appointment = book(tomorrow_at(10))
    first = wait_for(lambda: _offers(appointment, status=JobOffer.Status.OPEN), 20)[0]
    nxt = offer_decline(offer=first, worker=first.worker, reason="家里有事")
    assert nxt.worker != first.worker
    # Time passes: the open offer lapses; beat's expiry task (a second here) escalates.
    JobOffer.objects.filter(pk=nxt.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    escalated = wait_for(
        lambda: DispatchRound.objects.filter(status=DispatchRound.Status.ESCALATED).exists(),
        20,
    )
    assert escalated
    assert JobOffer.objects.get(pk=nxt.pk).status == JobOffer.Status.EXPIRED
    # The manager's alert and the resident's way out (the resident also has their "booked").
    assert wait_for(
        lambda: (
            Notice.objects.filter(
                kind__in=[Notice.Kind.ESCALATION_MANAGER, Notice.Kind.ESCALATION_RESIDENT],
                recipient__in=[resident, provider_manager],
                status=Notice.Status.SENT,
            ).count()
            == 2
        ),
        20,
    )


def test_a_booking_during_a_redis_outage_succeeds_and_is_dispatched_once_redis_is_back(
    celery_worker, private_redis, book, worker
):
    private_redis.stop()
    started = time.monotonic()
    appointment = book(tomorrow_at(10))  # the kick fails; the booking does not
    assert time.monotonic() - started < 5
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CONFIRMED
    time.sleep(1)
    assert _offers(appointment) == []
    private_redis.start()
    # The worker reconnects; beat's sweep finds the outbox row (older than 5 s).
    assert wait_for(lambda: _offers(appointment), 30)
    time.sleep(3)  # more sweeps: still one
    assert len(_offers(appointment)) == 1
    assert DispatchRound.objects.get().status == DispatchRound.Status.OFFERED


def test_a_worker_killed_mid_dispatch_leaves_exactly_one_offer(
    celery_worker, book, worker, django_db_blocker
):
    # Hold the appointment row from another connection so the worker's dispatch blocks
    # inside its transaction; kill the worker there; let go; restart.
    hold_released, holding = threading.Event(), threading.Event()
    appointment_ids = []

    def hold():
        with django_db_blocker.unblock():
            from django.db import transaction

            try:
                with transaction.atomic():
                    wait_for(lambda: appointment_ids, 10)
                    list(Appointment.objects.select_for_update().filter(pk=appointment_ids[0]))
                    holding.set()
                    hold_released.wait(30)
            finally:
                connections.close_all()

    celery_worker.stop()  # book while no worker runs, so the kick waits in Redis
    appointment = book(tomorrow_at(10))
    appointment_ids.append(appointment.pk)
    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    celery_worker.start()

    def dispatch_is_blocked():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0] > 0

    assert wait_for(dispatch_is_blocked, 15)
    celery_worker.kill()
    hold_released.set()
    thread.join(10)
    assert _offers(appointment) == []
    celery_worker.start()
    assert wait_for(lambda: _offers(appointment), 20)
    time.sleep(3)
    assert len(_offers(appointment)) == 1


def _subject(raw: str) -> str:
    """The decoded Subject of a raw email (as the worker's file backend wrote it)."""
    return str(make_header(decode_header(message_from_string(raw)["Subject"] or "")))


def test_reminders_are_sent_once_across_worker_restarts_and_never_for_a_cancelled_job(
    celery_worker, book, worker, resident, other_resident
):
    kept = book(local(2, 10))
    cancelled = book(local(2, 14), user=other_resident)
    # Both offers go out (one email each) before anything else happens: no race with dispatch.
    assert wait_for(lambda: _offers(kept) and _offers(cancelled), 20)
    appointment_cancel(appointment=cancelled, by=other_resident)
    Appointment.objects.filter(pk=kept.pk).update(status=Status.ACCEPTED)
    # Make every reminder of both appointments due now.
    Notice.objects.filter(kind__in=Notice.SCHEDULED).update(due_at=timezone.now())
    due = Notice.objects.filter(appointment=kept, kind__in=Notice.SCHEDULED).count()
    assert due == 3
    for _ in range(2):  # restarts while beat keeps sweeping
        time.sleep(1.5)
        celery_worker.stop()
        celery_worker.start()
    assert wait_for(
        lambda: (
            Notice.objects.filter(
                appointment=kept, kind__in=Notice.SCHEDULED, status=Notice.Status.SENT
            ).count()
            == due
        ),
        15,
    ), list(Notice.objects.values_list("appointment_id", "kind", "status"))
    time.sleep(4)  # past the (test) lease: a stale claim would be re-sent now
    # Each reminder is emailed once. The resident's two (24 h and 2 h) are counted exactly; the
    # worker's 1 h reminder may share the inbox with the two offer emails, depending on whether
    # those went out before or after the restarts (emails() counts since the last start).
    # Reminders only: the resident and the worker are also told of the booking, the offers and
    # the cancellation, each of which may fall before or after the restarts.
    reminder_subjects = set(
        NoticeDelivery.objects.filter(
            notice__kind__in=Notice.SCHEDULED, channel="email"
        ).values_list("subject", flat=True)
    )
    emails = [m for m in celery_worker.emails() if _subject(m) in reminder_subjects]
    to_resident = [m for m in emails if f"To: {resident.email}" in m]
    assert len(to_resident) == 2, to_resident
    assert len(emails) <= due, len(emails)
    assert not [m for m in emails if f"To: {other_resident.email}" in m]  # cancelled: none
    # In the inbox: the two reminders, beside the "booked" notice.
    assert (
        Notification.objects.filter(recipient=resident, subject__in=reminder_subjects).count() == 2
    )
    assert Notification.objects.filter(recipient=worker.user).count() >= 1
    # The cancelled job's reminders were never sent on any channel.
    assert not Notice.objects.filter(
        appointment=cancelled, kind__in=Notice.SCHEDULED, status=Notice.Status.SENT
    ).exists()
    assert not NoticeDelivery.objects.filter(
        notice__appointment=cancelled, notice__kind__in=Notice.SCHEDULED
    ).exists()
    # Its before-start reminders are all cancelled. (Its offer notice may have gone out to the
    # worker before the cancellation, depending on the worker's pace: that one is not checked.)
    scheduled = Notice.objects.filter(appointment=cancelled, kind__in=Notice.SCHEDULED)
    assert set(scheduled.values_list("status", flat=True)) == {Notice.Status.CANCELLED}
