"""A worker who can no longer do their jobs hands them back (issue 14, section 3, sibling):
deactivated in the Django admin, by a user account made inactive (one by one, in Wagtail's bulk
action, in Oscar's dashboard), moved off a skill or a community from either side. Their future
jobs are re-dispatched in the same transaction: the next worker gets the hold and an offer, or
the round escalates; the leaving worker is reminded of nothing. Deleting a worker who has jobs
is refused, with the jobs listed."""

from datetime import timedelta

import pytest
from django.core import mail

from bookings.availability.calendars import qualified_workers
from bookings.dispatch.offers import offer_accept
from bookings.dispatch.outbox import dispatch_round_process
from bookings.models import Appointment, DispatchRound, JobOffer, Notice, Worker
from bookings.notify.reminders import reminders_send_due
from tests.bookings.notify.conftest import tell_now
from tests.factories import UserFactory
from tests.support import local

pytestmark = pytest.mark.django_db
Status = Appointment.Status
Kind = Notice.Kind


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True, email="root@example.cn")


def accepted(appointment):
    """Dispatch the booking's round and let the held worker accept it."""
    offer = dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    offer_accept(offer=offer, worker=offer.worker)
    appointment.refresh_from_db()
    return appointment


def assert_handed_to(appointment, new_worker):
    """The job is held by ``new_worker``, confirmed, with an open offer to them."""
    appointment.refresh_from_db()
    assert appointment.worker == new_worker
    assert appointment.status == Status.CONFIRMED
    offer = appointment.offers.get(status=JobOffer.Status.OPEN)
    assert offer.worker == new_worker
    return offer


def admin_change_data(worker, **overrides):
    """The Django admin's change form of ``worker``, as a browser would post it back."""
    data = {
        "user": worker.user_id,
        "provider": worker.provider_id,
        "skills": [c.pk for c in worker.skills.all()],
        "communities": [c.pk for c in worker.communities.all()],
        "is_active": "on" if worker.is_active else "",
        "rating": str(worker.rating),
        "weekly_hours-TOTAL_FORMS": "0",
        "weekly_hours-INITIAL_FORMS": "0",
        "time_off-TOTAL_FORMS": "0",
        "time_off-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_a_worker_deactivated_in_the_admin_hands_their_accepted_job_to_another(
    client, superuser, book, worker, second_worker, resident
):
    appointment = accepted(book(local(3, 10)))
    leaving = appointment.worker
    other = second_worker if leaving == worker else worker
    client.force_login(superuser)
    response = client.post(
        f"/django-admin/bookings/worker/{leaving.pk}/change/",
        admin_change_data(leaving, is_active=""),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    leaving.refresh_from_db()
    assert not leaving.is_active
    offer = assert_handed_to(appointment, other)
    assert appointment.events.filter(from_status=Status.ACCEPTED, to_status=Status.CONFIRMED)
    # The 1 h reminder is the new worker's once they accept; the leaving one gets nothing.
    offer_accept(offer=offer, worker=other)
    tell_now()  # what just happened (booked, accepted, the offers), told at once
    assert reminders_send_due(now=appointment.start - timedelta(minutes=59)) == 3
    workers_mailed = [m.to for m in mail.outbox if m.to != [resident.email]]
    assert workers_mailed == [[other.user.email]]


def test_with_nobody_left_the_job_is_escalated_and_the_resident_told(
    book, worker, provider_manager, resident
):
    appointment = accepted(book(local(3, 10)))
    worker.is_active = False
    worker.save()  # the shell's path: a plain save
    appointment.refresh_from_db()
    assert appointment.status == Status.CONFIRMED
    assert not appointment.offers.filter(status=JobOffer.Status.OPEN).exists()
    round_ = appointment.dispatch_requests.get(status=DispatchRound.Status.ESCALATED)
    notices = set(round_.notices.values_list("kind", "recipient"))
    assert notices == {
        (Kind.ESCALATION_MANAGER, provider_manager.pk),
        (Kind.ESCALATION_RESIDENT, resident.pk),
    }
    # Nothing reminds the worker who left, nor names them to the resident.
    mail.outbox.clear()
    reminders_send_due(now=appointment.start - timedelta(minutes=59))
    assert worker.user.email not in [to for m in mail.outbox for to in m.to]
    assert all(worker.display_name not in m.body for m in mail.outbox)


def test_a_confirmed_job_not_yet_accepted_moves_too(book, worker, second_worker):
    appointment = book(local(3, 10))
    dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    leaving = appointment.worker
    other = second_worker if leaving == worker else worker
    leaving.is_active = False
    leaving.save()
    assert_handed_to(appointment, other)
    withdrawn = JobOffer.objects.get(appointment=appointment, worker=leaving)
    assert withdrawn.status == JobOffer.Status.WITHDRAWN


def test_a_user_account_made_inactive_hands_back_the_workers_jobs(
    client, superuser, book, worker, second_worker
):
    appointment = accepted(book(local(3, 10)))
    leaving = appointment.worker
    other = second_worker if leaving == worker else worker
    user = leaving.user
    user.is_active = False
    user.save()
    assert_handed_to(appointment, other)
    # A worker who cannot sign in is nobody's candidate any more.
    assert leaving.pk not in qualified_workers(
        product=appointment.product,
        stockrecord=appointment.stockrecord,
        community=appointment.community,
    ).values_list("pk", flat=True)


def test_wagtails_bulk_set_inactive_hands_back_the_workers_jobs(
    client, superuser, book, worker, second_worker
):
    appointment = accepted(book(local(3, 10)))
    leaving = appointment.worker
    other = second_worker if leaving == worker else worker
    client.force_login(superuser)
    url = f"/cms/bulk/marketplace/user/set_active_state/?id={leaving.user_id}"
    response = client.post(url, {"mark_as_active": "False"})
    assert response.status_code == 302
    leaving.user.refresh_from_db()
    assert not leaving.user.is_active
    assert_handed_to(appointment, other)


def test_oscars_dashboard_make_inactive_hands_back_the_workers_jobs(
    client, superuser, book, worker, second_worker
):
    appointment = accepted(book(local(3, 10)))
    leaving = appointment.worker
    other = second_worker if leaving == worker else worker
    client.force_login(superuser)
    response = client.post(
        "/shop/dashboard/users/", {"action": "make_inactive", "selected_user": [leaving.user_id]}
    )
    assert response.status_code == 302
    leaving.user.refresh_from_db()
    assert not leaving.user.is_active
    assert_handed_to(appointment, other)


def test_a_skill_removed_in_the_admin_moves_only_the_jobs_that_need_it(
    client, superuser, book, worker, second_worker, service
):
    appointment = accepted(book(local(3, 10)))
    leaving = appointment.worker
    other = second_worker if leaving == worker else worker
    client.force_login(superuser)
    response = client.post(
        f"/django-admin/bookings/worker/{leaving.pk}/change/",
        admin_change_data(leaving, skills=[]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not leaving.skills.exists()
    assert Worker.objects.get(pk=leaving.pk).is_active
    assert_handed_to(appointment, other)


def test_a_community_removed_from_either_side_moves_the_jobs_there(
    book, worker, second_worker, community
):
    first = accepted(book(local(3, 10)))
    leaving = first.worker
    other = second_worker if leaving == worker else worker
    leaving.communities.remove(community)
    assert_handed_to(first, other)
    # The other side of the relation: the community's list of workers.
    second = accepted(book(local(4, 10)))
    assert second.worker == other
    community.workers.remove(other)
    second.refresh_from_db()
    # Nobody left who serves the community: escalated, not silently kept.
    assert second.dispatch_requests.filter(status=DispatchRound.Status.ESCALATED).exists()


def test_jobs_elsewhere_and_in_the_past_stay(book, worker, second_worker, other_community):
    appointment = accepted(book(local(3, 10)))
    leaving = appointment.worker
    leaving.communities.remove(other_community)  # a community this job is not in
    appointment.refresh_from_db()
    assert (appointment.worker, appointment.status) == (leaving, Status.ACCEPTED)


def test_deleting_a_worker_with_jobs_is_refused_with_the_jobs_listed(
    client, superuser, book, worker, english
):
    appointment = book(local(3, 10))
    client.force_login(superuser)
    url = f"/django-admin/bookings/worker/{worker.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cannot delete worker" in html
    assert "protected related objects" in html
    assert f"#{appointment.pk} " in html  # the appointment that stands in the way
    client.post(url, {"post": "yes"})
    assert Worker.objects.filter(pk=worker.pk).exists()


def test_deleting_a_workers_user_in_wagtail_is_refused_with_the_jobs_listed(
    client, superuser, book, worker, english
):
    appointment = book(local(3, 10))
    client.force_login(superuser)
    url = f"/cms/users/delete/{worker.user_id}/"
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert Worker.objects.filter(pk=worker.pk).exists()
    html = response.content.decode()
    assert f"#{appointment.pk} " in html
