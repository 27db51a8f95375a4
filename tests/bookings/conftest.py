"""The bookings world: a housekeeping service in one community, its workers, and helpers that
speak in local (Asia/Shanghai) time relative to now — no clock mocking."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings.appointments.one_click import appointment_book
from marketplace.policy import LOCAL_TZ
from tests.bookings.factories import WorkerFactory


def local(days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` from today (local date) at hour:minute, Asia/Shanghai, aware."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    return local(1, hour, minute)


@pytest.fixture
def service(service, published_board):
    """The root ``service``, with its community's fee board published (the price gate)."""
    return service


@pytest.fixture
def worker(provider, community, service):
    """The only worker who can do ``service`` in ``community``: office hours every day."""
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="秀英",
        user__last_name="刘",
    )


@pytest.fixture
def second_worker(provider, community, service):
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="建国",
        user__last_name="陈",
    )


@pytest.fixture
def book(resident, service):
    """Book ``service`` for ``resident`` (or another user) at a start; returns the appointment."""

    def _book(start, user=None, product=None, **kwargs):
        return appointment_book(
            user=user or resident, product=product or service, start=start, **kwargs
        )

    return _book


@pytest.fixture
def english():
    """Messages in English (the site's default language is Simplified Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
