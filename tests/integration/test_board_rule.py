"""The board rule on every path (issue 14 §4): a resident is charged only what the published fee
board says, by one click and by the basket alike, paid the same way, and told beforehand.

- discounts: a dashboard site offer no longer discounts a basket; the offer, range and voucher
  pages are closed; should a discount reach a basket anyway, the gate refuses it (it checks
  the amount charged per line and per order, not the unit price before discounts);
- the basket authorises the saved card as one click does (a decline places nothing);
- a provider's price proposal keeps the service on sale at the published price;
- the service page and the checkout pages say the payment that will really happen.
Against localstripe where a card is involved: no mocks of Stripe.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from oscar.apps.basket.models import Basket
from oscar.apps.offer.applicator import Applicator as OscarApplicator
from oscar.apps.order.models import Order

from bookings.appointments.basket import basket_add_service, basket_checkout_hold
from bookings.appointments.quote import check_charges, service_quote
from bookings.exceptions import BookingError
from bookings.models import Appointment
from cms.models import FeeBoardPage
from cms.services import board_publish
from marketplace.models import Household
from marketplace.partner.models import StockRecord
from marketplace.partner.strategy import CommunityStrategy
from payments.cards import card_set_default
from payments.models import PaymentIntentRecord
from tests.cms.support import publish_board
from tests.factories import ProductFactory, StockRecordFactory, UserFactory
from tests.integration.board_paths import (
    assert_every_charge_is_on_its_board,
    basket_checkout,
    place_order,
    site_offer,
)
from tests.payments.conftest import DECLINED_AT_CHARGE, VISA, save_card
from tests.support import local

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def window_cleaning(provider, community, worker, service):
    product = ProductFactory(
        title="擦玻璃",
        title_en="Window cleaning",
        product_class=service.product_class,
        attributes={"duration_minutes": 60, "cancellation_fee": 20.0},
    )
    StockRecordFactory(product=product, partner=provider, community=community, price="160.00")
    publish_board(community)  # on the board, so it can be charged
    return product


# --- discounts ------------------------------------------------------------------------------


def test_a_dashboard_site_offer_does_not_discount_a_basket_checkout(
    client, resident, service, worker
):
    site_offer(10)
    client.force_login(resident)
    basket_page = client.get("/shop/basket/")
    response = basket_checkout(client, service, local(2, 10))
    assert response.status_code == 302, response.content.decode()[-2000:]
    order = Order.objects.get()
    appointment = order.appointments.get()
    line = order.lines.get()
    # The board, the appointment, the order line and the total all say ¥120: nothing at ¥108.
    assert appointment.price == Decimal("120.00")
    assert line.line_price_incl_tax == Decimal("120.00")
    assert order.total_incl_tax == Decimal("120.00")
    assert not order.discounts.exists()
    assert basket_page.status_code == 200
    assert_every_charge_is_on_its_board()


def test_the_offer_range_and_voucher_pages_are_closed_and_not_in_the_menu(client, resident):
    staff = UserFactory(email="root@example.cn", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for url in (
        "/shop/dashboard/offers/",
        "/shop/dashboard/offers/new/name-and-description/",
        "/shop/dashboard/ranges/",
        "/shop/dashboard/vouchers/",
        "/shop/dashboard/vouchers/sets/",
        "/shop/offers/",
    ):
        assert client.get(url).status_code == 404, url
    dashboard = client.get("/shop/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "/shop/dashboard/offers/" not in body and "/shop/dashboard/vouchers/" not in body
    assert "/shop/dashboard/ranges/" not in body
    client.force_login(resident)
    assert client.post("/shop/basket/vouchers/add/", {"code": "TENOFF"}).status_code == 404


def test_the_gate_refuses_a_discounted_line_and_places_nothing(resident, service, worker):
    """Should a discount reach a basket anyway (here Oscar's own Applicator, which Linli's
    forked offer app replaces), the checkout refuses it: the amount charged is checked."""
    site_offer(10)
    household = Household.objects.get(user=resident)
    basket = Basket.objects.create(owner=resident)
    basket.strategy = CommunityStrategy(community=household.community)
    basket_add_service(basket=basket, product=service, start=local(2, 10), household=household)
    basket = Basket.objects.get(pk=basket.pk)
    basket.strategy = CommunityStrategy(community=household.community)
    OscarApplicator().apply(basket, resident)
    [line] = basket.all_lines()
    assert line.line_price_incl_tax_incl_discounts == Decimal("108.00")
    with pytest.raises(BookingError) as refused:
        basket_checkout_hold(user=resident, basket=basket, household=None)
    [problem] = refused.value.problems.values()  # shown on the basket line
    assert "¥108.00" in problem and "¥120.00" in problem
    assert not Order.objects.exists() and not Appointment.objects.exists()


def test_the_gate_checks_each_line_and_the_order_total(community, service, published_board):
    quote = service_quote(community=community, product=service)
    check_charges(
        charged=[Decimal("120.00")], quotes=[quote], products=[service], total=Decimal("120.00")
    )
    with pytest.raises(BookingError):  # a line discounted
        check_charges(
            charged=[Decimal("108.00")], quotes=[quote], products=[service], total=Decimal("108")
        )
    with pytest.raises(BookingError):  # an order-level discount or a surcharge on the total
        check_charges(
            charged=[Decimal("120.00")], quotes=[quote], products=[service], total=Decimal("110")
        )


# --- the basket pays as one click does --------------------------------------------------------


def test_basket_checkout_authorises_the_saved_card_for_the_order_total(
    client, localstripe, resident, service, window_cleaning, worker
):
    save_card(resident, VISA)
    client.force_login(resident)
    basket_checkout(client, service, local(2, 9), place=False)
    response = basket_checkout(client, window_cleaning, local(2, 14))
    assert response.status_code == 302, response.content.decode()[-2000:]
    order = Order.objects.get()
    appointments = list(order.appointments.order_by("start"))
    assert [a.status for a in appointments] == ["confirmed", "confirmed"]
    assert {a.payment_method for a in appointments} == {"card"}
    assert [a.price for a in appointments] == [Decimal("120.00"), Decimal("160.00")]
    intent = PaymentIntentRecord.objects.get(order=order)
    assert intent.status == "authorised"
    assert intent.amount_authorised == order.total_incl_tax == Decimal("280.00")
    assert order.status == "Confirmed"
    assert_every_charge_is_on_its_board()


def test_a_declined_card_places_nothing_keeps_the_basket_and_a_new_card_books_it(
    client, localstripe, resident, service, worker
):
    save_card(resident, DECLINED_AT_CHARGE)
    client.force_login(resident)
    response = basket_checkout(client, service, local(2, 10))
    assert response.status_code == 200
    assert "Your card was not accepted" in response.content.decode()
    assert not Appointment.objects.filter(status__in=Appointment.ACTIVE).exists()
    assert not PaymentIntentRecord.objects.filter(amount_authorised__gt=0).exists()
    basket = Basket.objects.get(owner=resident, status=Basket.OPEN)
    assert basket.num_lines == 1  # the basket is as it was

    card_set_default(user=resident, card=save_card(resident, VISA))  # another card
    retry = place_order(client)
    assert retry.status_code == 302, retry.content.decode()[-2000:]
    appointment = Appointment.objects.get(status="confirmed")
    intent = PaymentIntentRecord.objects.get(order=appointment.order)
    assert intent.status == "authorised" and intent.amount_authorised == Decimal("120.00")
    assert_every_charge_is_on_its_board()


def test_a_basket_reaching_far_ahead_is_authorised_before_its_last_appointment(
    client, localstripe, resident, service, worker
):
    save_card(resident, VISA)
    client.force_login(resident)
    basket_checkout(client, service, local(1, 10), place=False)
    response = basket_checkout(client, service, local(9, 10))
    assert response.status_code == 302, response.content.decode()[-2000:]
    order = Order.objects.get()
    intent = PaymentIntentRecord.objects.get(order=order)
    # One authorisation for the order, captured when the last job is done: it must not lapse
    # before then, so it is taken 48 h before the last start.
    assert intent.status == "scheduled"
    assert intent.amount == Decimal("240.00") == order.total_incl_tax
    last = max(a.start for a in order.appointments.all())
    assert intent.authorise_at == last - timedelta(hours=48)
    assert set(order.appointments.values_list("status", flat=True)) == {"confirmed"}


# --- a proposal keeps the service on sale -----------------------------------------------------


def test_a_price_proposal_keeps_the_service_on_sale_at_the_published_price(
    client, resident, service, community, worker, provider_manager, published_board
):
    record = StockRecord.objects.get(product=service, community=community)
    client.force_login(provider_manager)
    proposed = client.post(
        f"/provider/services/{record.pk}/price/", {f"sr{record.pk}-price": "135"}
    )
    assert proposed.status_code == 302
    live = FeeBoardPage.objects.get(pk=published_board.pk).live_revision_id

    client.force_login(resident)
    page = client.get(service.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥120.00" in page and "¥135.00" not in page
    assert "not on the published fee board" not in page
    one_click = client.post(
        "/shop/book/",
        {"product": service.pk, "start": local(1, 10).isoformat(), "key": "k1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert one_click.status_code == 302, one_click.content.decode()[-2000:]
    assert basket_checkout(client, service, local(1, 14)).status_code == 302
    booked = list(Appointment.objects.order_by("start"))
    assert [(a.price, a.board_revision_id) for a in booked] == [(Decimal("120.00"), live)] * 2
    assert_every_charge_is_on_its_board()

    board_publish(board=FeeBoardPage.objects.get(pk=published_board.pk))  # the enterprise
    client.post(
        "/shop/book/",
        {"product": service.pk, "start": local(2, 10).isoformat(), "key": "k2"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert Appointment.objects.get(start=local(2, 10)).price == Decimal("135.00")
    assert_every_charge_is_on_its_board()


# --- the pages say the payment that will happen -----------------------------------------------


def test_the_service_and_checkout_pages_say_the_card_will_be_authorised(
    client, localstripe, resident, service, worker, published_board
):
    client.force_login(resident)
    page = client.get(service.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pay after the service" in page and "By your card" not in page

    save_card(resident, VISA)
    page = client.get(service.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "By your card Visa •••• 4242" in page
    assert "Pay after the service" not in page

    basket_checkout(client, service, local(2, 10), place=False)
    client.get("/shop/checkout/", follow=True)
    for url in ("/shop/checkout/payment-details/", "/shop/checkout/preview/"):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "By your card Visa •••• 4242" in body, url
        assert "Pay after the service" not in body, url


def test_the_service_page_tells_a_visitor_both_ways(client, service, community, published_board):
    client.post("/community/", {"community": community.pk})
    page = client.get(service.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "With a saved card, the price is authorised when you book" in page
