"""The console's world: jobs booked through the real services for the root conftest's
workers, and another provider in the same community. ``accept`` and ``starting_in`` are
the console tests' helpers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.appointments.lifecycle import appointment_transition
from bookings.appointments.one_click import appointment_book
from bookings.models import Appointment
from tests.bookings.factories import WorkerFactory
from tests.factories import ProductFactory, StockRecordFactory, UserFactory
from tests.support import local

Status = Appointment.Status


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
