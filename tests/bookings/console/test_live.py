"""The console refreshes itself: the fragment htmx polls answers 204 while nothing changed and
the new state when an offer arrives or is withdrawn; an offer taken back cannot be accepted
from a stale page (a clear message, nothing changes). The manager's board does the same."""

import pytest

from bookings.appointments.changes import appointment_cancel
from bookings.models import JobOffer
from tests.bookings.console.test_offers_and_dispatch import put_out_offer
from tests.support import local

pytestmark = pytest.mark.django_db


def _poll(client, url, version):
    return client.get(url, {"v": version}, headers={"HX-Request": "true"})


def test_the_worker_console_fragment_changes_only_when_an_offer_comes_or_goes(
    client, book, worker, resident
):
    client.force_login(worker.user)
    version = client.get("/provider/").context["version"]
    assert _poll(client, "/provider/live/", version).status_code == 204
    job = book(local(2, 10))
    offer = put_out_offer(job)
    response = _poll(client, "/provider/live/", version)
    assert response.status_code == 200
    assert f'data-offer="{offer.pk}"' in response.content.decode()
    version = response.context["version"]
    assert _poll(client, "/provider/live/", version).status_code == 204
    appointment_cancel(appointment=job, by=resident)  # the offer is withdrawn
    response = _poll(client, "/provider/live/", version)
    assert response.status_code == 200 and "data-offer=" not in response.content.decode()


def test_a_withdrawn_offer_cannot_be_accepted_from_a_stale_page(client, book, worker, resident):
    job = book(local(2, 10))
    offer = put_out_offer(job)
    client.force_login(worker.user)
    client.get("/provider/")  # the page with the offer, left open
    appointment_cancel(appointment=job, by=resident)
    response = client.post(f"/provider/offers/{offer.pk}/accept/", follow=True)
    assert "该派单已失效" in response.content.decode()  # "This offer is no longer open"
    offer.refresh_from_db()
    assert offer.status == JobOffer.Status.WITHDRAWN


def test_the_dispatch_board_fragment_changes_when_a_job_waits(
    client, book, worker, provider_manager
):
    client.force_login(provider_manager)
    version = client.get("/provider/dispatch/").context["version"]
    assert _poll(client, "/provider/dispatch/live/", version).status_code == 204
    job = book(local(2, 10))
    response = _poll(client, "/provider/dispatch/live/", version)
    assert response.status_code == 200 and f'data-job="{job.pk}"' in response.content.decode()


def test_the_live_fragments_are_for_the_console_only(client, resident):
    client.force_login(resident)
    assert client.get("/provider/live/").status_code == 403
    assert client.get("/provider/dispatch/live/").status_code == 403
