"""Offers, re-dispatch and escalation, run eagerly (the worker tests run the same on Redis)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from oscar.apps.communication.models import Notification

from bookings.appointments.changes import (
    appointment_cancel,
    appointment_reschedule,
    cancellation_fee_for,
)
from bookings.dispatch import outbox
from bookings.dispatch.assignment import appointment_assign, dispatch_board
from bookings.dispatch.offers import offer_accept, offer_decline, offers_expire, offers_for_worker
from bookings.dispatch.outbox import dispatch_rounds_sweep
from bookings.exceptions import NotAllowed, OfferUnavailable, SlotUnavailable
from bookings.models import Appointment, DispatchAttempt, DispatchRound, JobOffer, Notice
from tests.bookings.factories import WorkerFactory
from tests.support import local, tomorrow_at

pytestmark = pytest.mark.django_db
Status = Appointment.Status


def test_a_booking_writes_the_outbox_row_and_its_kick_offers_the_job(
    book, worker, resident, capture
):
    with capture():
        appointment = book(tomorrow_at(10))
    request = DispatchRound.objects.get(appointment=appointment)
    assert request.status == DispatchRound.Status.OFFERED
    offer = JobOffer.objects.get(appointment=appointment)
    assert (offer.worker, offer.status) == (worker, JobOffer.Status.OPEN)
    assert list(offers_for_worker(worker)) == [offer]
    assert [a.outcome for a in appointment.dispatch_attempts.all()] == ["offered"]
    # The worker is told at once: inbox, email (and SMS when there is a phone).
    assert Notification.objects.filter(recipient=worker.user).count() == 1
    # ...and the resident is told the booking stands (their "booked" notice).
    assert sorted(m.to for m in mail.outbox) == [[resident.email], [worker.user.email]]


def test_a_lost_kick_is_picked_up_by_the_sweep_once(book, worker):
    appointment = book(tomorrow_at(10))  # no on-commit here: as if the broker was down
    assert not JobOffer.objects.exists()
    assert dispatch_rounds_sweep() == 0  # too young: its kick may still arrive
    later = timezone.now() + timedelta(seconds=10)
    assert dispatch_rounds_sweep(now=later) == 1
    assert dispatch_rounds_sweep(now=later) == 0
    assert outbox.dispatch_round_process(round_id=DispatchRound.objects.get().pk) is None
    assert JobOffer.objects.filter(appointment=appointment).count() == 1


def test_an_offer_expires_after_the_provider_timeout_or_sooner_near_the_start(
    book, worker, provider, capture
):
    provider.offer_timeout_minutes = 10
    provider.save()
    with capture():
        far = book(tomorrow_at(10))
    offer = far.offers.get()
    assert offer.expires_at - offer.created == timedelta(minutes=10)
    now = timezone.now()
    near = Appointment(start=now + timedelta(minutes=20), stockrecord=far.stockrecord)
    assert outbox.offer_expiry(near, now) - now == timedelta(minutes=5)


def test_accepting_makes_the_appointment_accepted(book, worker, second_worker, capture):
    with capture():
        appointment = book(tomorrow_at(10))
    offer = appointment.offers.get()
    with pytest.raises(OfferUnavailable):
        offer_accept(offer=offer, worker=second_worker if offer.worker == worker else worker)
    offer_accept(offer=offer, worker=offer.worker)
    appointment.refresh_from_db()
    assert appointment.status == Status.ACCEPTED
    assert DispatchRound.objects.get().status == DispatchRound.Status.ACCEPTED
    with pytest.raises(OfferUnavailable):
        offer_decline(offer=offer, worker=offer.worker, reason="changed my mind")


def test_decline_moves_the_hold_to_the_least_loaded_then_best_rated_worker(
    book, worker, second_worker, third_worker, other_resident, capture
):
    # second_worker has a job that day; third_worker is free all day but rated lower than
    # worker: so worker, then third_worker, then second_worker.
    worker.rating, third_worker.rating = 4.9, 4.5
    worker.save()
    third_worker.save()
    with capture():
        busy = book(tomorrow_at(8), user=other_resident)
    Appointment.objects.filter(pk=busy.pk).update(worker=second_worker)
    with capture():
        appointment = book(tomorrow_at(14))
    first = appointment.offers.get()
    assert first.worker == worker
    with capture():
        second = offer_decline(offer=first, worker=worker, reason="生病了")
    appointment.refresh_from_db()
    assert second.worker == third_worker == appointment.worker
    first.refresh_from_db()
    assert (first.status, first.decline_reason) == (JobOffer.Status.DECLINED, "生病了")
    with capture():
        third = offer_decline(offer=second, worker=third_worker, reason="太远")
    assert third.worker == second_worker
    assert [(a.worker, a.outcome) for a in appointment.dispatch_attempts.all()] == [
        (worker, "offered"),
        (worker, "declined"),
        (third_worker, "offered"),
        (third_worker, "declined"),
        (second_worker, "offered"),
    ]


def test_an_expired_offer_goes_to_the_next_worker(book, worker, second_worker, capture):
    with capture():
        appointment = book(tomorrow_at(10))
    first = appointment.offers.get()
    assert offers_expire() == 0
    with capture():
        assert offers_expire(now=first.expires_at + timedelta(seconds=1)) == 1
    first.refresh_from_db()
    assert first.status == JobOffer.Status.EXPIRED
    nxt = appointment.offers.get(status=JobOffer.Status.OPEN)
    assert nxt.worker != first.worker
    assert list(offers_for_worker(first.worker)) == []
    with pytest.raises(OfferUnavailable):
        offer_accept(offer=first, worker=first.worker)


def test_with_nobody_left_managers_are_alerted_and_the_resident_offered_a_way_out(
    book, worker, resident, provider_manager, capture, english
):
    resident.language = "en"
    resident.save()
    with capture():
        appointment = book(tomorrow_at(10))
    offer = appointment.offers.get()
    with capture():
        assert offer_decline(offer=offer, worker=worker, reason="busy") is None
    request = DispatchRound.objects.get()
    assert request.status == DispatchRound.Status.ESCALATED
    assert appointment.dispatch_attempts.last().outcome == "escalated"
    assert list(dispatch_board(worker.provider)) == [appointment]
    assert dispatch_board(worker.provider)[0].is_escalated
    manager_note = Notification.objects.get(recipient=provider_manager)
    assert "无人接单" in manager_note.subject  # the manager reads Simplified Chinese
    # The resident's notes: the booking's, then this one.
    resident_note = Notification.objects.filter(recipient=resident).order_by("pk").last()
    assert "/reschedule/" in resident_note.body and "/cancel/" in resident_note.body
    assert "full refund" in resident_note.body
    # Within 24 h or not, cancelling an escalated appointment is free.
    assert cancellation_fee_for(appointment, at=appointment.start - timedelta(hours=1)) == 0
    with capture():
        assert appointment_cancel(appointment=appointment, by=resident) == 0
    assert DispatchRound.objects.get().status == DispatchRound.Status.CLOSED
    assert not Notice.objects.filter(status=Notice.Status.PENDING).exists()


def test_a_manager_assigns_through_the_same_path(
    book, worker, second_worker, provider_manager, other_resident, outsider, capture
):
    with capture():
        appointment = book(tomorrow_at(10))
    other = second_worker if appointment.worker == worker else worker
    with pytest.raises(NotAllowed):
        appointment_assign(appointment=appointment, worker=other, by=outsider)
    with capture():
        appointment_assign(appointment=appointment, worker=other, by=provider_manager)
    appointment.refresh_from_db()
    assert appointment.worker == other
    assert appointment.offers.get(status=JobOffer.Status.OPEN).worker == other
    assert appointment.offers.filter(status=JobOffer.Status.WITHDRAWN).count() == 1
    assert DispatchAttempt.objects.filter(outcome="assigned", actor=provider_manager).exists()
    # The first worker is now free at 10:00 and gets another booking; assigning them back
    # onto the same time is refused: no double booking.
    with capture():
        taken = book(tomorrow_at(10), user=other_resident)
    assert taken.worker != other
    with pytest.raises(SlotUnavailable):
        appointment_assign(appointment=appointment, worker=taken.worker, by=provider_manager)


def test_an_unaccepted_job_moved_to_another_time_is_dispatched_afresh(book, worker, capture):
    with capture():
        appointment = book(tomorrow_at(10))
    with capture():
        appointment_reschedule(appointment=appointment, new_start=local(2, 11), by=None)
    assert appointment.offers.filter(status=JobOffer.Status.WITHDRAWN).count() == 1
    assert appointment.offers.filter(status=JobOffer.Status.OPEN).count() == 1
    assert DispatchRound.objects.filter(status=DispatchRound.Status.OFFERED).count() == 1


def test_an_inactive_or_unqualified_worker_is_never_offered(
    book, worker, provider, community, capture
):
    WorkerFactory(provider=provider, communities=[community])  # no skill
    with capture():
        appointment = book(tomorrow_at(10))
    with capture():
        assert offer_decline(offer=appointment.offers.get(), worker=worker, reason="no") is None
    assert DispatchRound.objects.get().status == DispatchRound.Status.ESCALATED
