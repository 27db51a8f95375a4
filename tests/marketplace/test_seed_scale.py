"""``manage.py seed_scale`` at a tiny size: the history mode (``--appointments`` beyond the recent
weeks) writes exactly the appointments asked for, each a valid booking of the past, and a second
run adds nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from oscar.apps.order.models import Line, Order

from bookings.models import Appointment
from marketplace.scale.history import scale_appointment_count

pytestmark = [pytest.mark.django_db, pytest.mark.skipif("connection.vendor != 'postgresql'")]

#: 2 communities of 10 workers (the skill plan's 5 kinds), 10 services and 5 residents each.
TINY = [
    "--communities=2",
    "--services=10",
    "--workers=20",
    "--residents-per-community=5",
    "--no-boards",
]


def seed(appointments: int) -> None:
    call_command("seed_scale", *TINY, f"--appointments={appointments}", stdout=io.StringIO())


def overlapping_pairs() -> int:
    """Pairs of one worker's appointments whose busy ranges overlap, whatever their status."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Appointment._meta.db_table} a "
            f"JOIN {Appointment._meta.db_table} b ON a.worker_id = b.worker_id AND a.id < b.id "
            "AND tstzrange(a.start, a.busy_until) && tstzrange(b.start, b.busy_until)"
        )
        return cursor.fetchone()[0]


def test_it_tops_up_to_exactly_the_appointments_asked_for_all_in_the_past():
    seed(40)  # the recent weeks: 20 workers, one a day for 2 days
    recent_start = Appointment.objects.order_by("start").first().start

    seed(103)  # 63 more, in the history behind them

    assert scale_appointment_count() == 103
    history = Appointment.objects.filter(start__lt=recent_start)
    assert history.count() == 63
    assert overlapping_pairs() == 0
    now = timezone.now()
    for appointment in history.select_related("order", "line", "household", "product", "worker"):
        assert appointment.busy_until <= now
        assert appointment.status in {"completed", "cancelled", "no_show"}
        assert appointment.order.number.startswith("SC")
        assert appointment.line.order_id == appointment.order_id
        assert appointment.line.product_id == appointment.product_id
        assert (
            appointment.order.total_incl_tax
            == appointment.price
            == appointment.line.line_price_incl_tax
        )
        assert appointment.order.user_id == appointment.resident_id == appointment.household.user_id
        assert appointment.community_id == appointment.household.community_id
        assert appointment.worker.communities.filter(pk=appointment.community_id).exists()
        assert appointment.worker.skills.filter(pk=appointment.product.product_class_id).exists()
        assert appointment.stockrecord.community_id == appointment.community_id
        local = timezone.localtime(appointment.start)
        assert local.hour >= 8 and timezone.localtime(appointment.busy_until).hour < 20
        minutes = (appointment.end - appointment.start) / timedelta(minutes=1)
        assert (
            minutes
            == appointment.product.attribute_values.get(
                attribute__code="duration_minutes"
            ).value_integer
        )
    # Orders are numbered on from the recent ones, one order and one line per appointment.
    assert Order.objects.filter(number__startswith="SC").count() == 103
    assert Line.objects.filter(order__number__startswith="SC").count() == 103


def test_a_second_run_adds_nothing():
    seed(40)
    seed(70)
    orders, lines = Order.objects.count(), Line.objects.count()

    seed(70)
    seed(50)  # fewer than there are: nothing is removed either

    assert scale_appointment_count() == 70
    assert (Order.objects.count(), Line.objects.count()) == (orders, lines)


def test_a_fresh_seed_beyond_the_recent_weeks_writes_the_rest_as_history():
    seed(2_050)  # 100 recent days of 20 workers is 2,000; the other 50 are history

    assert scale_appointment_count() == 2_050
    first_recent = timezone.localdate() - timedelta(days=70)
    older = Appointment.objects.filter(start__date__lt=first_recent)
    assert older.count() == 50
    assert overlapping_pairs() == 0
