"""The partial index of a worker's active appointments (issue 20, scale): it exists, holds only
the active statuses, and the planner reads a worker's coming active appointments through it
(``tests/bench/run.py --scale`` measures what it saves at 1,000,000 appointments)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from bookings.models import Appointment

pytestmark = [pytest.mark.django_db, pytest.mark.skipif("connection.vendor != 'postgresql'")]


def index_definition(name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else None


def test_the_worker_active_index_covers_worker_and_start_of_active_appointments_only():
    definition = index_definition("appointment_worker_active")

    assert definition is not None
    assert "(worker_id, start)" in definition
    predicate = definition.split(" WHERE ", 1)[1]
    for status in Appointment.ACTIVE:
        assert f"'{status}'" in predicate
    for status in ("completed", "cancelled", "expired", "no_show"):
        assert status not in predicate


def test_a_workers_coming_active_appointments_are_read_through_it():
    coming = Appointment.objects.filter(
        worker_id=1, status__in=Appointment.ACTIVE, start__gte=timezone.now()
    )
    with connection.cursor() as cursor:
        # An empty table is read whole by any plan; the question is which index is chosen.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = coming.explain()

    assert "appointment_worker_active" in plan
