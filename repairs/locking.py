"""The repair lock order, and the only functions that take its locks.

1. **the repair request** (one row, ``SELECT ... FOR UPDATE``);
2. **the workers** the transaction needs, all in one sorted ``FOR NO KEY UPDATE``
   (``bookings.appointments.locking.lock_workers``, the bookings' step 2).

Why the request first: who may take it (which offers are open, which worker holds it) is only
known once it is read under its lock, and every path that changes it (accept, decline, expiry,
the desk's assignment, the worker's steps, the resident's confirm, approval of a quote) starts
here, so two of them queue on one row instead of both deciding. Why no appointment: a repair
never changes an appointment, so this order and the bookings' (appointment, workers) share only
the last step and cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from bookings.appointments.locking import lock_workers as _lock_workers
from repairs.models import RepairRequest


def lock_request(request_id: int) -> RepairRequest:
    """Lock the request's row until the transaction ends; return it re-read (with its
    community and enterprise). Raises ``RepairRequest.DoesNotExist``. Inside
    ``transaction.atomic``, before ``lock_workers``. The lock is taken on the request's table
    alone, then the row read with its joins (see ``bookings.appointments.locking``: a joined
    ``FOR UPDATE`` can silently drop a row whose foreign key moved)."""
    if not list(
        RepairRequest.objects.select_for_update().filter(pk=request_id).values_list("pk", flat=True)
    ):
        raise RepairRequest.DoesNotExist(f"No repair request {request_id}")
    return RepairRequest.objects.select_related("community__enterprise").get(pk=request_id)


def lock_workers(worker_ids: Iterable[int | None]) -> list[int]:
    """Step 2: the workers' rows, sorted, once per transaction (see bookings' locking)."""
    return _lock_workers(worker_ids)
