"""Weekly hours and time off, edited in the console, change the residents' free slots at once."""

from datetime import time, timedelta

import pytest

from bookings.availability.search import available_slots
from bookings.console import schedule as console
from bookings.console.errors import ConsoleError
from bookings.models import WeeklyHours
from tests.support import local

pytestmark = pytest.mark.django_db


def _starts(service, community, day_offset):
    from marketplace.partner.models import StockRecord

    day_start = local(day_offset, 0)
    slots = available_slots(
        product=service,
        stockrecord=StockRecord.objects.get(product=service, community=community),
        community=community,
        start=day_start,
        end=day_start + timedelta(days=1),
    )
    return [f"{s.local_start:%H:%M}" for s in slots]


def _form(day, shifts):
    data = {"action": "hours"}
    for i, (start, end) in enumerate(shifts):
        data[f"d{day}_{i}_start"], data[f"d{day}_{i}_end"] = start, end
    return data


def test_edited_hours_change_the_residents_slots_at_once(client, worker, service, community):
    day = local(3, 0)
    assert _starts(service, community, 3)[0] == "08:00"  # office hours 08–18, 2 h service

    client.force_login(worker.user)
    response = client.post("/provider/hours/", _form(day.weekday(), [("13:00", "17:00")]))
    assert response.status_code == 302

    assert _starts(service, community, 3) == ["13:00", "13:30", "14:00", "14:30", "15:00"]
    # Every other day is now a day off.
    other = local(4, 0).weekday()
    assert not WeeklyHours.objects.filter(worker=worker, weekday=other).exists()
    assert _starts(service, community, 4) == []


def test_bad_hours_are_refused_and_the_week_is_kept(client, worker, english):
    before = list(WeeklyHours.objects.filter(worker=worker).values_list("weekday", "start", "end"))
    client.force_login(worker.user)
    for data in (
        _form(0, [("12:00", "09:00")]),
        _form(0, [("08:00", "12:00"), ("11:00", "15:00")]),
        _form(0, [("08:00", "")]),
    ):
        response = client.post("/provider/hours/", data)
        assert response.status_code == 200
        assert response.context["hours_form"].errors
    after = list(WeeklyHours.objects.filter(worker=worker).values_list("weekday", "start", "end"))
    assert after == before


def test_time_off_removes_the_slots_and_removing_it_brings_them_back(
    client, worker, service, community
):
    client.force_login(worker.user)
    client.post(
        "/provider/hours/",
        {
            "action": "time_off",
            "start": f"{local(3, 0):%Y-%m-%dT%H:%M}",
            "end": f"{local(4, 0):%Y-%m-%dT%H:%M}",
            "reason": "体检",
        },
    )
    assert _starts(service, community, 3) == []
    entry = worker.time_off.get()
    assert (entry.start, entry.end) == (local(3, 0), local(4, 0))

    client.post(f"/provider/time-off/{entry.pk}/delete/")
    assert _starts(service, community, 3)[0] == "08:00"


def test_time_off_over_an_accepted_job_is_refused(job, worker, english):
    with pytest.raises(ConsoleError, match="Ask your manager to reassign"):
        console.time_off_add(worker=worker, start=local(2, 8), end=local(2, 18))
    assert not worker.time_off.exists()


def test_a_manager_edits_a_team_members_hours(client, worker, provider_manager):
    client.force_login(provider_manager)
    response = client.post(
        f"/provider/team/{worker.pk}/hours/", _form(2, [("09:00", "12:00"), ("14:00", "18:00")])
    )
    assert response.status_code == 302
    rows = list(WeeklyHours.objects.filter(worker=worker).values_list("weekday", "start", "end"))
    assert rows == [(2, time(9), time(12)), (2, time(14), time(18))]
