"""The price gate on every booking path: one click, basket checkout and reschedule can charge
only a price that is on the community's published fee board, and every appointment (one per
order line) names the board revision that justified its price."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oscar.apps.order.models import Order
from wagtail.models import Revision

from bookings.appointments.changes import appointment_reschedule
from bookings.exceptions import BookingError
from bookings.models import Appointment
from marketplace.partner.models import StockRecord
from tests.cms.support import publish_board
from tests.support import local

pytestmark = pytest.mark.django_db


def _one_click(client, service, start):
    return client.post(
        "/shop/book/",
        {"product": service.pk, "start": start.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _basket_checkout(client, service, start):
    added = client.post(
        f"/shop/services/{service.pk}/basket/",
        {"start": start.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if added.status_code != 302:
        return added
    client.get("/shop/checkout/", follow=True)
    client.get("/shop/checkout/payment-details/")
    client.get("/shop/checkout/preview/")
    return client.post(
        "/shop/checkout/preview/", {"action": "place_order"}, HTTP_ACCEPT_LANGUAGE="en"
    )


def _board_price(revision_id, product_id) -> Decimal | None:
    content = Revision.objects.get(pk=revision_id).content
    services = content.get("life_services") or []
    if isinstance(services, str):
        services = json.loads(services)
    for entry in services:
        if entry.get("product_id") == product_id:
            return Decimal(str(entry["price"]))
    return None


def _assert_every_charge_is_on_its_board():
    for appointment in Appointment.objects.select_related("line"):
        assert appointment.board_revision_id is not None
        on_board = _board_price(appointment.board_revision_id, appointment.product_id)
        assert on_board == appointment.price == appointment.line.unit_price_incl_tax


def test_an_unpublished_price_is_refused_and_nothing_is_created(
    client, resident, service, community, worker
):
    record = StockRecord.objects.get(product=service, community=community)
    record.price = Decimal("135.00")
    record.save()  # a draft board revision now awaits publication
    client.force_login(resident)
    response = _one_click(client, service, local(1, 10))
    assert response.status_code == 409
    body = response.content.decode()
    assert "not on the published fee board of Wangjing Garden" in body
    assert not Appointment.objects.exists() and not Order.objects.exists()
    basket = _basket_checkout(client, service, local(1, 11))
    assert basket.status_code == 409
    assert not Appointment.objects.exists() and not Order.objects.exists()
    publish_board(community)
    assert _one_click(client, service, local(1, 10)).status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.price == Decimal("135.00")
    _assert_every_charge_is_on_its_board()


actions = st.lists(
    st.one_of(
        st.tuples(st.just("price"), st.integers(min_value=-30, max_value=30)),
        st.tuples(st.just("publish"), st.just(0)),
        st.tuples(st.just("one_click"), st.integers(min_value=1, max_value=6)),
        st.tuples(st.just("basket"), st.integers(min_value=1, max_value=6)),
        st.tuples(st.just("reschedule"), st.integers(min_value=1, max_value=6)),
    ),
    min_size=3,
    max_size=7,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_no_booking_path_charges_a_price_that_is_not_on_the_board(
    client, resident, service, community, worker, steps
):
    Appointment.objects.all().delete()
    Order.objects.all().delete()
    client.force_login(resident)
    record = StockRecord.objects.get(product=service, community=community)
    hour = iter(range(8, 17))
    for action, value in steps:
        if action == "price":
            record.price = max(Decimal("10.00"), record.price + value)
            record.save()
        elif action == "publish":
            publish_board(community)
        elif action in ("one_click", "basket"):
            start = local(value, next(hour, 8))
            book = _one_click if action == "one_click" else _basket_checkout
            response = book(client, service, start)
            assert response.status_code in (302, 409), response.status_code
        elif action == "reschedule":
            appointment = Appointment.objects.filter(status="confirmed").first()
            if appointment is not None:
                try:
                    appointment_reschedule(
                        appointment=appointment,
                        new_start=appointment.start + timedelta(days=value),
                        by=resident,
                    )
                except BookingError:
                    pass
        _assert_every_charge_is_on_its_board()
    client.post("/shop/basket/", {})  # leave no basket lines for the next example
