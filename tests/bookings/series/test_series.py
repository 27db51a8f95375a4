"""Series services: the preferred worker, a day off, unfilled visits, extension by beat,
skip, end, and the telling."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Appointment, Series, SeriesOccurrence
from bookings.series.planning import series_plan
from bookings.series.services import (
    occurrence_skip,
    series_create,
    series_end,
    series_extend,
    series_extend_due,
)
from bookings.tasks import series_extend_task
from marketplace.policy import HORIZON, LOCAL_TZ
from tests.bookings.factories import TimeOffFactory
from tests.bookings.series.conftest import weekly_rule

Occ = SeriesOccurrence.Status


def day_off(worker, start):
    """``worker`` is away the whole local day of ``start``."""
    local = start.astimezone(LOCAL_TZ).replace(hour=0, minute=0)
    return TimeOffFactory(worker=worker, start=local, end=local + timedelta(days=1))


def test_every_visit_is_an_appointment_with_the_same_worker(
    resident, service, worker, second_worker, rule
):
    series = series_create(user=resident, product=service, rule=rule, summary="weekly")
    appointments = list(series.appointments.order_by("start"))
    assert [a.start for a in appointments] == list(rule.starts())
    assert {a.worker_id for a in appointments} == {series.preferred_worker_id}
    assert all(a.status == Appointment.Status.CONFIRMED for a in appointments)
    assert all(a.price == appointments[0].price for a in appointments)
    assert list(series.occurrences.values_list("status", flat=True)) == [Occ.BOOKED] * 3


def test_a_day_off_of_the_preferred_worker_gets_another_worker_shown_before_confirming(
    resident, service, worker, second_worker
):
    rule = weekly_rule(count=4)
    starts = list(rule.starts())
    day_off(worker, starts[1])
    # The second worker is away twice: the first worker is free most often, so preferred.
    day_off(second_worker, starts[2])
    day_off(second_worker, starts[3])

    plan = series_plan(user=resident, product=service, rule=rule)
    assert plan.preferred == worker
    assert [(v.worker, v.substitute) for v in plan.visits] == [
        (worker, False),
        (second_worker, True),
        (worker, False),
        (worker, False),
    ]

    series = series_create(user=resident, product=service, rule=rule)
    occurrences = list(series.occurrences.select_related("appointment"))
    assert [o.appointment.worker for o in occurrences] == [worker, second_worker, worker, worker]
    assert [o.substitute for o in occurrences] == [False, True, False, False]


def test_a_visit_nobody_can_take_is_unfilled_with_other_times(resident, service, worker, rule):
    starts = list(rule.starts())
    day_off(worker, starts[1])
    plan = series_plan(user=resident, product=service, rule=rule)
    assert plan.visits[1].unfilled and plan.visits[1].other_times
    assert all(
        s.local_start.date() != starts[1].astimezone(LOCAL_TZ).date()
        for s in plan.visits[1].other_times
    )

    series = series_create(user=resident, product=service, rule=rule)
    statuses = list(series.occurrences.values_list("status", flat=True))
    assert statuses == [Occ.BOOKED, Occ.UNFILLED, Occ.BOOKED]
    assert series.appointments.count() == 2
    assert series.occurrences.get(status=Occ.UNFILLED).note  # the other free times


def test_visits_beyond_the_horizon_wait_for_beat_and_beat_twice_books_nothing_twice(
    resident, service, worker
):
    rule = weekly_rule(count=8)  # 7 weeks: past the 30-day horizon
    # Created as if ten days ago: its horizon reached 20 days from now.
    series = series_create(
        user=resident, product=service, rule=rule, now=timezone.now() - timedelta(days=10)
    )
    limit = timezone.now() + timedelta(days=20)
    first = series.appointments.count()
    assert first == len([s for s in rule.starts() if s <= limit])

    # The horizon has moved on: beat books what it now reaches, once.
    assert series_extend_task.apply().get() == len(
        [s for s in rule.starts() if limit < s <= timezone.now() + HORIZON]
    )
    booked = series.appointments.count()
    assert booked > first
    assert series_extend_due() == 0
    assert series_extend(series=Series.objects.get(pk=series.pk)) == []
    assert series.appointments.count() == booked
    assert series.occurrences.count() == booked
    assert Appointment.objects.filter(resident=resident).count() == booked


def test_beat_tells_the_resident_of_another_worker(resident, service, worker, second_worker):
    rule = weekly_rule(count=8)
    series = series_create(
        user=resident, product=service, rule=rule, now=timezone.now() - timedelta(days=10)
    )
    later = [s for s in rule.starts() if s > timezone.now() + timedelta(days=20)]
    preferred = series.preferred_worker
    day_off(preferred, later[0])
    mail.outbox.clear()
    made = series_extend_due()
    assert made >= 1
    occurrence = series.occurrences.get(start=later[0])
    assert occurrence.substitute and occurrence.appointment.worker != preferred
    assert len(mail.outbox) == 1
    assert occurrence.appointment.worker.display_name in mail.outbox[0].body


def test_skipping_a_visit_cancels_it_free_and_leaves_the_others(resident, service, worker, rule):
    series = series_create(user=resident, product=service, rule=rule)
    second = series.occurrences.all()[1]
    assert occurrence_skip(series=series, occurrence_id=second.pk, by=resident) == 0
    second.refresh_from_db()
    assert second.status == Occ.SKIPPED
    assert second.appointment.status == Appointment.Status.CANCELLED
    assert series.appointments.filter(status=Appointment.Status.CONFIRMED).count() == 2
    # Beat does not book a skipped visit again.
    assert series_extend(series=series) == []
    assert series.appointments.filter(status=Appointment.Status.CONFIRMED).count() == 2


def test_ending_a_series_cancels_the_visits_from_that_day(resident, service, worker, rule):
    series = series_create(user=resident, product=service, rule=rule)
    starts = list(rule.starts())
    fees = series_end(series=series, from_date=starts[1].astimezone(LOCAL_TZ).date(), by=resident)
    assert fees == 0
    assert list(series.occurrences.values_list("status", flat=True)) == [
        Occ.BOOKED,
        Occ.ENDED,
        Occ.ENDED,
    ]
    assert series.appointments.filter(status=Appointment.Status.CONFIRMED).count() == 1
    assert series_extend(series=Series.objects.get(pk=series.pk)) == []


@pytest.mark.parametrize("days", [-1])
def test_ending_from_a_past_date_is_refused(resident, service, worker, rule, days):
    from bookings.series.rules import SeriesRuleError

    series = series_create(user=resident, product=service, rule=rule)
    with pytest.raises(SeriesRuleError):
        series_end(
            series=series, from_date=timezone.localdate() + timedelta(days=days), by=resident
        )
    series.refresh_from_db()
    assert series.ends_on is None and series.status == Series.Status.ACTIVE
