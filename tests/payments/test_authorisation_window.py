"""No card hold lapses before its job is captured.

Stripe's table of authorization validity windows gives a card-not-present, merchant-initiated
(off-session, as ours are) Visa authorisation "4 days and 18 hours"
(https://docs.stripe.com/payments/place-a-hold-on-a-payment-method). A job is captured on
completion or no-show, up to ``CAPTURE_AFTER_START`` after its start. So a booking is authorised at
once only when the hold outlives that moment, else scheduled; and a job moved later than its hold
lasts is authorised again (void, then a new authorisation in time).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.appointments.changes import appointment_reschedule
from marketplace import policy
from payments import stripe_client as sc
from payments.models import PaymentIntentRecord
from payments.services import authorisation_time, payment_authorise_or_schedule
from tests.payments.conftest import save_card
from tests.support import local

pytestmark = pytest.mark.django_db
S = PaymentIntentRecord.Status

#: Stripe's documented window for Visa, merchant-initiated, card not present.
VISA_OFF_SESSION = timedelta(days=4, hours=18)
#: A job is captured at most a day after its start (completion or no-show, then beat's retry).
CAPTURE_AFTER_START = timedelta(hours=24)


def test_the_policy_counts_with_stripes_shortest_window_and_a_days_capture():
    assert getattr(policy, "AUTHORISATION_VALIDITY", None) == VISA_OFF_SESSION
    assert getattr(policy, "CAPTURE_AFTER_START", None) == CAPTURE_AFTER_START
    assert policy.AUTHORISE_BEFORE_START + CAPTURE_AFTER_START <= VISA_OFF_SESSION


def test_every_start_in_the_booking_window_is_authorised_in_time():
    """From 2 h to 30 days ahead, every half hour: authorised not before now, and the hold lasts
    until the job is captured."""
    now = timezone.now()
    start = now + timedelta(hours=2)
    while start <= now + timedelta(days=30):
        when = authorisation_time(start, now=now) or now
        assert now <= when < start
        assert when + VISA_OFF_SESSION >= start + CAPTURE_AFTER_START, start - now
        start += timedelta(minutes=30)


@pytest.mark.parametrize("ahead", [timedelta(days=4, hours=19), timedelta(days=4, hours=23)])
def test_a_booking_4_8_to_5_days_ahead_is_not_authorised_at_once(
    localstripe, resident, order, visa, ahead
):
    """Authorised at booking, its hold would lapse before the job starts."""
    starts = timezone.now() + ahead
    intent = payment_authorise_or_schedule(
        order=order, user=resident, amount=Decimal("120"), idempotency_key="k", starts_at=starts
    )
    assert intent.status == S.SCHEDULED
    assert intent.authorise_at + VISA_OFF_SESSION >= starts + CAPTURE_AFTER_START


def test_an_authorisation_records_when_it_lapses(localstripe, resident, order, visa):
    before = timezone.now()
    intent = payment_authorise_or_schedule(
        order=order,
        user=resident,
        amount=Decimal("120"),
        idempotency_key="now",
        starts_at=before + timedelta(days=1),
    )
    assert intent.status == S.AUTHORISED
    assert before + VISA_OFF_SESSION <= intent.capture_before <= timezone.now() + VISA_OFF_SESSION


@pytest.fixture
def card(localstripe, resident):
    return save_card(resident)


def test_a_job_moved_beyond_its_hold_is_authorised_again_in_time(book, resident, worker, card):
    appointment = book(local(2, 10))
    first = PaymentIntentRecord.objects.get(order=appointment.order)
    assert first.status == S.AUTHORISED
    appointment_reschedule(appointment=appointment, new_start=local(12, 10), by=resident)

    first.refresh_from_db()
    assert first.status == S.CANCELED
    assert sc.payment_intent_retrieve(first.stripe_id)["status"] == "canceled"
    live = PaymentIntentRecord.objects.get(
        order=appointment.order, status__in=PaymentIntentRecord.ACTIVE
    )
    assert live.status == S.SCHEDULED and live.amount == first.amount
    assert live.authorise_at == local(12, 10) - timedelta(hours=48)


def test_a_job_moved_within_its_hold_keeps_it(book, resident, worker, card):
    appointment = book(local(2, 10))
    appointment_reschedule(appointment=appointment, new_start=local(3, 14), by=resident)
    intents = PaymentIntentRecord.objects.filter(order=appointment.order)
    assert [i.status for i in intents] == [S.AUTHORISED]


def test_a_scheduled_authorisation_moves_with_its_job(book, resident, worker, card):
    appointment = book(local(12, 10))
    intent = PaymentIntentRecord.objects.get(order=appointment.order)
    assert intent.authorise_at == local(12, 10) - timedelta(hours=48)
    appointment_reschedule(appointment=appointment, new_start=local(20, 10), by=resident)
    intent.refresh_from_db()
    assert (intent.status, intent.authorise_at) == (S.SCHEDULED, local(18, 10))
    # Moved near: the old schedule (after the new start) would never hold it in time.
    appointment_reschedule(appointment=appointment, new_start=local(2, 10), by=resident)
    intent.refresh_from_db()
    assert intent.status == S.AUTHORISED
    assert sc.payment_intent_retrieve(intent.stripe_id)["status"] == "requires_capture"
