"""A worker deactivated while their job is being dispatched, answered, assigned or moved: the
one lock order holds (the jobs, then the workers, before the worker's row is written), nobody
deadlocks, and the job ends consistent (tests/bookings/dispatch/test_lock_order.py's checks)."""

from __future__ import annotations

import pytest
from django.db import transaction

from bookings.models import Appointment, Worker
from tests.bookings.dispatch.test_lock_order import (  # noqa: F401 — no_kicks is a fixture
    Job,
    _assert_consistent,
    _assert_no_deadlock,
    _paths,
    no_kicks,
)
from tests.support import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAIRS = [
    ("dispatch", "pending"),
    ("assign", "offered"),
    ("accept", "offered"),
    ("decline", "offered"),
    ("reschedule", "accepted"),
    ("cancel", "accepted"),
]


def _deactivate(job):
    # As the Django admin's change form does it: one transaction around the save.
    with transaction.atomic():
        holder = Worker.objects.get(pk=job.holder.pk)
        holder.is_active = False
        holder.save()


@pytest.mark.parametrize("other,state", PAIRS, ids=[p for p, _ in PAIRS])
def test_deactivating_a_worker_races_every_path_without_deadlock(
    other,
    state,
    book,
    worker,
    second_worker,
    provider_manager,
    resident,
    other_resident,
    no_kicks,  # noqa: F811
):
    paths = _paths(book, provider_manager, resident, other_resident)
    job = Job(book, [worker, second_worker], 2, state)
    results = run_concurrently(lambda i: _deactivate(job) if i == 0 else paths[other](job), 2)
    _assert_no_deadlock(results)
    _assert_consistent(job.pk)
    appointment = Appointment.objects.get(pk=job.pk)
    if appointment.is_active:
        # Whoever went first, the worker who left holds nothing accepted.
        assert not (
            appointment.worker_id == job.holder.pk
            and appointment.status == Appointment.Status.ACCEPTED
        )
