"""The dispatch board shows a page of jobs at a time, escalated first, whatever the backlog."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.console.views import manage
from bookings.models import DispatchRound
from tests.support import local

pytestmark = pytest.mark.django_db


def test_the_board_pages_through_the_jobs_in_order(
    client, book, worker, provider_manager, monkeypatch
):
    monkeypatch.setattr(manage, "DISPATCH_PAGE_SIZE", 2)
    jobs = [book(local(2, hour)) for hour in (8, 11, 14)]
    client.force_login(provider_manager)

    first = client.get("/provider/dispatch/")
    assert [a.pk for a in first.context["board"]] == [jobs[0].pk, jobs[1].pk]
    assert 'href="?page=2"' in first.content.decode()
    second = client.get("/provider/dispatch/?page=2")
    assert [a.pk for a in second.context["board"]] == [jobs[2].pk]
    # A page that is not one shows the nearest, never an error.
    assert client.get("/provider/dispatch/?page=x").context["board"].number == 1
    assert client.get("/provider/dispatch/?page=99").context["board"].number == 2


def test_an_escalated_job_leads_the_first_page_though_it_starts_last(
    client, book, worker, provider_manager, monkeypatch
):
    monkeypatch.setattr(manage, "DISPATCH_PAGE_SIZE", 2)
    jobs = [book(local(2, hour)) for hour in (8, 11, 14)]
    DispatchRound.objects.filter(appointment=jobs[2]).update(status=DispatchRound.Status.ESCALATED)
    client.force_login(provider_manager)

    first = client.get("/provider/dispatch/")
    assert [a.pk for a in first.context["board"]] == [jobs[2].pk, jobs[0].pk]
    assert [a.is_escalated for a in first.context["board"]] == [True, False]
    second = client.get("/provider/dispatch/?page=2")
    assert [a.pk for a in second.context["board"]] == [jobs[1].pk]


def test_drawing_the_cards_costs_the_same_queries_for_one_job_or_three(
    client, book, worker, provider_manager
):
    """The cards load only the fields they show: a field they read but did not load would
    cost a query per card on a fresh draw."""
    client.force_login(provider_manager)
    counts = []
    for hour in (8, 11, 14):
        book(local(2, hour))
        for name in settings.CACHES:
            caches[name].clear()
        client.force_login(provider_manager)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/provider/dispatch/")
        assert response.content.decode().count("data-job=") == len(counts) + 1
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2]
