"""One click with a saved card: authorised at booking, fee-only capture or void on cancellation,
a declined card leaves nothing charged and frees the slot, a double click pays once.
Against localstripe: no mocks of Stripe."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.appointments.payment import holds_release_abandoned
from bookings.models import Appointment
from payments.models import PaymentIntentRecord
from payments.services import payment_for_order
from tests.payments.conftest import DECLINED_AT_CHARGE, VISA, save_card
from tests.support import local

pytestmark = pytest.mark.django_db(transaction=True)


def _book(client, service, start, key="k1"):
    return client.post(
        "/shop/book/",
        {"product": service.pk, "start": start.isoformat(), "key": key},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_one_click_authorises_the_card_and_confirms(client, localstripe, resident, service, worker):
    save_card(resident, VISA)
    client.force_login(resident)
    response = _book(client, service, local(1, 10))
    assert response.status_code == 302, response.content.decode()[-3000:]
    appointment = Appointment.objects.get()
    assert appointment.status == "confirmed"
    assert appointment.payment_method == "card"
    intent = payment_for_order(appointment.order)
    assert intent.status == "authorised"
    assert intent.amount_authorised == Decimal("120.00") == appointment.order.total_incl_tax
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥120.00 authorised on your card" in page


def test_a_double_click_pays_once_and_books_once(
    client, localstripe, resident, service, worker, second_worker
):
    save_card(resident, VISA)
    client.force_login(resident)
    first = _book(client, service, local(1, 10), key="same")
    second = _book(client, service, local(1, 10), key="same")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appointment.objects.filter(status__in=["held", "confirmed"]).count() == 1
    assert PaymentIntentRecord.objects.count() == 1


@pytest.fixture
def second_worker(provider, community, service):
    from tests.bookings.factories import WorkerFactory

    return WorkerFactory(provider=provider, skills=[service.product_class], communities=[community])


def test_a_declined_card_charges_nothing_and_frees_the_slot(
    client, localstripe, resident, other_resident, service, worker
):
    save_card(resident, DECLINED_AT_CHARGE)
    client.force_login(resident)
    response = _book(client, service, local(1, 10))
    assert response.status_code == 402
    assert "Your card was not accepted" in response.content.decode()
    assert not Appointment.objects.filter(status__in=Appointment.ACTIVE).exists()
    assert not PaymentIntentRecord.objects.filter(amount_authorised__gt=0).exists()
    # The worker is free again: another resident books the same time.
    client.force_login(other_resident)
    assert _book(client, service, local(1, 10), key="other").status_code == 302
    assert Appointment.objects.get(status="confirmed").resident == other_resident


def _within_a_day_in_working_hours():
    """A start 3 to 23 hours ahead that falls in the workers' hours (09:00-15:00 local)."""
    from marketplace.policy import LOCAL_TZ

    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    for hours in range(3, 24):
        start = base + timedelta(hours=hours)
        if 9 <= start.astimezone(LOCAL_TZ).hour <= 15:
            return start
    raise AssertionError("no working hour within a day")


def test_cancelling_within_24_hours_captures_only_the_fee(
    client, localstripe, resident, service, worker
):
    save_card(resident, VISA)
    client.force_login(resident)
    start = _within_a_day_in_working_hours()
    _book(client, service, start)
    appointment = Appointment.objects.get()
    response = client.post(
        f"/shop/accounts/appointments/{appointment.pk}/cancel/", {"reason": "plans changed"}
    )
    assert response.status_code == 302
    intent = payment_for_order(appointment.order)
    intent.refresh_from_db()
    assert intent.status == "captured"
    assert intent.amount_captured == Decimal("30.00")  # the service's cancellation fee


def test_cancelling_a_day_ahead_voids_the_authorisation(
    client, localstripe, resident, service, worker
):
    save_card(resident, VISA)
    client.force_login(resident)
    _book(client, service, local(3, 10))
    appointment = Appointment.objects.get()
    client.post(f"/shop/accounts/appointments/{appointment.pk}/cancel/", {"reason": "away"})
    intent = PaymentIntentRecord.objects.get(order=appointment.order)
    assert intent.status == "canceled"
    assert intent.amount_captured == 0


def test_a_far_appointment_is_scheduled_for_authorisation_48h_before(
    client, localstripe, resident, service, worker
):
    save_card(resident, VISA)
    client.force_login(resident)
    start = local(8, 10)
    _book(client, service, start)
    appointment = Appointment.objects.get()
    assert appointment.status == "confirmed"
    intent = payment_for_order(appointment.order)
    assert intent.status == "scheduled"
    assert intent.authorise_at == start - timedelta(hours=48)


def test_a_hold_whose_3ds_was_never_finished_is_released(
    client, localstripe, resident, service, worker
):
    from tests.payments.conftest import NEEDS_3DS

    save_card(resident, NEEDS_3DS)
    client.force_login(resident)
    response = _book(client, service, local(1, 10))
    assert response.status_code == 302 and "/payments/" in response["Location"]
    appointment = Appointment.objects.get()
    assert appointment.status == "held"
    assert holds_release_abandoned() == 0  # still within its 30 minutes
    assert holds_release_abandoned(now=timezone.now() + timedelta(minutes=31)) == 1
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert payment_for_order(appointment.order) is None or (
        payment_for_order(appointment.order).amount_authorised == 0
    )
