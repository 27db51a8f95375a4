"""The series pages: plan then confirm, bad input 400 with nothing written, only my series."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, Series, SeriesOccurrence
from bookings.series.services import series_create
from tests.bookings.series.conftest import weekly_rule


def form_data(**changes):
    start = timezone.localdate() + timedelta(days=2)
    data = {
        "frequency": "weekly",
        "weekdays": [str(start.weekday())],
        "at": "10:00",
        "start_date": start.isoformat(),
        "count": "3",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_plan_shows_the_visits_then_confirming_books_them(client, resident, service, worker):
    client.force_login(resident)
    url = reverse("bookings:series-new", args=[service.pk])
    assert client.get(url).status_code == 200
    plan = client.post(url, form_data())
    assert plan.status_code == 200
    assert plan.context["plan"].total == 3
    assert worker.display_name in plan.content.decode()
    assert not Series.objects.exists()

    done = client.post(url, form_data(confirm="1"))
    series = Series.objects.get()
    assert done.status_code == 302 and done["Location"] == series.get_absolute_url()
    assert series.appointments.count() == 3
    page = client.get(series.get_absolute_url())
    assert page.status_code == 200
    assert len(page.context["coming"]) == 3


@pytest.mark.parametrize(
    "changes",
    [
        {"start_date": "2020-01-01"},  # in the past
        {"count": None},  # neither an end date nor a count
        {"count": "400"},  # more visits than the policy allows
        {"count": None, "until": "2099-01-01"},  # far beyond the policy (and the reach)
        {"frequency": "hourly"},
        {"weekdays": []},
        {"at": "03:00"},
        {"start_date": "not a date"},
    ],
)
def test_bad_input_is_a_400_and_nothing_is_written(client, resident, service, worker, changes):
    client.force_login(resident)
    response = client.post(
        reverse("bookings:series-new", args=[service.pk]), form_data(confirm="1", **changes)
    )
    assert response.status_code == 400
    assert not Series.objects.exists() and not Appointment.objects.exists()


def test_a_rule_with_no_visit_is_a_400(client, resident, service, worker):
    client.force_login(resident)
    start = timezone.localdate() + timedelta(days=2)
    response = client.post(
        reverse("bookings:series-new", args=[service.pk]),
        form_data(
            weekdays=[str((start.weekday() + 3) % 7)],
            count=None,
            until=start.isoformat(),
            confirm="1",
        ),
    )
    assert response.status_code == 400
    assert "no visit" in response.context["refusal"] or "没有" in response.context["refusal"]
    assert not Series.objects.exists()


def test_another_residents_series_is_404(client, resident, other_resident, service, worker):
    series = series_create(user=resident, product=service, rule=weekly_rule())
    occurrence = series.occurrences.first()
    client.force_login(other_resident)
    assert client.get(series.get_absolute_url()).status_code == 404
    skip = reverse("bookings:series-skip", args=[series.pk, occurrence.pk])
    assert client.post(skip).status_code == 404
    end = reverse("bookings:series-end", args=[series.pk])
    assert client.post(end, {"from_date": timezone.localdate().isoformat()}).status_code == 404
    occurrence.refresh_from_db()
    assert occurrence.status == SeriesOccurrence.Status.BOOKED


def test_skip_from_the_page_and_a_second_skip_is_a_400(client, resident, service, worker):
    series = series_create(user=resident, product=service, rule=weekly_rule())
    occurrence = series.occurrences.first()
    client.force_login(resident)
    skip = reverse("bookings:series-skip", args=[series.pk, occurrence.pk])
    assert client.post(skip).status_code == 302
    assert client.post(skip).status_code == 400
    occurrence.refresh_from_db()
    assert occurrence.status == SeriesOccurrence.Status.SKIPPED
    assert (
        client.post(
            reverse("bookings:series-end", args=[series.pk]), {"from_date": "x"}
        ).status_code
        == 400
    )
