"""Basket checkout: several services and slots in one Oscar order, one appointment per line."""

import pytest
from oscar.apps.basket.models import Basket
from oscar.apps.order.models import Order

from bookings.models import Appointment
from tests.cms.support import publish_board
from tests.factories import ProductFactory, StockRecordFactory
from tests.support import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def window_cleaning(provider, community, worker):
    product = ProductFactory(
        title="擦玻璃",
        title_en="Window cleaning",
        attributes={"duration_minutes": 60, "cancellation_fee": 20.0},
    )
    StockRecordFactory(product=product, partner=provider, community=community, price="160.00")
    publish_board(community)  # on the fee board, so it can be charged
    return product


def _add(client, product, start):
    return client.post(f"/shop/services/{product.pk}/basket/", {"start": start.isoformat()})


def _checkout(client):
    """Walk Oscar's checkout to the preview page, as the buttons do."""
    client.get("/shop/checkout/", follow=True)
    client.get("/shop/checkout/payment-details/")
    return client.get("/shop/checkout/preview/", HTTP_ACCEPT_LANGUAGE="en")


def test_two_services_at_two_times_become_one_order_with_two_appointments(
    client, resident, service, window_cleaning, worker
):
    client.force_login(resident)
    assert _add(client, service, local(2, 9)).status_code == 302
    assert _add(client, window_cleaning, local(2, 14)).status_code == 302
    basket_page = client.get("/shop/basket/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Window cleaning" in basket_page and "14:00" in basket_page
    preview = _checkout(client)
    assert preview.status_code == 200
    assert preview.context["slot_problems"] == {}
    response = client.post("/shop/checkout/preview/", {"action": "place_order"})
    assert response.status_code == 302 and response["Location"] == "/shop/checkout/thank-you/"
    order = Order.objects.get()
    appointments = list(order.appointments.order_by("start"))
    assert [(a.product, a.start, a.status) for a in appointments] == [
        (service, local(2, 9), "confirmed"),
        (window_cleaning, local(2, 14), "confirmed"),
    ]
    assert [a.line for a in appointments] == list(order.lines.order_by("pk"))
    assert order.status == "Confirmed"
    assert str(order.total_incl_tax) == "280.00"
    thanks = client.get("/shop/checkout/thank-you/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Window cleaning" in thanks.content.decode()


def test_a_slot_taken_meanwhile_is_reported_on_its_line_and_nothing_is_placed(
    client, resident, other_resident, service, window_cleaning, worker, book
):
    client.force_login(resident)
    _add(client, service, local(2, 9))
    _add(client, window_cleaning, local(2, 14))
    assert _checkout(client).status_code == 200
    # Someone else books the only worker at 14:00 while the resident reads the preview.
    book(local(2, 14), user=other_resident, product=window_cleaning)
    response = client.post(
        "/shop/checkout/preview/", {"action": "place_order"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    problems = response.context["slot_problems"]
    taken_line = Basket.objects.get(owner=resident).lines.get(product=window_cleaning)
    assert list(problems) == [taken_line.pk]
    body = response.content.decode()
    assert "just taken" in body or "no longer free" in body
    assert Appointment.objects.filter(resident=resident).count() == 0
    assert Order.objects.filter(user=resident).count() == 0
    # The basket is open again, both lines still in it.
    basket = Basket.objects.get(owner=resident)
    assert basket.status == Basket.OPEN and basket.num_lines == 2


def test_the_preview_warns_before_placing_when_a_time_is_gone(
    client, resident, other_resident, service, worker, book
):
    client.force_login(resident)
    _add(client, service, local(2, 9))
    book(local(2, 9), user=other_resident)
    preview = _checkout(client)
    assert list(preview.context["slot_problems"].values()) == [
        "This time is no longer free. Please choose another."
    ]
    assert b"place-order" not in preview.content


def test_adding_a_taken_time_or_the_same_line_twice_is_refused(
    client, resident, other_resident, service, worker, book
):
    client.force_login(resident)
    assert _add(client, service, local(2, 9)).status_code == 302
    assert _add(client, service, local(2, 9)).status_code == 400
    book(local(2, 14), user=other_resident)
    assert _add(client, service, local(2, 14)).status_code == 409
    assert Basket.objects.get(owner=resident).num_lines == 1


def test_checkout_without_a_household_asks_for_one(client, service, worker):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    response = _add(client, service, local(2, 9))
    assert response.status_code == 302 and "/shop/accounts/households/" in response["Location"]
