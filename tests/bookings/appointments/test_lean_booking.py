"""One-click booking does only the work its outcome needs: a refused slot writes and locks
nothing, a booking paid after the service is held and confirmed in one transaction."""

from decimal import Decimal

import pytest
from oscar.apps.order.models import Order

from bookings.appointments import hold, lifecycle, locking, one_click
from bookings.appointments import orders as order_writer
from bookings.appointments.quote import Quote
from bookings.exceptions import BookingError, SlotUnavailable
from bookings.models import Appointment, AppointmentEvent, DispatchRound, Notice
from tests.support import tomorrow_at

pytestmark = pytest.mark.django_db
Status = Appointment.Status


def _must_not_run(name):
    def fail(*args, **kwargs):
        pytest.fail(f"{name} ran for a slot that was already taken")

    return fail


def test_a_taken_slot_is_refused_before_anything_is_locked_or_written(
    book, other_resident, worker, monkeypatch
):
    book(tomorrow_at(10))
    monkeypatch.setattr(locking, "lock_workers", _must_not_run("the worker lock"))
    monkeypatch.setattr(order_writer, "rows_oscar_needs", _must_not_run("the analytics rows"))
    orders = Order.objects.count()

    with pytest.raises(SlotUnavailable) as refused:
        book(tomorrow_at(10), user=other_resident)

    assert refused.value.next_slots  # other times are still offered
    assert Order.objects.count() == orders
    assert Appointment.objects.filter(resident=other_resident).count() == 0


def test_a_booking_without_a_card_is_held_and_confirmed_in_one_transaction(book, worker):
    appointment = book(tomorrow_at(10))

    assert appointment.status == Status.CONFIRMED
    assert list(appointment.events.values_list("to_status", flat=True)) == ["held", "confirmed"]
    assert appointment.order.status == "Confirmed"
    assert DispatchRound.objects.filter(appointment=appointment).count() == 1
    kinds = set(Notice.objects.filter(appointment=appointment).values_list("kind", flat=True))
    assert {Notice.Kind.RESIDENT_2H, Notice.Kind.WORKER_1H} <= kinds


def test_a_booking_whose_confirmation_fails_leaves_no_held_appointment_or_order(
    book, worker, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the outbox is unwritable")

    monkeypatch.setattr(lifecycle, "dispatch_round_create", broken)

    with pytest.raises(RuntimeError):
        book(tomorrow_at(10))

    assert Appointment.objects.count() == 0
    assert AppointmentEvent.objects.count() == 0
    assert Order.objects.count() == 0


# --- the order one click writes (without a basket or Oscar's OrderCreator) ---------------------


def test_a_one_click_order_is_written_as_oscar_would_write_it(book, resident, service, worker):
    from django.contrib.sites.models import Site

    appointment = book(tomorrow_at(10))

    order = appointment.order
    assert order.number.startswith("A") and order.basket is None
    assert order.site == Site.objects.get_current() and order.user == resident
    assert order.currency == "CNY" and order.guest_email == ""
    assert order.total_incl_tax == order.total_excl_tax == Decimal("120.00")
    assert order.shipping_incl_tax == order.shipping_excl_tax == Decimal("0.00")
    assert order.shipping_code == "no-shipping-required"
    assert order.status == "Confirmed" and order.date_placed is not None
    assert order.num_items == 1 and order.basket_total_incl_tax == Decimal("120.00")
    line = order.lines.get()
    assert line == appointment.line and line.status == "Confirmed"
    assert line.product == service and line.stockrecord == appointment.stockrecord
    assert line.partner == appointment.stockrecord.partner
    assert line.partner_name == appointment.stockrecord.partner.name
    assert line.partner_sku == appointment.stockrecord.partner_sku
    assert line.title == service.get_title() and line.upc == service.upc
    assert line.quantity == line.num_allocated == 1
    for field in (
        "line_price_incl_tax",
        "line_price_excl_tax",
        "line_price_before_discounts_incl_tax",
        "line_price_before_discounts_excl_tax",
        "unit_price_incl_tax",
        "unit_price_excl_tax",
    ):
        assert getattr(line, field) == Decimal("120.00"), field
    price = line.prices.get()
    assert price.order == order and price.quantity == 1
    assert price.price_incl_tax == price.price_excl_tax == Decimal("120.00")
    assert order_writer.line_slot(line) == tomorrow_at(10)
    assert line.attributes.get().type == "slot"


def test_a_card_booking_hold_writes_a_pending_order_for_the_payment_to_authorise(
    resident, service, worker
):
    appointment = one_click.appointment_hold(user=resident, product=service, start=tomorrow_at(10))

    assert appointment.status == Status.HELD
    assert appointment.order.status == appointment.line.status == "Pending"
    assert appointment.order.total_incl_tax == appointment.price == Decimal("120.00")
    assert list(appointment.events.values_list("to_status", flat=True)) == ["held"]
    assert not DispatchRound.objects.filter(appointment=appointment).exists()


def test_the_resident_and_the_dashboard_see_the_one_click_order(
    client, resident, admin_user, book, worker
):
    order = book(tomorrow_at(10)).order
    client.force_login(resident)
    assert order.number in client.get("/shop/accounts/orders/").content.decode()
    detail = client.get(f"/shop/accounts/orders/{order.number}/")
    assert detail.status_code == 200 and "120.00" in detail.content.decode()
    client.force_login(admin_user)
    dashboard = client.get(f"/shop/dashboard/orders/{order.number}/")
    assert dashboard.status_code == 200 and order.number in dashboard.content.decode()


def test_oscars_analytics_count_one_click_purchases(book, resident, service, worker):
    from oscar.apps.analytics.models import ProductRecord, UserRecord

    book(tomorrow_at(8))
    book(tomorrow_at(14))

    assert ProductRecord.objects.get(product=service).num_purchases == 2
    record = UserRecord.objects.get(user=resident)
    assert (record.num_orders, record.num_order_lines, record.num_order_items) == (2, 2, 2)
    assert record.total_spent == Decimal("240.00") and record.date_last_order is not None


def test_order_numbers_are_unique_and_a_taken_number_is_replaced(book, worker, monkeypatch):
    first = book(tomorrow_at(8))
    numbers = iter([first.order.number, "A-another"])
    monkeypatch.setattr(order_writer, "new_order_number", lambda: next(numbers))

    second = book(tomorrow_at(14))

    assert second.order.number == "A-another"
    assert Order.objects.count() == Appointment.objects.count() == 2


def test_a_price_that_is_not_the_boards_writes_nothing(book, worker, service, monkeypatch, english):
    quote = hold.service_quote

    def off_board(**kwargs):
        real = quote(**kwargs)
        return Quote(
            stockrecord=real.stockrecord,
            amount=real.amount + 1,
            board_revision_id=real.board_revision_id,
            price=real.price,
        )

    monkeypatch.setattr(hold, "service_quote", off_board)

    with pytest.raises(BookingError, match="has changed"):
        book(tomorrow_at(10))
    assert Order.objects.count() == Appointment.objects.count() == 0


def test_a_one_click_booking_costs_a_bounded_number_of_queries(
    book, service, worker, second_worker, django_assert_max_num_queries
):
    from marketplace.catalogue.models import Product

    book(tomorrow_at(8))  # first use: the slot option and the analytics rows
    fresh = Product.objects.get(pk=service.pk)  # as the view loads it: nothing prefetched
    # Card, household, price record, fee board, terms, unbooked candidates, slot option; the
    # transaction: lock, the locked re-check (4), order, line, line price, slot, appointment,
    # events, dispatch request, reminders (2), the booked notice, analytics (2). Through Oscar's basket it was
    # over 60.
    with django_assert_max_num_queries(26):
        book(tomorrow_at(14), product=fresh, idempotency_key="n:1")
