"""Reminders follow their appointment (issue 14, section 3, first example): a reminder already
sent about the old time does not stand in for the new time, and the worker's reminder goes to
the worker who now holds the job."""

from datetime import timedelta

import pytest
from django.core import mail

from bookings.appointments.changes import appointment_reschedule
from bookings.dispatch.assignment import appointment_assign
from bookings.dispatch.offers import offer_accept
from bookings.dispatch.outbox import dispatch_round_process
from bookings.models import DispatchRound, Notice
from bookings.notify.reminders import reminders_send_due
from tests.bookings.factories import TimeOffFactory
from tests.bookings.notify.conftest import tell_now
from tests.support import local

pytestmark = pytest.mark.django_db
Kind = Notice.Kind
H = timedelta(hours=1)


def accept(appointment):
    """Put out the pending round's offer and let the held worker accept it."""
    round_ = appointment.dispatch_requests.get(status=DispatchRound.Status.PENDING)
    offer = dispatch_round_process(round_id=round_.pk)
    offer_accept(offer=offer, worker=offer.worker)
    tell_now()
    appointment.refresh_from_db()


def sent_to(email):
    return [m for m in mail.outbox if m.to == [email]]


def test_a_reminder_sent_before_a_reschedule_is_sent_again_for_the_new_time(book, worker, resident):
    appointment = book(local(3, 10))
    tell_now()
    assert reminders_send_due(now=appointment.start - 24 * H + timedelta(seconds=1)) == 1
    assert len(sent_to(resident.email)) == 1

    new_start = local(6, 10)
    appointment_reschedule(appointment=appointment, new_start=new_start, by=resident)
    tell_now()
    pending = appointment.reminders.get(kind=Kind.RESIDENT_24H, status=Notice.Status.PENDING)
    assert pending.due_at == new_start - 24 * H
    assert reminders_send_due(now=new_start - 24 * H + timedelta(seconds=1)) == 1
    assert len(sent_to(resident.email)) == 1  # the outbox was emptied after the move
    # The old one stays as history: who was reminded, for which time.
    old = appointment.reminders.get(kind=Kind.RESIDENT_24H, due_at=local(3, 10) - 24 * H)
    assert (old.status, old.recipient) == (Notice.Status.SENT, resident)


def test_every_before_start_reminder_already_sent_is_planned_again(book, worker, resident):
    appointment = book(local(3, 10))
    tell_now()
    accept(appointment)
    tell_now()
    assert reminders_send_due(now=appointment.start - 59 * timedelta(minutes=1)) == 3
    new_start = local(6, 15)
    appointment_reschedule(appointment=appointment, new_start=new_start, by=resident)
    tell_now()
    pending = appointment.reminders.filter(status=Notice.Status.PENDING)
    assert {(r.kind, r.due_at) for r in pending} == {
        (Kind.RESIDENT_24H, new_start - 24 * H),
        (Kind.RESIDENT_2H, new_start - 2 * H),
        (Kind.WORKER_1H, new_start - H),
    }
    assert reminders_send_due(now=new_start - 59 * timedelta(minutes=1)) == 3


def test_moving_back_to_a_time_already_reminded_of_reminds_nobody_twice(book, worker, resident):
    appointment = book(local(3, 10))
    tell_now()
    assert reminders_send_due(now=appointment.start - 24 * H + timedelta(seconds=1)) == 1
    appointment_reschedule(appointment=appointment, new_start=local(6, 10), by=resident)
    tell_now()
    appointment_reschedule(appointment=appointment, new_start=local(3, 10), by=resident)
    tell_now()
    assert not appointment.reminders.filter(
        kind=Kind.RESIDENT_24H, status=Notice.Status.PENDING
    ).exists()
    assert reminders_send_due(now=local(3, 10) - 24 * H + timedelta(seconds=2)) == 0


def test_a_reschedule_to_another_worker_reminds_the_new_worker(
    book, worker, second_worker, resident
):
    appointment = book(local(3, 10))
    tell_now()
    first = appointment.worker
    accept(appointment)
    tell_now()
    assert reminders_send_due(now=appointment.start - 59 * timedelta(minutes=1)) == 3
    assert len(sent_to(first.user.email)) >= 1
    new_start = local(6, 10)
    # The first worker is away then: the job moves to the other one.
    TimeOffFactory(worker=first, start=local(6, 0), end=local(7, 0))
    appointment_reschedule(appointment=appointment, new_start=new_start, by=resident)
    tell_now()
    appointment.refresh_from_db()
    other = appointment.worker
    assert other != first
    accept(appointment)
    tell_now()
    mail.outbox.clear()
    assert reminders_send_due(now=new_start - 59 * timedelta(minutes=1)) == 3
    assert [m.to for m in mail.outbox if m.to != [resident.email]] == [[other.user.email]]
    reminder = appointment.reminders.get(kind=Kind.WORKER_1H, due_at=new_start - H)
    assert reminder.recipient == other.user


def test_a_reassigned_job_reminds_the_worker_who_holds_it(
    book, worker, second_worker, provider_manager, resident
):
    """A guard: a pending reminder names nobody, so the new worker gets it."""
    appointment = book(local(3, 10))
    tell_now()
    dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    other = second_worker if appointment.worker == worker else worker
    appointment_assign(appointment=appointment, worker=other, by=provider_manager)
    tell_now()
    offer = appointment.offers.get(status="open")
    offer_accept(offer=offer, worker=other)
    tell_now()
    mail.outbox.clear()
    assert reminders_send_due(now=appointment.start - 59 * timedelta(minutes=1)) == 3
    assert [m.to for m in mail.outbox if m.to != [resident.email]] == [[other.user.email]]
