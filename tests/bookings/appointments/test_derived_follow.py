"""Everything computed from an appointment's start, worker or status follows it (issue 14,
section 3). Reminders have their own tests (tests/bookings/notify/test_reminders_follow.py);
here: the scheduled card authorisation (far dates are authorised 48 h before the start), the
calendar's SEQUENCE, the Oscar line's slot, the worker's view of the resident's contact."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings.appointments.changes import appointment_cancel, appointment_reschedule
from bookings.appointments.orders import line_slot
from bookings.console.access import job_contact
from bookings.dispatch.assignment import appointment_assign
from bookings.dispatch.offers import offer_accept
from bookings.dispatch.outbox import dispatch_round_process
from bookings.models import Appointment
from payments.models import PaymentIntentRecord, SavedCard
from payments.services import authorise_due_payments
from tests.payments.conftest import save_card
from tests.support import local

pytestmark = pytest.mark.django_db
IntentStatus = PaymentIntentRecord.Status
H = timedelta(hours=1)


@pytest.fixture
def card(resident):
    """A saved default card. A far-date booking only schedules its authorisation: nothing
    reaches Stripe in these tests."""
    return SavedCard.objects.create(
        user=resident,
        stripe_payment_method_id="pm_card_visa",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2035,
        is_default=True,
    )


def _intent(appointment):
    return PaymentIntentRecord.objects.filter(order=appointment.order).order_by("pk").first()


def test_a_scheduled_authorisation_moves_with_a_later_start(book, worker, card, resident):
    appointment = book(local(10, 10))
    assert _intent(appointment).status == IntentStatus.SCHEDULED
    assert _intent(appointment).authorise_at == local(10, 10) - 48 * H
    appointment_reschedule(appointment=appointment, new_start=local(20, 10), by=resident)
    intent = _intent(appointment)
    assert (intent.status, intent.authorise_at) == (IntentStatus.SCHEDULED, local(20, 10) - 48 * H)
    # Not taken at the old time: an authorisation taken then would lapse before the service.
    assert authorise_due_payments(now=local(8, 10) + timedelta(minutes=1)) == 0


def test_a_scheduled_authorisation_is_taken_at_once_when_the_start_comes_near(
    localstripe, book, worker, resident
):
    save_card(resident)
    appointment = book(local(10, 10))
    assert _intent(appointment).status == IntentStatus.SCHEDULED
    appointment_reschedule(appointment=appointment, new_start=local(3, 10), by=resident)
    intent = _intent(appointment)
    # Within the authorisation horizon (3 d 18 h): taken now, not at the old D+8, after the
    # service.
    assert intent.status == IntentStatus.AUTHORISED
    assert intent.authorise_at <= timezone.now()


def test_a_cancellation_voids_the_scheduled_authorisation(book, worker, card, resident):
    appointment = book(local(10, 10))
    appointment_cancel(appointment=appointment, by=resident)
    assert _intent(appointment).status == IntentStatus.CANCELED


def test_the_calendar_event_sequence_grows_with_each_change(client, book, worker, resident):
    appointment = book(local(3, 10))
    client.force_login(resident)

    def event():
        response = client.get(f"/shop/accounts/appointments/{appointment.pk}.ics")
        (vevent,) = Calendar.from_ical(response.content).walk("VEVENT")
        return vevent

    first = int(event()["sequence"])
    appointment_reschedule(appointment=appointment, new_start=local(4, 10), by=resident)
    moved = event()
    assert int(moved["sequence"]) > first
    assert moved.decoded("dtstart") == local(4, 10)
    appointment_cancel(appointment=appointment, by=resident)
    cancelled = event()
    assert int(cancelled["sequence"]) > int(moved["sequence"])
    assert str(cancelled["status"]) == "CANCELLED"


def test_the_order_lines_slot_follows_a_reschedule(book, worker, resident):
    appointment = book(local(3, 10))
    appointment_reschedule(appointment=appointment, new_start=local(4, 15), by=resident)
    appointment.refresh_from_db()
    assert line_slot(appointment.line) == local(4, 15)


def test_a_reassigned_job_shows_the_contact_only_to_the_worker_who_accepts_it(
    book, worker, second_worker, provider_manager
):
    appointment = book(local(3, 10))
    offer = dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    offer_accept(offer=offer, worker=offer.worker)
    appointment.refresh_from_db()
    assert job_contact(appointment) is not None
    other = second_worker if appointment.worker == worker else worker
    appointment_assign(appointment=appointment, worker=other, by=provider_manager)
    appointment.refresh_from_db()
    # Back to confirmed: nobody sees the resident's phone until the new worker accepts.
    assert appointment.status == Appointment.Status.CONFIRMED
    assert job_contact(appointment) is None
    offer_accept(offer=appointment.offers.get(status="open"), worker=other)
    appointment.refresh_from_db()
    assert job_contact(appointment) is not None


def test_an_authorisation_that_would_lapse_before_the_new_start_is_taken_again_later(
    localstripe, book, worker, resident
):
    """Authorised at booking for D+3, moved to D+20: the hold would lapse (about 7 days) long
    before the service. It is voided (nothing charged) and scheduled 48 h before D+20."""
    save_card(resident)
    appointment = book(local(3, 10))
    first = _intent(appointment)
    assert first.status == IntentStatus.AUTHORISED
    appointment_reschedule(appointment=appointment, new_start=local(20, 10), by=resident)
    first.refresh_from_db()
    assert first.status == IntentStatus.CANCELED
    live = PaymentIntentRecord.objects.get(
        order=appointment.order, status__in=PaymentIntentRecord.ACTIVE
    )
    assert (live.status, live.authorise_at) == (IntentStatus.SCHEDULED, local(20, 10) - 48 * H)
    assert live.amount == first.amount


def test_an_authorisation_that_still_covers_the_new_start_stays(
    localstripe, book, worker, resident
):
    save_card(resident)
    appointment = book(local(2, 10))
    # D+3 is still captured (a day after the start at the latest) inside the hold's 4 d 18 h.
    appointment_reschedule(appointment=appointment, new_start=local(3, 10), by=resident)
    assert _intent(appointment).status == IntentStatus.AUTHORISED
