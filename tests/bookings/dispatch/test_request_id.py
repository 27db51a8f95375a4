"""A request's id follows it into the Celery task it starts (marketplace/observability.py):
the real worker's log lines for the dispatch task carry the id the booking request had."""

import pytest

from bookings.models import Appointment, JobOffer
from tests.bookings.dispatch.conftest import wait_for
from tests.support import tomorrow_at

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_request_id_of_a_booking_is_in_the_log_lines_of_its_dispatch_task(
    celery_worker, client, resident, service, published_board, worker
):
    client.force_login(resident)
    request_id = "req-linli-test-4711"

    response = client.post(
        "/shop/book/",
        {"product": service.pk, "start": tomorrow_at(10).isoformat()},
        HTTP_X_REQUEST_ID=request_id,
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == request_id
    appointment = Appointment.objects.get(pk=response.json()["appointment"])
    assert wait_for(lambda: JobOffer.objects.filter(appointment=appointment).exists(), 20)
    lines = wait_for(
        lambda: [
            line
            for line in celery_worker.log.read_text().splitlines()
            if request_id in line and "bookings.tasks.dispatch_request" in line
        ],
        10,
    )
    assert lines, celery_worker.log.read_text()[-2000:]


def test_a_request_without_an_id_gets_one(client, db):
    response = client.get("/healthz/")
    assert len(response["X-Request-ID"]) == 32


def test_a_forged_request_id_is_replaced(client, db):
    response = client.get("/healthz/", HTTP_X_REQUEST_ID="bad id\nwith a newline")
    assert response["X-Request-ID"] != "bad id\nwith a newline"
    assert len(response["X-Request-ID"]) == 32
