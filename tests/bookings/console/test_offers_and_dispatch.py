"""Offers in the console (accept, decline with a reason, an expired offer) and the manager's
dispatch board with manual assignment, which never double-books a worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.dispatch.assignment import appointment_assign
from bookings.dispatch.outbox import dispatch_round_process
from bookings.exceptions import SlotUnavailable
from bookings.models import Appointment, DispatchRound, JobOffer
from tests.support import local, run_concurrently

Status = Appointment.Status


def put_out_offer(appointment) -> JobOffer:
    """What the on-commit Celery kick does: dispatch the booking's pending request."""
    round_ = appointment.dispatch_requests.get(status=DispatchRound.Status.PENDING)
    return dispatch_round_process(round_id=round_.pk)


@pytest.mark.django_db
def test_an_offer_shows_with_its_countdown_and_accepting_reveals_the_address(client, job, worker):
    offer = put_out_offer(job)
    client.force_login(worker.user)
    home = client.get("/provider/")
    page = home.content.decode()
    assert [o.pk for o in home.context["offers"]] == [offer.pk]
    assert f'data-expires="{timezone.localtime(offer.expires_at).isoformat()}' in page
    assert "1201" not in page  # no room number on an offer

    response = client.post(f"/provider/offers/{offer.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == f"/provider/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Status.ACCEPTED
    assert "1201" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_declining_needs_a_reason_and_passes_the_job_on(
    client, job, worker, second_worker, english
):
    offer = put_out_offer(job)
    client.force_login(worker.user)
    response = client.post(f"/provider/offers/{offer.pk}/decline/", {"reason": ""}, follow=True)
    assert "Please give a reason" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == JobOffer.Status.OPEN

    client.post(f"/provider/offers/{offer.pk}/decline/", {"reason": "腰伤，今天不能干重活"})
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == (
        JobOffer.Status.DECLINED,
        "腰伤，今天不能干重活",
    )
    job.refresh_from_db()
    assert job.worker == second_worker
    assert (
        JobOffer.objects.get(appointment=job, status=JobOffer.Status.OPEN).worker == second_worker
    )


@pytest.mark.django_db
def test_an_expired_offer_cannot_be_accepted(client, job, worker, english):
    offer = put_out_offer(job)
    JobOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(worker.user)
    assert client.get("/provider/").context["offers"] == []
    response = client.post(f"/provider/offers/{offer.pk}/accept/", follow=True)
    assert "no longer open" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Status.CONFIRMED
    assert "1201" not in client.get(f"/provider/jobs/{job.pk}/").content.decode()


@pytest.mark.django_db
def test_another_workers_offer_is_404(client, job, second_worker):
    offer = put_out_offer(job)
    client.force_login(second_worker.user)
    assert client.post(f"/provider/offers/{offer.pk}/accept/").status_code == 404
    assert client.post(f"/provider/offers/{offer.pk}/decline/", {"reason": "x"}).status_code == 404
    offer.refresh_from_db()
    assert offer.status == JobOffer.Status.OPEN


@pytest.mark.django_db
def test_the_dispatch_board_lists_unaccepted_jobs_and_a_manager_assigns_a_free_worker(
    client, job, worker, second_worker, provider_manager
):
    put_out_offer(job)
    client.force_login(provider_manager)
    board = client.get("/provider/dispatch/")
    assert [a.pk for a in board.context["board"]] == [job.pk]

    form = client.get(f"/provider/dispatch/{job.pk}/assign/")
    assert {w.pk for w in form.context["workers"]} == {worker.pk, second_worker.pk}
    response = client.post(f"/provider/dispatch/{job.pk}/assign/", {"worker": second_worker.pk})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.worker == second_worker
    assert (
        JobOffer.objects.get(appointment=job, status=JobOffer.Status.OPEN).worker == second_worker
    )


@pytest.mark.django_db
def test_assignment_refuses_a_worker_busy_at_that_time(
    client, book, worker, second_worker, provider_manager, other_resident, english
):
    first = book(local(2, 10))  # worker (least loaded first)
    second = book(local(2, 10), user=other_resident)  # second_worker
    assert {first.worker, second.worker} == {worker, second_worker}
    busy = second.worker

    client.force_login(provider_manager)
    form = client.get(f"/provider/dispatch/{first.pk}/assign/")
    assert busy.pk not in {w.pk for w in form.context["workers"]}
    response = client.post(f"/provider/dispatch/{first.pk}/assign/", {"worker": busy.pk})
    assert response.status_code == 200  # the form again, with the refusal
    with pytest.raises(SlotUnavailable):
        appointment_assign(appointment=first, worker=busy, by=provider_manager)
    first.refresh_from_db()
    assert first.worker != busy


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_assigning_one_worker_at_once_never_double_book(
    book, worker, second_worker, provider_manager, other_resident
):
    """Two jobs at the same time, both handed at once to the same worker: one wins."""
    one = book(local(2, 10))
    two = book(local(2, 10), user=other_resident)
    third = _third_worker(worker)  # free at 10:00, while the other two are busy

    outcomes = []

    def assign(i):
        try:
            appointment_assign(appointment=(one, two)[i], worker=third, by=provider_manager)
            outcomes.append("ok")
        except SlotUnavailable:
            outcomes.append("refused")

    run_concurrently(assign, 2)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Appointment.objects.filter(worker=third, status__in=Appointment.ACTIVE).count() == 1


def _third_worker(like):
    from tests.bookings.factories import WorkerFactory

    return WorkerFactory(
        provider=like.provider,
        skills=list(like.skills.all()),
        communities=list(like.communities.all()),
    )
