"""The feedback world: a completed appointment of ``resident`` done by ``worker`` for
``provider`` in ``community``; staff of another enterprise and another provider's manager."""

import pytest

from bookings.appointments.lifecycle import appointment_transition
from bookings.models import Appointment
from tests.cms.support import publish_board
from tests.factories import CommunityFactory, EnterpriseFactory, UserFactory
from tests.support import local

Status = Appointment.Status


def complete(appointment, *, worker_user=None):
    """Move a confirmed appointment through accepted and in progress to completed."""
    for to in (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED):
        appointment_transition(appointment=appointment, to=to, by=worker_user)
    appointment.refresh_from_db()
    return appointment


@pytest.fixture
def service(service, community):
    publish_board(community)
    return service


@pytest.fixture
def booked(book, worker):
    """A confirmed appointment of ``resident`` tomorrow at 10:00 (local), held by ``worker``."""
    return book(local(1, 10))


@pytest.fixture
def completed(booked, worker):
    """``booked``, done: accepted, checked in and completed by ``worker``."""
    return complete(booked, worker_user=worker.user)


@pytest.fixture
def other_enterprise_staff(db):
    other = EnterpriseFactory(name="别的物业", slug="other-property")
    CommunityFactory(enterprise=other, name="别的小区", slug="other-community")
    user = UserFactory(email="staff@other.cn", is_staff=True)
    other.staff.add(user)
    return user


@pytest.fixture
def other_provider_manager(other_provider):
    user = UserFactory(email="other-manager@example.cn")
    other_provider.users.add(user)
    return user
