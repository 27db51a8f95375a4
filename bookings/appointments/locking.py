"""The one lock order of Linli's bookings, and the only functions that take those locks.

Every transaction that locks rows of these tables takes them in this order, and at most once:

1. **the appointment** (one row, ``SELECT ... FOR UPDATE``), when the transaction changes an
   existing appointment; or, when it changes several (a worker who leaves hands back all their
   future jobs), **the appointments**, all in one call, in ascending primary-key order;
2. **the workers**, every row it will need in **one** call, in ascending primary-key order
   (``SELECT ... FOR NO KEY UPDATE``).

Why this order: an appointment names one worker, but which workers matter (the candidates for a
move, the one a manager picks) is only known once the appointment is read under its lock. Taking
all the worker rows in one statement, sorted, means two transactions that want overlapping sets
queue instead of deadlocking (the same rule as pretix's ``services/locking.py``: one order,
documented once).

Why ``NO KEY UPDATE`` for workers: inserting a row that references a worker (an offer, an
appointment, a dispatch attempt) takes PostgreSQL's ``FOR KEY SHARE`` lock on that worker. A
``FOR UPDATE`` lock would make such an insert wait, which is how a manager's assignment once
deadlocked against the dispatch task. ``FOR NO KEY UPDATE`` still serialises everything that
reads a worker's calendar and then books it, and never blocks a foreign-key check.

A new booking has no appointment row yet: it locks only the workers (step 2), then inserts.
SQLite has no row locks; its transactions begin IMMEDIATE (settings), so writers queue whole.
The PostgreSQL exclusion constraint on appointments stays the last word on overlaps.
"""

from __future__ import annotations

from collections.abc import Iterable

from bookings.models import Appointment, Worker


def lock_appointment(appointment_id: int, *, related: Iterable[str] = ()) -> Appointment:
    """Lock one appointment's row until the transaction ends and return it, re-read.

    ``related`` names ``select_related`` paths to load with it (only the appointment's own row
    is locked). Raises ``Appointment.DoesNotExist``. Must be called inside ``transaction.atomic``
    and before :func:`lock_workers` in the same transaction.

    The lock is taken by a statement on the appointment's table alone, and the row (with
    ``related``) read by a second one. Why: when the row is locked by another transaction that
    then changes a foreign key (a reschedule or an assignment moving ``worker``), PostgreSQL
    re-checks a waiting ``SELECT ... JOIN ... FOR UPDATE OF`` against the *old* joined rows and
    silently drops the row; the caller got ``DoesNotExist`` for an appointment that exists
    (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED). A bare
    ``select_related()`` joins every foreign key, so even ``related=()`` was exposed.
    """
    locked = (
        Appointment.objects.select_for_update()
        .filter(pk=appointment_id)
        .order_by()
        .values_list("pk", flat=True)
    )
    if not list(locked):
        raise Appointment.DoesNotExist(f"No appointment {appointment_id}")
    rows = Appointment.objects.all()
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=appointment_id)


def lock_appointments(
    appointment_ids: Iterable[int], *, related: Iterable[str] = ()
) -> list[Appointment]:
    """Lock several appointments' rows in primary-key order and return them, re-read, in that
    order (those that exist). Instead of :func:`lock_appointment`, never after it; then
    :func:`lock_workers` once. Same two statements, for the same reason, as
    :func:`lock_appointment`; two callers whose sets overlap queue instead of deadlocking."""
    ids = sorted(set(appointment_ids))
    if not ids:
        return []
    locked = list(
        Appointment.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = Appointment.objects.filter(pk__in=locked).order_by("pk")
    if related:
        rows = rows.select_related(*related)
    return list(rows)


def lock_workers(worker_ids: Iterable[int | None]) -> list[int]:
    """Lock the workers' rows (``None`` and duplicates ignored) in primary-key order.

    Call it once per transaction with every worker the transaction will read the calendar of
    or book: a second call with a lower primary key would break the order. Returns the ids of
    the rows that exist, ascending.
    """
    ids = sorted({pk for pk in worker_ids if pk is not None})
    if not ids:
        return []
    return list(
        Worker.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
