"""What a resident reads on the appointment and order pages: one language, local times, the
fee-board revision; and the booking flow around logging in and failed payments."""

import importlib
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import translation

from bookings.models import Appointment
from tests.support import tomorrow_at

pytestmark = pytest.mark.django_db

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


@pytest.fixture
def appointment(book, worker):
    with translation.override("zh-hans"):  # booked on a Chinese page
        return book(tomorrow_at(10))


def test_the_timeline_reads_in_the_page_language_whatever_the_booking_language(
    client, resident, appointment, english
):
    client.force_login(resident)
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert "Booked by the resident" in page and "Booking confirmed" in page
    assert "住户预约" not in page and "预约已确认" not in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(appointment.get_absolute_url()).content.decode()
    assert "住户预约" in page and "Booked by the resident" not in page


def test_the_appointment_names_the_board_revision_behind_its_price(
    client, resident, appointment, community
):
    client.force_login(resident)
    page = client.get(appointment.get_absolute_url()).content.decode()
    revision = appointment.board_revision_id
    assert revision and f"第 {revision} 版" in page
    assert f"/boards/{community.slug}/changes/#revision-{revision}" in page


def test_the_order_shows_the_slot_as_a_local_date_and_time_and_a_translated_status(
    client, resident, appointment, english
):
    client.force_login(resident)
    url = f"/shop/accounts/orders/{appointment.order.number}/"
    page = client.get(url).content.decode()
    assert "Regular cleaning (2 hours)" in page and "10:00" in page
    assert not ISO_TIME.search(page) and "Time slot" not in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(url).content.decode()
    assert "日常保洁（2 小时）" in page and "Time slot" not in page
    assert "Confirmed" not in page and "Pending" not in page


def test_an_anonymous_click_on_a_time_comes_back_to_that_time_after_login(client, service):
    start = tomorrow_at(10).isoformat()
    response = client.post("/shop/book/", {"product": service.pk, "start": start})
    assert response.status_code == 302
    next_url = parse_qs(urlparse(response["Location"]).query)["next"][0]
    assert next_url.startswith(service.get_absolute_url())
    assert parse_qs(urlparse(next_url).query)["slot"] == [start]
    login_page = client.get(response["Location"]).content.decode()
    assert "请先登录再预约这个时间" in login_page
    assert not Appointment.objects.exists()


def test_a_booking_whose_payment_failed_is_listed_as_not_booked_without_a_price(
    client, resident, appointment
):
    # A booking released before it was ever confirmed (a declined card): its events never
    # reach "confirmed".
    appointment.events.filter(to_status=Appointment.Status.CONFIRMED).delete()
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    client.force_login(resident)
    page = client.get("/shop/accounts/appointments/").content.decode()
    past = page[page.index('id="past-appointments"') :]
    assert "未预约成功" in past and "¥120.00" not in past


@pytest.mark.parametrize(
    "stored,pair",
    [
        ("首 30 分钟免费 First 30 min free", ("首 30 分钟免费", "First 30 min free")),
        ("业主表决通过 Approved by owners", ("业主表决通过", "Approved by owners")),
        (
            "电梯广告、停车位租赁 Lift ads, parking rent",
            ("电梯广告、停车位租赁", "Lift ads, parking rent"),
        ),
        ("3 号楼屋面防水维修", None),
        ("Roof repair", None),
    ],
)
def test_a_note_in_both_languages_is_split_into_a_pair(stored, pair):
    migration = importlib.import_module("cms.migrations.0006_board_english_pairs")
    assert migration._split(stored) == pair
