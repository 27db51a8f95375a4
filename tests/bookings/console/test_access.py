"""Who may enter the console and what they reach: everything outside the user's provider (and,
for a worker, outside their own jobs) is a 404; people without a provider role get a 403 page
that says why."""

import pytest

from bookings.models import Appointment, TimeOff
from tests.bookings.console.conftest import accept
from tests.bookings.factories import WorkerFactory
from tests.support import local

pytestmark = pytest.mark.django_db
Status = Appointment.Status


@pytest.mark.parametrize("persona", ["resident", "outsider", "enterprise_editor"])
def test_people_without_a_provider_role_get_a_clear_refusal(client, request, persona, english):
    client.force_login(request.getfixturevalue(persona))
    for url in ["/provider/", "/provider/hours/", "/provider/team/", "/provider/earnings/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "not linked to a provider" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/provider/")
    assert response.status_code == 302
    assert response["Location"].startswith("/shop/accounts/login/")


def test_a_deactivated_worker_cannot_enter(client, worker):
    worker.is_active = False
    worker.save()
    client.force_login(worker.user)
    assert client.get("/provider/").status_code == 403


def test_a_worker_cannot_open_manager_pages(client, worker, english):
    client.force_login(worker.user)
    for url in ["/provider/team/", "/provider/dispatch/", "/provider/services/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Only your provider&#x27;s managers" in response.content.decode()
    assert client.get("/provider/earnings/").status_code == 403


def test_a_worker_cannot_see_or_act_on_another_workers_job(client, job, worker, second_worker):
    accept(job)
    client.force_login(second_worker.user)
    assert client.get(f"/provider/jobs/{job.pk}/").status_code == 404
    for action in ["check-in", "complete", "no-show"]:
        assert client.post(f"/provider/jobs/{job.pk}/{action}/", {"notes": "x"}).status_code == 404
    job.refresh_from_db()
    assert job.status == Status.ACCEPTED
    # ... nor edit their hours or time off
    off = TimeOff.objects.create(worker=worker, start=local(5, 8), end=local(5, 18))
    assert client.post(f"/provider/time-off/{off.pk}/delete/").status_code == 404
    assert client.get(f"/provider/team/{worker.pk}/hours/").status_code == 403
    assert TimeOff.objects.filter(pk=off.pk).exists()


def test_the_assigned_worker_sees_their_job(client, job, worker):
    client.force_login(worker.user)
    assert client.get(f"/provider/jobs/{job.pk}/").status_code == 200


def test_another_providers_manager_reaches_nothing_of_ours(
    client, job, worker, service, other_provider_world
):
    from marketplace.partner.models import StockRecord

    record = StockRecord.objects.get(product=service)
    client.force_login(other_provider_world["manager"])
    assert client.get(f"/provider/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/provider/team/{worker.pk}/hours/").status_code == 404
    assert client.post(f"/provider/team/{worker.pk}/hours/", {"action": "hours"}).status_code == 404
    assert (
        client.post(
            f"/provider/services/{record.pk}/price/", {f"sr{record.pk}-price": "1"}
        ).status_code
        == 404
    )
    assert client.get(f"/provider/dispatch/{job.pk}/assign/").status_code == 404
    record.refresh_from_db()
    assert str(record.price) == "120.00"
    # Their own pages show only their provider.
    team = client.get("/provider/team/").content.decode()
    assert worker.display_name not in team
    assert other_provider_world["worker"].display_name in team


def test_our_manager_cannot_reach_the_other_providers_job(
    client, provider_manager, other_provider_world
):
    client.force_login(provider_manager)
    their_job = other_provider_world["job"]
    assert client.get(f"/provider/jobs/{their_job.pk}/").status_code == 404
    assert client.get(f"/provider/dispatch/{their_job.pk}/assign/").status_code == 404
    their_worker = other_provider_world["worker"]
    assert client.get(f"/provider/team/{their_worker.pk}/hours/").status_code == 404


def test_a_worker_of_another_provider_cannot_see_our_job(client, job, other_provider_world):
    client.force_login(other_provider_world["worker"].user)
    assert client.get(f"/provider/jobs/{job.pk}/").status_code == 404


def test_a_manager_sees_the_providers_jobs_but_cannot_act_as_the_worker(
    client, job, provider_manager
):
    client.force_login(provider_manager)
    assert client.get(f"/provider/jobs/{job.pk}/").status_code == 200
    assert client.post(f"/provider/jobs/{job.pk}/check-in/").status_code == 403


def test_a_manager_who_also_works_gets_both_menus(
    client, provider, provider_manager, service, community, english
):
    WorkerFactory(
        user=provider_manager,
        provider=provider,
        skills=[service.product_class],
        communities=[community],
    )
    client.force_login(provider_manager)
    page = client.get("/provider/").content.decode()
    assert "My hours" in page and "Earnings" in page
