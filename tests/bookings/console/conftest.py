"""The console's world: a provider with two workers, a published fee board, and jobs booked
through the real services (a saved card at localstripe when a test asks for one)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.appointments.lifecycle import appointment_transition
from bookings.appointments.one_click import appointment_book
from bookings.models import Appointment
from tests.bookings.conftest import local  # noqa: F401
from tests.bookings.factories import WorkerFactory
from tests.factories import ProductFactory, StockRecordFactory, UserFactory

Status = Appointment.Status


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client, settings):
    """Messages in English: raised by services here, and on the pages the client asks for
    (the site's default language is Simplified Chinese)."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def worker(provider, community, service):
    """The provider's first worker, who can do ``service`` in ``community``: 08:00–18:00 daily."""
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="秀英",
        user__last_name="刘",
        user__email="worker@example.cn",
    )


@pytest.fixture
def second_worker(provider, community, service):
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="建国",
        user__last_name="陈",
        user__email="worker2@example.cn",
    )


@pytest.fixture
def board(service, community):
    """``service`` at ¥120 on the community's published fee board (the price gate's source)."""
    from cms.services import site_tree_ensure
    from tests.cms.support import publish_board

    site_tree_ensure()
    return publish_board(community)


@pytest.fixture
def book(resident, service, board):
    def _book(start, user=None, product=None, **kwargs):
        return appointment_book(
            user=user or resident, product=product or service, start=start, **kwargs
        )

    return _book


@pytest.fixture
def job(book, worker):
    """A confirmed job of ``worker`` the day after tomorrow at 10:00."""
    return book(local(2, 10))


def accept(appointment, worker_obj=None):
    """The worker accepts (as offer_accept does: the same transition, recorded)."""
    return appointment_transition(
        appointment=appointment,
        to=Status.ACCEPTED,
        by=(worker_obj or appointment.worker).user,
        reason="Accepted by the worker",
    )


def starting_in(appointment, minutes: int):
    """Test setup: the job starts ``minutes`` from now (bookings need 2 h notice, a day's
    work does not wait). Moves start, end and the stored busy range together."""
    start = timezone.now() + timedelta(minutes=minutes)
    duration = appointment.end - appointment.start
    appointment.start, appointment.end = start, start + duration
    appointment.save(update_fields=["start", "end", "updated"])
    return appointment


@pytest.fixture
def other_provider_world(board, community, other_provider, other_resident):
    """Another provider in the same community: a manager, a worker, a service and a job."""
    from tests.cms.support import publish_board

    manager = UserFactory(email="other-manager@example.cn")
    other_provider.users.add(manager)
    product = ProductFactory(title="助浴服务", title_en="Assisted bathing")
    record = StockRecordFactory(
        product=product, partner=other_provider, community=community, price="150.00"
    )
    their_worker = WorkerFactory(
        provider=other_provider, skills=[product.product_class], communities=[community]
    )
    publish_board(community)
    their_job = appointment_book(user=other_resident, product=product, start=local(2, 14))
    return {
        "manager": manager,
        "worker": their_worker,
        "product": product,
        "record": record,
        "job": their_job,
    }
