"""A worker's day: the resident's contact only once accepted and for 24 h after the job,
check in, complete with notes (capturing the card payment at localstripe), no-show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.apps.payment.models import Source

from bookings.appointments.lifecycle import appointment_transition
from bookings.appointments.settlement import payments_capture_finished
from bookings.console import jobs as console
from bookings.console.access import job_contact
from bookings.console.errors import ConsoleError
from bookings.models import Appointment, AppointmentEvent
from payments import stripe_client as sc
from payments.models import PaymentIntentRecord
from payments.services import payments_reconcile
from tests.bookings.console.conftest import accept, starting_in
from tests.payments.conftest import save_card
from tests.support import local

pytestmark = pytest.mark.django_db
Status = Appointment.Status
PaymentStatus = PaymentIntentRecord.Status

# From tests.factories.HouseholdFactory: what must stay hidden until acceptance.
ROOM, PHONE, NAME = "1201", "13800138001", "王芳"


def _page(client, job):
    response = client.get(f"/provider/jobs/{job.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_before_acceptance_the_job_shows_community_and_building_only(client, job, worker):
    client.force_login(worker.user)
    page = _page(client, job)
    assert "望京花园" in page and "3" in page  # community, building 3
    for secret in (ROOM, PHONE, NAME):
        assert secret not in page
    assert 'id="job-contact-hidden"' in page


def test_after_acceptance_the_worker_sees_name_exact_address_and_phone(client, job, worker):
    accept(job)
    client.force_login(worker.user)
    page = _page(client, job)
    for shown in (ROOM, PHONE, NAME, "2"):  # unit 2, room 1201
        assert shown in page
    assert f'href="tel:{PHONE}"' in page


def test_the_contact_disappears_24_hours_after_completion(client, job, worker):
    accept(job)
    starting_in(job, 10)
    console.appointment_check_in(appointment=job, worker=worker)
    console.appointment_complete(appointment=job, worker=worker, notes="")
    client.force_login(worker.user)
    assert PHONE in _page(client, job)

    done = AppointmentEvent.objects.get(appointment=job, to_status=Status.COMPLETED)
    AppointmentEvent.objects.filter(pk=done.pk).update(at=timezone.now() - timedelta(hours=23))
    assert PHONE in _page(client, job)

    AppointmentEvent.objects.filter(pk=done.pk).update(at=timezone.now() - timedelta(hours=24))
    page = _page(client, job)
    for secret in (ROOM, PHONE, NAME):
        assert secret not in page
    assert "24 hours have passed" in page or "24 小时" in page


def test_a_reassigned_job_hides_the_contact_again(job, worker):
    accept(job)
    assert job_contact(job) is not None
    appointment_transition(appointment=job, to=Status.CONFIRMED, reason="Another worker takes it")
    assert job_contact(job) is None


def test_checking_in_too_early_is_refused_with_the_time_it_opens(job, worker, english):
    accept(job)
    with pytest.raises(ConsoleError, match="Check in when you arrive"):
        console.appointment_check_in(appointment=job, worker=worker)
    job.refresh_from_db()
    assert job.status == Status.ACCEPTED


def test_a_job_not_yet_accepted_cannot_be_checked_in(client, job, worker, english):
    starting_in(job, 10)
    client.force_login(worker.user)
    response = client.post(f"/provider/jobs/{job.pk}/check-in/", follow=True)
    assert "Only an accepted job can be checked in" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Status.CONFIRMED


def test_completion_without_check_in_is_refused(job, worker, english):
    accept(job)
    with pytest.raises(ConsoleError, match="Check in before completing"):
        console.appointment_complete(appointment=job, worker=worker, notes="done")


def test_check_in_and_complete_through_the_pages_records_the_notes(client, job, worker):
    accept(job)
    starting_in(job, 30)
    client.force_login(worker.user)
    assert client.post(f"/provider/jobs/{job.pk}/check-in/").status_code == 302
    job.refresh_from_db()
    assert job.status == Status.IN_PROGRESS
    client.post(f"/provider/jobs/{job.pk}/complete/", {"notes": "厨房油污较重，已处理"})
    job.refresh_from_db()
    assert job.status == Status.COMPLETED
    assert job.order.status == "Completed"
    event = job.events.get(to_status=Status.COMPLETED)
    assert "厨房油污较重" in event.display_reason and event.actor == worker.user
    # Nothing to capture: this resident pays after the service.
    assert not PaymentIntentRecord.objects.filter(order=job.order).exists()


def _kept_at_stripe(intent) -> int:
    """What Stripe (localstripe) says was charged and kept, in fen."""
    pi = sc.payment_intent_retrieve(intent.stripe_id)
    assert pi["status"] == "succeeded"
    charge = sc.latest_charge(pi)
    return charge["amount"] - charge["amount_refunded"]


@pytest.fixture
def card_job(localstripe, resident, book, worker):
    """A job booked with the resident's saved card: ¥120 authorised at booking."""
    save_card(resident)
    appointment = book(local(1, 10))
    intent = PaymentIntentRecord.objects.get(order=appointment.order)
    assert intent.status == PaymentStatus.AUTHORISED
    return appointment


def test_completion_captures_the_card_payment(client, card_job, worker):
    accept(card_job)
    starting_in(card_job, 5)
    client.force_login(worker.user)
    client.post(f"/provider/jobs/{card_job.pk}/check-in/")
    response = client.post(f"/provider/jobs/{card_job.pk}/complete/", {"notes": "ok"}, follow=True)

    intent = PaymentIntentRecord.objects.get(order=card_job.order)
    assert intent.status == PaymentStatus.CAPTURED
    assert intent.amount_captured == Decimal("120.00")
    assert _kept_at_stripe(intent) == 12000
    assert "¥120.00" in response.content.decode()
    source = Source.objects.get(order=card_job.order)
    assert source.amount_debited == Decimal("120.00")


def test_completing_twice_charges_once(card_job, worker):
    accept(card_job)
    starting_in(card_job, 5)
    console.appointment_check_in(appointment=card_job, worker=worker)
    console.appointment_complete(appointment=card_job, worker=worker, notes="")
    with pytest.raises(ConsoleError):
        console.appointment_complete(appointment=card_job, worker=worker, notes="")
    # A retry of the settlement (the sweep) finds it captured and calls Stripe no more.
    assert payments_capture_finished() == 0
    intent = PaymentIntentRecord.objects.get(order=card_job.order)
    assert intent.amount_captured == Decimal("120.00")
    assert _kept_at_stripe(intent) == 12000


def test_a_no_show_charges_only_the_late_cancellation_fee(card_job, worker, english):
    accept(card_job)
    starting_in(card_job, 1)
    with pytest.raises(ConsoleError, match="from the start time"):
        console.appointment_no_show(appointment=card_job, worker=worker, notes="nobody home")
    starting_in(card_job, -10)
    with pytest.raises(ConsoleError, match="say what happened"):
        console.appointment_no_show(appointment=card_job, worker=worker, notes=" ")
    result = console.appointment_no_show(
        appointment=card_job, worker=worker, notes="rang twice, no answer"
    )
    card_job.refresh_from_db()
    assert card_job.status == Status.NO_SHOW
    assert card_job.fees_due == Decimal("30.00")  # the factory service's cancellation fee
    assert result.payment.captured == Decimal("30.00")
    assert _kept_at_stripe(result.payment.intent) == 3000


def test_another_worker_cannot_complete_through_the_service(job, worker, second_worker):
    accept(job)
    starting_in(job, 5)
    console.appointment_check_in(appointment=job, worker=worker)
    with pytest.raises(ConsoleError):
        console.appointment_complete(appointment=job, worker=second_worker, notes="")


def test_todays_and_upcoming_jobs_are_listed(client, book, worker):
    today_job = starting_in(book(local(1, 9)), 60)
    later = book(local(3, 15))
    client.force_login(worker.user)
    page = client.get("/provider/")
    assert [j.pk for j in page.context["today"]] == [today_job.pk]
    assert [j.pk for j in page.context["upcoming"]] == [later.pk]


def test_a_capture_that_could_not_reach_stripe_is_taken_by_the_sweep(
    card_job, worker, settings, localstripe
):
    accept(card_job)
    starting_in(card_job, 5)
    console.appointment_check_in(appointment=card_job, worker=worker)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe unreachable
    result = console.appointment_complete(appointment=card_job, worker=worker, notes="")
    card_job.refresh_from_db()
    assert card_job.status == Status.COMPLETED  # the job stands
    assert result.payment.error
    intent = PaymentIntentRecord.objects.get(order=card_job.order)
    assert intent.status == PaymentStatus.AUTHORISED

    settings.STRIPE_API_BASE = localstripe  # back
    # The reconciliation releases the claim of the call that never landed; the sweep captures.
    payments_reconcile(older_than=timedelta(0))
    assert payments_capture_finished() == 1
    intent.refresh_from_db()
    assert (intent.status, intent.amount_captured) == (PaymentStatus.CAPTURED, Decimal("120.00"))
    assert _kept_at_stripe(intent) == 12000
