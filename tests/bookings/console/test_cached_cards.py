"""The cards of the dispatch board, the worker's console and the resident's appointment list
are template fragments cached under a digest of every value they show: each change of one of
those values shows on the next view, and each page's queries do not grow with its jobs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Appointment
from tests.bookings.console.conftest import accept
from tests.support import local

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
DISPATCH, CONSOLE, APPOINTMENTS = (
    "/provider/dispatch/",
    "/provider/",
    "/shop/accounts/appointments/",
)


def _view(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _rename(service, title):
    service.title = title
    service.save()


# --- the dispatch board -----------------------------------------------------------------------


def test_the_dispatch_board_shows_each_changed_value_on_the_next_view(
    client, book, worker, provider_manager, service
):
    job = book(local(2, 10))
    client.force_login(provider_manager)
    _view(client, DISPATCH)
    assert service.title in _view(client, DISPATCH)
    _rename(service, "新的服务名称")
    assert "新的服务名称" in _view(client, DISPATCH)
    worker.user.first_name, worker.user.last_name = "新", "名字"
    worker.user.save()
    body = _view(client, DISPATCH)
    assert worker.display_name in body
    job.household.building = "88"
    job.household.save()
    assert "88" in _view(client, DISPATCH)
    client.cookies["django_language"] = "en"
    assert "Held for" in _view(client, DISPATCH)


def test_the_cached_cards_are_the_cards_as_rendered(client, book, worker, provider_manager):
    book(local(2, 10))
    book(local(3, 11))
    client.force_login(provider_manager)
    rendered, cached = _view(client, DISPATCH), _view(client, DISPATCH)
    assert 'data-job="' in cached
    assert TOKEN.sub("", rendered) == TOKEN.sub("", cached)  # a token is masked anew each time


# --- the worker's console -----------------------------------------------------------------------


def test_the_workers_job_cards_show_each_changed_value_on_the_next_view(
    client, book, worker, service
):
    job = accept(book(local(2, 10)))
    client.force_login(worker.user)
    _view(client, CONSOLE)
    body = _view(client, CONSOLE)
    assert f'data-job="{job.pk}"' in body and service.title in body
    _rename(service, "新的服务名称")
    assert "新的服务名称" in _view(client, CONSOLE)
    Appointment.objects.filter(pk=job.pk).update(status=Appointment.Status.IN_PROGRESS)
    assert "badge-warning" in _view(client, CONSOLE)
    client.cookies["django_language"] = "en"
    assert "Upcoming" in _view(client, CONSOLE)


# --- the resident's appointment list -------------------------------------------------------------


def test_the_appointment_cards_show_each_changed_value_on_the_next_view(
    client, book, worker, resident, service
):
    appointment = book(local(2, 10))
    client.force_login(resident)
    _view(client, APPOINTMENTS)
    assert service.title in _view(client, APPOINTMENTS)
    _rename(service, "新的服务名称")
    assert "新的服务名称" in _view(client, APPOINTMENTS)
    appointment.household.room = "909"
    appointment.household.save()
    assert "909" in _view(client, APPOINTMENTS)
    Appointment.objects.filter(pk=appointment.pk).update(price="99.00")
    assert "99.00" in _view(client, APPOINTMENTS)
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    body = _view(client, APPOINTMENTS)
    upcoming = body.split('id="upcoming-appointments"')[1].split("</ul>")[0]
    assert f'data-appointment="{appointment.pk}"' not in upcoming


# --- queries do not grow with the jobs ------------------------------------------------------------


def test_the_three_pages_cost_the_same_queries_with_two_jobs_or_five(
    client, book, worker, provider_manager, resident
):
    """The first job is accepted (a card on the worker's console), the others wait (cards on
    the dispatch board); all of them are the resident's."""
    jobs = [accept(book(local(2, 9)))]
    counts = {}
    for size in (2, 5):
        while len(jobs) < size:
            jobs.append(book(local(2 + len(jobs), 9)))
        row = []
        for user, url in (
            (provider_manager, DISPATCH),
            (worker.user, CONSOLE),
            (resident, APPOINTMENTS),
        ):
            client.force_login(user)
            row.append(_queries(client, url))
        counts[size] = row
    assert counts[2] == counts[5], counts


def test_the_managers_home_counts_the_jobs_waiting_without_loading_them(
    client, book, worker, provider_manager
):
    client.force_login(provider_manager)
    for count in (1, 3):
        while Appointment.objects.count() < count:
            book(local(2 + Appointment.objects.count(), 9))
        with CaptureQueriesContext(connection) as ctx:
            body = _view(client, CONSOLE)
        assert f'<div class="job-time">{count}</div>' in body
        # One COUNT, never the rows of the board.
        assert not any('"bookings_appointment"."start"' in q["sql"].split("FROM")[0] for q in ctx)
