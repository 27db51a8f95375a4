"""The price gate on every booking path: one click, basket checkout (with a dashboard discount
on offer, with a saved card) and reschedule can charge only a price that is on the community's
published fee board, and every appointment (one per order line) names the board revision that
justified its price; what an order charges (each line after discounts, the total, the card's
authorisation) is the sum of those prices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oscar.apps.basket.models import Basket
from oscar.apps.offer.models import ConditionalOffer
from oscar.apps.order.models import Order

from bookings.appointments.changes import appointment_reschedule
from bookings.exceptions import BookingError
from bookings.models import Appointment
from marketplace.partner.models import StockRecord
from payments.cards import default_card
from payments.models import PaymentIntentRecord, SavedCard
from tests.cms.support import publish_board
from tests.factories import ProductFactory, StockRecordFactory
from tests.integration.board_paths import (
    assert_every_charge_is_on_its_board,
    basket_checkout,
    site_offer,
)
from tests.payments.conftest import VISA, save_card
from tests.support import local

pytestmark = pytest.mark.django_db


def _one_click(client, service, start):
    return client.post(
        "/shop/book/",
        {"product": service.pk, "start": start.isoformat(), "key": start.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )


_basket_checkout = basket_checkout
_assert_every_charge_is_on_its_board = assert_every_charge_is_on_its_board


def test_a_service_not_on_the_board_is_refused_and_a_proposal_is_not_charged(
    client, resident, service, provider, community, worker
):
    newcomer = ProductFactory(title="擦玻璃", product_class=service.product_class)
    StockRecordFactory(product=newcomer, partner=provider, community=community, price="90.00")
    client.force_login(resident)
    response = _one_click(client, newcomer, local(1, 10))
    assert response.status_code == 409
    assert "not on the published fee board of Wangjing Garden" in response.content.decode()
    assert _basket_checkout(client, newcomer, local(1, 11)).status_code == 409
    assert not Appointment.objects.exists() and not Order.objects.exists()

    record = StockRecord.objects.get(product=service, community=community)
    record.price = Decimal("135.00")
    record.save()  # a proposal: a draft board revision awaits publication
    assert _one_click(client, service, local(1, 10)).status_code == 302
    assert Appointment.objects.get().price == Decimal("120.00")  # the published price
    publish_board(community)
    assert _one_click(client, service, local(1, 14)).status_code == 302
    assert Appointment.objects.get(start=local(1, 14)).price == Decimal("135.00")
    assert _one_click(client, newcomer, local(2, 10)).status_code == 302
    _assert_every_charge_is_on_its_board()


actions = st.lists(
    st.one_of(
        st.tuples(st.just("price"), st.integers(min_value=-30, max_value=30)),
        st.tuples(st.just("publish"), st.just(0)),
        st.tuples(st.just("one_click"), st.integers(min_value=1, max_value=6)),
        st.tuples(st.just("basket"), st.integers(min_value=1, max_value=6)),
        # A dashboard site offer of 10 % is live, then a basket is checked out.
        st.tuples(st.just("basket_discount"), st.integers(min_value=1, max_value=6)),
        # The resident saves a card, then checks a basket out: it must be authorised.
        st.tuples(st.just("basket_card"), st.integers(min_value=1, max_value=6)),
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
    client, localstripe, resident, service, community, worker, steps
):
    Appointment.objects.all().delete()
    PaymentIntentRecord.objects.all().delete()
    Order.objects.all().delete()
    ConditionalOffer.objects.all().delete()
    SavedCard.objects.all().delete()
    Basket.objects.filter(owner=resident).delete()  # each example starts with an empty basket
    client.force_login(resident)
    record = StockRecord.objects.get(product=service, community=community)
    hour = iter(range(8, 17))
    for action, value in steps:
        if action == "price":
            record.price = max(Decimal("10.00"), record.price + value)
            record.save()
        elif action == "publish":
            publish_board(community)
        elif action in ("one_click", "basket", "basket_discount", "basket_card"):
            if action == "basket_discount":
                site_offer(10)
            if action == "basket_card" and default_card(resident) is None:
                save_card(resident, VISA)
            start = local(value, next(hour, 8))
            book = _one_click if action == "one_click" else _basket_checkout
            response = book(client, service, start)
            assert response.status_code in (200, 302, 409), response.status_code
            booked = Appointment.objects.filter(start=start, status="confirmed").first()
            if response.status_code == 302 and action != "one_click":
                assert booked is not None  # the basket's order was placed
            if booked is not None and default_card(resident) is not None:
                # Paid as one click pays: the saved card authorised (or, for a start more
                # than 5 days ahead, scheduled) for the order total.
                intent = PaymentIntentRecord.objects.get(order=booked.order)
                assert intent.status in ("authorised", "scheduled")
                assert intent.amount == booked.order.total_incl_tax == booked.price
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
