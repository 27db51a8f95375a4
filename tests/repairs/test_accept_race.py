"""Two maintenance workers accept the same repair at the same moment: exactly one takes it.

On PostgreSQL, each thread with its own connection and transaction (``run_concurrently``). The
control does what a naive accept would — read the request, see it waiting, write the worker —
without the request's row lock, and shows that both workers are told they took it.
"""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from repairs.dispatch import offer_accept
from repairs.errors import RepairConflict
from repairs.models import RepairOffer, RepairRequest
from repairs.services import request_report
from tests.support import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 4


@pytest.fixture
def leaks(resident, home, fixer, second_fixer):
    # transactional_db: on-commit callbacks run for real, so each report is offered to both.
    return [
        request_report(
            user=resident,
            area="home",
            household=home,
            category="plumbing",
            description=f"漏水 {i}",
        )
        for i in range(ROUNDS)
    ]


def test_two_workers_accepting_at_once_one_wins(leaks, fixer, second_fixer):
    workers = [fixer, second_fixer]
    for leak in leaks:
        offers = [RepairOffer.objects.get(request=leak, worker=w) for w in workers]

        def accept(i, offers=offers):
            return offer_accept(offer_id=offers[i].pk, worker=workers[i])

        results = run_concurrently(accept, 2)
        winners = [r for r in results if isinstance(r, RepairRequest)]
        losers = [r for r in results if isinstance(r, RepairConflict)]
        assert len(winners) == 1 and len(losers) == 1, results
        leak.refresh_from_db()
        assert leak.worker_id == winners[0].worker_id
        assert RepairOffer.objects.filter(request=leak, status="accepted").count() == 1
        assert leak.events.filter(to_status="accepted").count() == 1


def test_control_without_the_lock_both_workers_take_it(leaks, fixer, second_fixer):
    """The same race with a naive check-then-write and no row lock: both think they won."""
    workers = [fixer, second_fixer]
    leak = leaks[0]
    both_read = threading.Barrier(2)

    def naive_accept(i):
        with transaction.atomic():
            repair = RepairRequest.objects.get(pk=leak.pk)  # no FOR UPDATE
            waiting = repair.status == RepairRequest.Status.REPORTED
            both_read.wait(timeout=10)  # both have seen it waiting
            if not waiting:
                return False
            RepairRequest.objects.filter(pk=leak.pk).update(
                status="accepted", worker=workers[i], taken_at=timezone.now()
            )
            return True

    results = run_concurrently(naive_accept, 2)
    assert results == [True, True]  # two workers each told the repair is theirs
    assert connection.vendor == "postgresql"
