"""A booking refused because the card was declined was never booked: its page and the list
say so, without a price and without reading as a cancellation, in the reader's language
whatever language the booking was tried in."""

import pytest
from django.utils import translation

from bookings.exceptions import PaymentRefused
from bookings.models import Appointment
from tests.payments.conftest import DECLINED_AT_CHARGE, save_card
from tests.support import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(book, resident, worker, localstripe):
    save_card(resident, DECLINED_AT_CHARGE)
    with translation.override("zh-hans"), pytest.raises(PaymentRefused):
        book(local(3, 10))
    return Appointment.objects.get(resident=resident)


def test_its_page_says_not_booked_and_nothing_charged_in_english(
    client, resident, refused, english
):
    assert refused.status == Appointment.Status.CANCELLED
    client.force_login(resident)
    page = client.get(refused.get_absolute_url()).content.decode()
    assert "Not booked: the card payment did not go through" in page
    assert 'id="appointment-not-charged"' in page and "¥120.00" not in page
    assert "The card was declined; nothing was charged" in page
    assert "银行卡" not in page


def test_its_page_says_not_booked_in_chinese(client, resident, refused):
    client.force_login(resident)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(refused.get_absolute_url()).content.decode()
    assert "未预约成功" in page and "银行卡被拒，未扣任何费用" in page
    status = page[page.index('id="appointment-status"') :]
    assert status.startswith('id="appointment-status">未预约成功')
    assert "¥120.00" not in page


def test_a_booking_that_was_confirmed_and_then_cancelled_keeps_its_price(
    client, resident, book, worker
):
    from bookings.appointments.changes import appointment_cancel

    appointment = book(local(3, 10))
    appointment_cancel(appointment=appointment, by=resident)
    client.force_login(resident)
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert "¥120.00" in page and "未预约成功" not in page
