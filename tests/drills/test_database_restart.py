"""PostgreSQL restarts in the middle of a burst of one-click bookings.

Every answer must be a success (201), a clean refusal (409) or a clean "try again" (503, from
``marketplace.middleware``) — never a 500 — and afterwards nothing may be half-written: every
order has an appointment per line, every appointment its order, line and first event, every
payment record its order, and no worker is booked twice. Bookings work again once the
database is back.

The restart is real (``pg_ctlcluster ... restart``), so it also drops every other connection to
the cluster for a second or two; the test always leaves PostgreSQL answering, even on failure.
"""

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.test import Client

from bookings.models import Appointment, AppointmentEvent
from tests.bookings.factories import WorkerFactory
from tests.factories import HouseholdFactory, UserFactory
from tests.support import local

pytestmark = [pytest.mark.postgres, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

CLIENTS = 6
POSTGRES_ETC = Path("/etc/postgresql")


def _cluster_version() -> str | None:
    if not POSTGRES_ETC.is_dir() or not shutil.which("pg_ctlcluster"):
        return None
    versions = sorted(p.name for p in POSTGRES_ETC.iterdir() if (p / "main").is_dir())
    return versions[-1] if versions else None


def _answers() -> bool:
    import psycopg

    db = settings.DATABASES["default"]
    try:
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=2,
        ) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def _wait_until_answering(timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers():
            return True
        time.sleep(0.2)
    return False


def _pg_ctl(version: str, action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=False,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def cluster():
    version = _cluster_version()
    if version is None:
        pytest.skip("needs a local Debian PostgreSQL cluster (pg_ctlcluster) to restart")
    if not _answers():
        pytest.skip("PostgreSQL does not answer before the drill")
    yield version
    # Whatever happened, leave PostgreSQL running and this process's connections fresh.
    if not _wait_until_answering(20):
        _pg_ctl(version, "start")
        assert _wait_until_answering(60), "PostgreSQL did not come back after the drill"
    connections.close_all()


def test_bookings_during_a_database_restart_answer_cleanly_and_leave_nothing_half_written(
    cluster, provider, community, service, board
):
    for _ in range(4):  # enough free workers that most bookings can succeed
        WorkerFactory(provider=provider, skills=[service.product_class], communities=[community])
    clients = []
    for n in range(CLIENTS):
        user = UserFactory(email=f"drill{n}@residents.example.cn")
        HouseholdFactory(user=user, community=community)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    # Distinct starts per client (every half hour over the coming days, 08:00–16:00).
    starts = [local(d, h, m) for d in range(1, 28) for h in range(8, 16) for m in (0, 30)]
    answers: list[tuple[int, bytes]] = []
    stop = threading.Event()
    lock = threading.Lock()

    def burst(n: int, client: Client) -> None:
        try:
            for start in starts[n::CLIENTS]:
                if stop.is_set():
                    break
                close_old_connections()  # what a server does between requests
                response = client.post(
                    "/shop/book/",
                    {"product": service.pk, "start": start.isoformat()},
                    HTTP_ACCEPT="application/json",
                )
                with lock:
                    answers.append((response.status_code, response.content[:300]))
                # While the database is down, retry the way a client told Retry-After would
                # (sooner, to keep the drill short).
                time.sleep(0.2 if response.status_code == 503 else 0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=burst, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(answers) < 2 * CLIENTS and time.monotonic() < deadline:
        time.sleep(0.05)  # the burst is under way before the restart
    before_restart = len(answers)
    _pg_ctl(cluster, "restart")
    assert _wait_until_answering(60), "PostgreSQL did not come back"
    after_restart = len(answers)
    deadline = time.monotonic() + 30
    while len(answers) < after_restart + 2 * CLIENTS and time.monotonic() < deadline:
        time.sleep(0.05)  # bookings keep coming after the restart
    stop.set()
    for thread in threads:
        thread.join(60)
    connections.close_all()

    statuses = [status for status, _body in answers]
    print(
        f"{len(answers)} answers ({before_restart} before the restart): "
        f"{ {s: statuses.count(s) for s in sorted(set(statuses))} }"
    )
    unexpected = [(s, body) for s, body in answers if s not in (201, 409, 503)]
    assert not unexpected, unexpected[:3]
    assert 503 in statuses, "the burst never met the restart: the drill proved nothing"
    assert 201 in statuses

    # After the restart a booking works again: on day 28, which the burst (days 1-27) never
    # asks for, however far a slow restart let it walk (503s move a client to its next slot).
    close_old_connections()
    again = clients[0].post(
        "/shop/book/",
        {"product": service.pk, "start": local(28, 10).isoformat()},
        HTTP_ACCEPT="application/json",
    )
    assert again.status_code == 201, again.content

    _assert_nothing_half_written()


def _assert_nothing_half_written() -> None:
    from oscar.apps.order.models import Line, Order

    from payments.models import PaymentIntentRecord

    # Every order line is an appointment, and every order has at least one.
    assert not Line.objects.filter(appointment__isnull=True).exists()
    assert not Order.objects.filter(appointments__isnull=True).exists()
    for appointment in Appointment.objects.select_related("order", "line"):
        assert appointment.line.order_id == appointment.order_id
        assert AppointmentEvent.objects.filter(
            appointment=appointment, to_status=Appointment.Status.HELD
        ).exists(), f"appointment {appointment.pk} has no history"
        assert appointment.status in (Appointment.Status.HELD, Appointment.Status.CONFIRMED)
        # The order says what the appointment says (Pending while held, Confirmed after).
        assert appointment.order.status == Appointment.ORDER_STATUS[appointment.status]
    # A payment record always belongs to an order that exists with its appointments.
    assert not PaymentIntentRecord.objects.filter(order__appointments__isnull=True).exists()
    # And the invariant of the whole app: no worker booked twice for overlapping time.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM bookings_appointment a JOIN bookings_appointment b
              ON a.worker_id = b.worker_id AND a.id < b.id
             WHERE a.status IN ('held', 'confirmed', 'accepted', 'in_progress')
               AND b.status IN ('held', 'confirmed', 'accepted', 'in_progress')
               AND tstzrange(a.start, a.busy_until) && tstzrange(b.start, b.busy_until)
            """
        )
        assert cursor.fetchone()[0] == 0
