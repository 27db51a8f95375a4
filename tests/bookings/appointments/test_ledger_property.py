"""Property: whatever a resident and a worker do, announced = recorded = captured − refunded.

Random sequences of reschedule (early, late, late to a far date), cancel (early, late), no-show
and completion, after a one-click booking paid by card or after the service, run against
localstripe through the resident's pages and the console's services. After each sequence, for
the appointment and its order: what the resident was told before confirming each step (the
cancel page's fee, the price for a completed job, the announced fee for a no-show) equals what
the ledger records (``fees_due`` + the price once completed, the timeline's fees, Oscar's payment
Source, our intents) equals what localstripe kept (captured minus refunded), and the resident's
appointment page shows it. Each example runs in a savepoint rolled back at its end.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Appointment
from tests.bookings.appointments.ledger import (
    EARLY,
    LATE,
    Announced,
    assert_ledger_agrees,
    cancel,
    complete,
    daytime_slot,
    no_show,
    reschedule,
    time_passes,
)
from tests.payments.conftest import save_card

pytestmark = pytest.mark.django_db

STEPS = (
    "reschedule early",
    "reschedule late",
    "reschedule late to a far date",
    "cancel early",
    "cancel late",
    "no-show",
    "complete",
)


def _step(client, appointment, step, announced):
    if step.startswith("reschedule"):
        late = "late" in step
        time_passes(appointment, late=late)
        if step.endswith("far date"):
            new = daytime_slot(after=timedelta(days=6), before=timedelta(days=7))
        else:
            after, before = LATE if late else EARLY
            new = daytime_slot(after=after, before=before, not_at=appointment.start)
        reschedule(client, appointment, new, announced)
    elif step.startswith("cancel"):
        time_passes(appointment, late=step.endswith("late"))
        cancel(client, appointment, announced)
    elif step == "no-show":
        no_show(appointment, announced)
    else:
        complete(appointment, announced)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    by_card=st.booleans(),
    steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=4),
)
def test_announced_equals_recorded_equals_captured_minus_refunded(
    localstripe, resident, other_resident, anytime_worker, book, client, english, by_card, steps
):
    if not resident.saved_cards.exists():
        save_card(resident)  # once per test: the resident pays by card, the other after
    user = resident if by_card else other_resident
    client.force_login(user)
    with transaction.atomic():
        appointment = book(daytime_slot(after=EARLY[0], before=EARLY[1]), user=user)
        assert (appointment.payment_method == Appointment.PaymentMethod.CARD) == by_card
        announced = Announced()
        for step in steps:
            appointment.refresh_from_db()
            if not appointment.is_active:
                break
            _step(client, appointment, step, announced)
        assert_ledger_agrees(client, appointment, announced)
        transaction.set_rollback(True)
