"""The one lock order (``bookings.appointments.locking``) holds under real concurrency.

Issue 14, section 7: a manager assigning a job within ~50 ms of its booking deadlocked against
the dispatch task. The task locked the appointment, then inserted the offer (a foreign key to the
worker: PostgreSQL's ``FOR KEY SHARE`` on the worker's row); the assignment locked the workers
``FOR UPDATE``, then the appointment. These tests run on PostgreSQL, each thread on its own
connection (``tests.support.run_concurrently``):

- every pair of paths that lock an appointment and workers (dispatch, manager assignment, offer
  accept/decline/expiry, check-in, reschedule, cancel, a new booking of the same slot) runs
  against each other on the same appointment, several times: no deadlock, a consistent end;
- the two interleavings of assign × dispatch are forced (one holds its first lock until the
  other is seen waiting): both finish;
- a CONTROL reproduces the old deadlock by putting the old order back (workers ``FOR UPDATE``
  first, then the appointment), so these tests demonstrably detect one;
- a worker locked by ``lock_workers`` never blocks an insert that references it (an offer),
  while the old ``FOR UPDATE`` does.

Deterministic under load: the session's Celery worker (started by an earlier worker test) is
stopped first, or its beat, sweeping this database every second, would process the rounds the
tests leave pending, queue on their locks, and deadlock against the teardown's TRUNCATE; and a
forced interleaving starts the second thread only once the first holds its locks (an event, not
a sleep), then waits for that thread's own connection to queue (not any connection's).
"""

from __future__ import annotations

import threading
import time
import traceback
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from bookings.appointments import locking
from bookings.appointments.changes import appointment_cancel, appointment_reschedule
from bookings.console.jobs import appointment_check_in
from bookings.dispatch import assignment, outbox
from bookings.dispatch.assignment import appointment_assign
from bookings.dispatch.offers import offer_accept, offer_decline, offer_expire
from bookings.exceptions import BookingError
from bookings.models import Appointment, DispatchRound, JobOffer, Worker
from tests.bookings.dispatch.conftest import CeleryWorker
from tests.support import local, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Status = Appointment.Status
ROUNDS = 3  # each pair runs this many times, on a fresh appointment each time


@pytest.fixture(autouse=True)
def _no_celery_worker():
    """No Celery worker of this session runs against the database meanwhile (the next test
    that needs one starts it again): its beat would take the rounds these tests leave pending
    and its transactions would deadlock with the teardown's TRUNCATE."""
    for process in list(CeleryWorker.running):
        process.stop()


@pytest.fixture
def no_kicks(monkeypatch):
    """Celery kicks dropped: a booking's dispatch round stays pending until a test runs it
    (as when the task is still on its way to the worker)."""
    monkeypatch.setattr(outbox, "kick", lambda task, *args: None)


@pytest.fixture
def hooks(monkeypatch):
    """Per-thread pauses right after a lock is taken: ``hooks[(thread index, step)] = fn``.

    ``step`` is "appointment" (``locking.lock_appointment``) or "workers"
    (``locking.lock_workers`` and the control's old worker lock)."""
    table: dict = {}
    local_ = threading.local()
    real_appointment, real_workers = locking.lock_appointment, locking.lock_workers

    def fire(step):
        hook = table.get((getattr(local_, "index", None), step))
        if hook is not None:
            hook()

    def lock_appointment(*args, **kwargs):
        locked = real_appointment(*args, **kwargs)
        fire("appointment")
        return locked

    def lock_workers(*args, **kwargs):
        ids = real_workers(*args, **kwargs)
        fire("workers")
        return ids

    monkeypatch.setattr(locking, "lock_appointment", lock_appointment)
    monkeypatch.setattr(locking, "lock_workers", lock_workers)
    table["local"], table["fire"] = local_, fire
    return table


def _backend_pid() -> int:
    """This thread's PostgreSQL backend (opening its connection)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_for_a_lock(pid: int | None) -> bool:
    if pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid]
        )
        return cursor.fetchone()[0]


class Overlap:
    """Force two threads to overlap: thread ``first`` takes its locks, says so (``locked``),
    and keeps them until the other thread's own connection (``pids``) waits for one of them;
    the other thread starts its call only once ``locked`` is set (``wait_for_first``)."""

    def __init__(self, first: int, timeout: float = 60):
        self.first, self.timeout = first, timeout
        self.locked = threading.Event()
        self.pids: dict[int, int] = {}

    def start(self, i: int) -> None:
        """In thread ``i``, before its call: open its connection and record its backend."""
        self.pids[i] = _backend_pid()
        if i != self.first:
            assert self.locked.wait(self.timeout), "the first thread never took its locks"

    def hold(self) -> None:
        """The hook in the first thread, once its locks are taken (once: a second call of the
        same lock in that transaction holds nothing more)."""
        if self.locked.is_set():
            return
        self.locked.set()
        other = 1 - self.first
        deadline = time.monotonic() + self.timeout
        while not _waits_for_a_lock(self.pids.get(other)):
            assert time.monotonic() < deadline, "the other transaction never queued behind us"
            time.sleep(0.02)


# --- the world: one appointment in a known state ------------------------------------------------


class Job:
    """An appointment on day ``day`` at 10:00 with two qualified workers, in ``state``:
    pending (round not processed), offered (an open offer), accepted."""

    def __init__(self, book, workers, day: int, state: str):
        self.appointment = book(local(day, 10))
        self.pk = self.appointment.pk
        self.day = day
        self.round_id = self.appointment.dispatch_requests.get().pk
        if state in ("offered", "accepted"):
            self.offer_id = outbox.dispatch_round_process(round_id=self.round_id).pk
        if state == "accepted":
            offer = JobOffer.objects.get(pk=self.offer_id)
            offer_accept(offer=offer, worker=offer.worker)
        self.appointment.refresh_from_db()
        self.holder = self.appointment.worker
        self.other = next(w for w in workers if w.pk != self.holder.pk)


def _paths(book, manager, resident, other_resident):
    """Each path is one service call (its own transaction) on ``job``."""

    def fresh(job):
        return Appointment.objects.get(pk=job.pk)

    def offer(job):
        return JobOffer.objects.get(pk=job.offer_id)

    return {
        "dispatch": lambda job: outbox.dispatch_round_process(round_id=job.round_id),
        "assign": lambda job: appointment_assign(
            appointment=fresh(job), worker=job.other, by=manager
        ),
        "accept": lambda job: offer_accept(offer=offer(job), worker=job.holder),
        "decline": lambda job: offer_decline(offer=offer(job), worker=job.holder, reason="busy"),
        "expire": lambda job: offer_expire(offer_id=job.offer_id),
        "check_in": lambda job: appointment_check_in(
            appointment=fresh(job), worker=job.holder, now=fresh(job).start - timedelta(minutes=30)
        ),
        "reschedule": lambda job: appointment_reschedule(
            appointment=fresh(job), new_start=local(job.day, 14), by=resident
        ),
        "cancel": lambda job: appointment_cancel(appointment=fresh(job), by=resident),
        "book": lambda job: book(local(job.day, 10), user=other_resident),
    }


def _assert_no_deadlock(results) -> None:
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, BookingError):
            raise AssertionError(
                f"{type(result).__name__}: {result}\n" + "".join(traceback.format_exception(result))
            ) from result


def _assert_consistent(pk: int) -> None:
    """What any serial order of the paths leaves: a worker only ever holds the job they are
    offered, an ended job has nothing open, nobody is double-booked."""
    appointment = Appointment.objects.get(pk=pk)
    open_offers = list(JobOffer.objects.filter(appointment=appointment, status="open"))
    open_rounds = DispatchRound.objects.filter(
        appointment=appointment, status__in=DispatchRound.OPEN
    )
    if appointment.status in (Status.CANCELLED, Status.EXPIRED):
        assert not open_offers and not open_rounds.exists()
    for offer in open_offers:
        assert appointment.status == Status.CONFIRMED
        assert offer.worker_id == appointment.worker_id
    if appointment.status == Status.ACCEPTED:
        assert not open_offers
    for worker in Worker.objects.all():
        jobs = sorted(
            Appointment.objects.filter(worker=worker, status__in=Appointment.ACTIVE).values_list(
                "start", "end"
            )
        )
        for (_s1, e1), (s2, _e2) in zip(jobs, jobs[1:], strict=False):
            assert s2 >= e1, f"{worker} double-booked"


PAIRS = [
    # (path, path, state): every pair of paths that lock one appointment and its workers.
    ("dispatch", "assign", "pending"),  # the example
    ("dispatch", "reschedule", "pending"),
    ("dispatch", "cancel", "pending"),
    ("dispatch", "book", "pending"),
    ("assign", "reschedule", "pending"),
    ("assign", "book", "pending"),
    ("decline", "assign", "offered"),
    ("expire", "assign", "offered"),
    ("accept", "assign", "offered"),
    ("decline", "expire", "offered"),
    ("decline", "reschedule", "offered"),
    ("expire", "reschedule", "offered"),
    ("accept", "reschedule", "offered"),
    ("check_in", "assign", "accepted"),
    ("check_in", "reschedule", "accepted"),
    ("check_in", "cancel", "accepted"),
]


@pytest.mark.parametrize("first,second,state", PAIRS, ids=[f"{a}-x-{b}" for a, b, _ in PAIRS])
def test_two_paths_on_one_appointment_never_deadlock(
    first,
    second,
    state,
    book,
    worker,
    second_worker,
    provider_manager,
    resident,
    other_resident,
    no_kicks,
):
    paths = _paths(book, provider_manager, resident, other_resident)
    for day in range(2, 2 + ROUNDS):
        job = Job(book, [worker, second_worker], day, state)
        results = run_concurrently(lambda i, job=job: paths[(first, second)[i]](job), 2)
        _assert_no_deadlock(results)
        _assert_consistent(job.pk)


@pytest.mark.parametrize("holds_first", ["dispatch", "assign"])
def test_assign_and_dispatch_forced_to_overlap_both_finish(
    holds_first, hooks, book, worker, second_worker, provider_manager, no_kicks
):
    """Whichever takes its locks first keeps them until the other is seen waiting: the other
    waits on the appointment (its first lock) and then goes on; nobody deadlocks."""
    job = Job(book, [worker, second_worker], 2, "pending")
    index = {"dispatch": 0, "assign": 1}[holds_first]
    overlap = Overlap(first=index)
    # dispatch's last lock is the appointment, assign's the workers.
    hooks[(index, "appointment" if holds_first == "dispatch" else "workers")] = overlap.hold

    def run(i):
        hooks["local"].index = i
        overlap.start(i)  # the other waits until the first holds its locks
        if i == 0:
            return outbox.dispatch_round_process(round_id=job.round_id)
        return appointment_assign(
            appointment=Appointment.objects.get(pk=job.pk), worker=job.other, by=provider_manager
        )

    results = run_concurrently(run, 2)
    _assert_no_deadlock(results)
    _assert_consistent(job.pk)
    appointment = Appointment.objects.get(pk=job.pk)
    # The manager's choice stands: they assigned last or withdrew the dispatch offer.
    assert appointment.worker == job.other
    assert JobOffer.objects.get(appointment=appointment, status="open").worker == job.other


WAITERS = [("dispatch", "pending"), ("reschedule", "pending"), ("cancel", "pending")]
WAITERS += [("expire", "offered"), ("decline", "offered")]


@pytest.mark.parametrize("waiter,state", WAITERS, ids=[w for w, _ in WAITERS])
def test_a_path_queued_behind_an_assignment_still_finds_the_appointment(
    waiter,
    state,
    hooks,
    book,
    worker,
    second_worker,
    provider_manager,
    resident,
    other_resident,
    no_kicks,
):
    """A manager's assignment moves the worker while another path waits for the appointment's
    lock. The waiter must get the appointment as it now is. It used to get ``DoesNotExist``
    (a 500, or for dispatch a round silently left pending): its ``SELECT ... FOR UPDATE OF``
    joined the worker (``select_related``), and PostgreSQL re-checks a waiting row against
    the joined rows it read before the wait."""
    paths = _paths(book, provider_manager, resident, other_resident)
    job = Job(book, [worker, second_worker], 2, state)
    overlap = Overlap(first=0)
    hooks[(0, "workers")] = overlap.hold  # assign, after all its locks

    def run(i):
        hooks["local"].index = i
        overlap.start(i)  # the waiter starts once assign holds its locks
        if i == 0:
            return paths["assign"](job)
        return paths[waiter](job)

    results = run_concurrently(run, 2)
    _assert_no_deadlock(results)
    _assert_consistent(job.pk)
    assert not DispatchRound.objects.filter(
        pk=job.round_id, status=DispatchRound.Status.PENDING
    ).exists()


def _old_lock_for_move(fire):
    """The order before the restructure: the workers ``FOR UPDATE``, then the appointment."""

    def lock_for_move(appointment_id, *, also=()):
        unlocked = Appointment.objects.select_related(
            "product", "stockrecord__partner", "community"
        ).get(pk=appointment_id)
        candidate_ids = assignment._candidates(unlocked)
        ids = sorted({*candidate_ids, unlocked.worker_id, *also})
        list(Worker.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        fire("workers")
        locked = Appointment.objects.select_for_update(of=("self",)).get(pk=appointment_id)
        return locked, candidate_ids

    return lock_for_move


def test_control_the_old_order_deadlocks_assign_against_dispatch(
    hooks, monkeypatch, book, worker, second_worker, provider_manager, no_kicks
):
    """CONTROL: with the old order put back, the same pair deadlocks (PostgreSQL aborts one
    of them with ``deadlock detected``), so the tests above would catch a regression."""
    monkeypatch.setattr(assignment, "lock_for_move", _old_lock_for_move(hooks["fire"]))
    job = Job(book, [worker, second_worker], 2, "pending")
    both_locked = threading.Barrier(2)
    hooks[(0, "appointment")] = lambda: both_locked.wait(timeout=10)  # dispatch
    hooks[(1, "workers")] = lambda: both_locked.wait(timeout=10)  # assign

    def run(i):
        hooks["local"].index = i
        if i == 0:
            return outbox.dispatch_round_process(round_id=job.round_id)
        return appointment_assign(
            appointment=Appointment.objects.get(pk=job.pk), worker=job.other, by=provider_manager
        )

    results = run_concurrently(run, 2)
    deadlocks = [r for r in results if isinstance(r, OperationalError)]
    assert len(deadlocks) == 1 and "deadlock detected" in str(deadlocks[0]), results
    with pytest.raises(AssertionError, match="deadlock detected"):
        _assert_no_deadlock(results)


@pytest.mark.parametrize("lock", ["lock_workers", "old FOR UPDATE"])
def test_a_locked_worker_blocks_an_offer_insert_only_under_the_old_lock(
    lock, book, worker, second_worker, no_kicks
):
    """An insert referencing a worker takes ``FOR KEY SHARE`` on the worker's row.
    ``lock_workers`` (``FOR NO KEY UPDATE``) lets it through at once; ``FOR UPDATE`` (the old
    lock) makes it wait, which is how the old order deadlocked."""
    job = Job(book, [worker, second_worker], 2, "pending")
    locked = threading.Event()
    done = threading.Event()

    def hold(i):
        with transaction.atomic():
            if lock == "lock_workers":
                locking.lock_workers([job.holder.pk])
            else:
                list(Worker.objects.select_for_update().filter(pk=job.holder.pk))
            locked.set()
            done.wait(timeout=10)

    def insert(i):
        assert locked.wait(timeout=10)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '500ms'")
                # What dispatch_round_process does under the appointment lock.
                return outbox.dispatch_round_process(round_id=job.round_id)
        finally:
            done.set()

    results = run_concurrently(lambda i: (hold, insert)[i](i), 2)
    if lock == "lock_workers":
        assert isinstance(results[1], JobOffer) and results[1].worker == job.holder
    else:
        assert isinstance(results[1], OperationalError) and "lock timeout" in str(results[1])


def test_every_select_for_update_in_bookings_goes_through_the_locking_module():
    """The audit, kept: appointment and worker rows are locked only by ``locking`` (one order);
    the other ``select_for_update`` calls lock rows taken after it (a round, a price)."""
    root = Path(locking.__file__).parents[1]
    found = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "select_for_update" in path.read_text() and "migrations" not in path.parts
    }
    assert found == {
        "appointments/locking.py",
        "dispatch/outbox.py",  # the round, after locking.lock_appointment
        "console/prices.py",  # a StockRecord; no appointment or worker in that transaction
        # A package row: after the appointment when a visit is returned or consumed; a draw is
        # a conditional UPDATE in its own transaction, before the hold takes any lock.
        "packages/ledger.py",
        "packages/purchase.py",  # the package's own order row; no appointment or worker
        # A waiting-list entry, before the appointment it holds or releases (never after one).
        "waitlist/services.py",
    }
