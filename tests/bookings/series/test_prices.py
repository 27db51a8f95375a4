"""A price change between the visits of a series: the coming visits not yet authorised are
charged the new board price, the resident is told first (once), and may then end the series
without any fee (a control shows the fee without a price change)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Appointment
from bookings.series.prices import series_price_check
from bookings.series.services import series_create, series_end
from marketplace.partner.models import StockRecord
from payments.models import PaymentIntentRecord
from tests.bookings.appointments.ledger import time_passes
from tests.bookings.series.conftest import weekly_rule
from tests.cms.support import publish_board
from tests.payments.conftest import save_card

pytestmark = pytest.mark.django_db
IntentStatus = PaymentIntentRecord.Status


@pytest.fixture
def series(localstripe, resident, service, worker):
    save_card(resident)
    # Visits 2, 9 and 16 days ahead: the first authorised now, the others scheduled (48 h).
    return series_create(user=resident, product=service, rule=weekly_rule(count=3))


def new_price(community, service, price="150.00"):
    StockRecord.objects.filter(product=service, community=community).update(price=price)
    publish_board(community)


def intents(series):
    return [
        (i.status, i.amount)
        for a in Appointment.objects.filter(series=series).order_by("start")
        for i in PaymentIntentRecord.objects.filter(order_id=a.order_id)
    ]


def test_a_new_price_is_told_once_then_charged_to_the_visits_not_yet_authorised(
    series, community, service
):
    assert series.price_told == Decimal("120.00")
    assert intents(series) == [
        (IntentStatus.AUTHORISED, Decimal("120.00")),
        (IntentStatus.SCHEDULED, Decimal("120.00")),
        (IntentStatus.SCHEDULED, Decimal("120.00")),
    ]
    assert series_price_check() == 0  # nothing changed: nobody told
    mail.outbox.clear()

    new_price(community, service)
    assert series_price_check() == 1
    assert series_price_check() == 0  # told once
    assert len(mail.outbox) == 1 and "150" in mail.outbox[0].body
    assert intents(series) == [
        (IntentStatus.AUTHORISED, Decimal("120.00")),  # authorised before: its price stands
        (IntentStatus.SCHEDULED, Decimal("150.00")),
        (IntentStatus.SCHEDULED, Decimal("150.00")),
    ]
    third = Appointment.objects.filter(series=series).order_by("start").last()
    assert third.order.total_incl_tax == Decimal("150.00")
    series.refresh_from_db()
    assert series.price_told == Decimal("150.00") and series.price_changed_at is not None


def test_after_a_price_change_ending_the_series_is_free(series, community, service, resident):
    first = Appointment.objects.filter(series=series).order_by("start").first()
    time_passes(first, late=True)  # within 24 h: ending would cost the late fee
    new_price(community, service)
    series_price_check()
    series.refresh_from_db()
    assert series_end(series=series, from_date=timezone.localdate(), by=resident) == 0
    first.refresh_from_db()
    assert first.status == Appointment.Status.CANCELLED and first.fees_due == 0


def test_control_without_a_price_change_ending_within_24_hours_costs_the_fee(series, resident):
    first = Appointment.objects.filter(series=series).order_by("start").first()
    time_passes(first, late=True)
    assert series_end(series=series, from_date=timezone.localdate(), by=resident) > 0
