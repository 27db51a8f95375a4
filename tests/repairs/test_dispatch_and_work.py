"""Dispatch to maintenance workers and the work itself: who is offered a repair, accept,
decline, expiry, re-dispatch, escalation to the desk, the desk's assignment, the worker's steps
on the console, the resident's confirm and reopen."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.apps.communication.models import Notification

from bookings.models import TimeOff
from marketplace.policy import LOCAL_TZ
from repairs.dispatch import (
    eligible_workers,
    offer_accept,
    offer_decline,
    offers_expire,
    request_assign,
)
from repairs.errors import RepairConflict, RepairError
from repairs.models import RepairOffer, RepairRequest
from repairs.services import (
    request_cancel,
    request_check_in,
    request_complete,
    request_confirm,
    request_on_the_way,
    request_reopen,
    request_report,
)
from tests.bookings.factories import WorkerFactory
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leak(resident, home, fixer, second_fixer, commit):
    with commit():
        return request_report(
            user=resident, area="home", household=home, category="plumbing", description="漏水"
        )


def offer_of(repair, worker):
    return RepairOffer.objects.get(request=repair, worker=worker, status="open")


def test_only_the_enterprises_own_workers_on_duty_serving_the_community_are_offered(
    resident, home, fixer, enterprise, community, maintenance, provider, other_community, commit
):
    """Not a third-party provider's worker, not one serving another community, not one off
    duty or on time off."""
    third_party = WorkerFactory(provider=provider, communities=[community])
    elsewhere = WorkerFactory(provider=maintenance, communities=[other_community])
    off_duty = WorkerFactory(provider=maintenance, communities=[community], hours=[])
    away = WorkerFactory(provider=maintenance, communities=[community])
    now = timezone.now()
    TimeOff.objects.create(worker=away, start=now - timedelta(hours=1), end=now + timedelta(days=1))
    other_enterprise = PartnerFactory(kind="enterprise", communities=[community])
    foreign = WorkerFactory(provider=other_enterprise, communities=[community])
    with commit():
        repair = request_report(
            user=resident, area="home", household=home, category="plumbing", description="漏水"
        )
    offered = set(repair.offers.values_list("worker_id", flat=True))
    assert offered == {fixer.pk}
    assert not offered & {third_party.pk, elsewhere.pk, off_duty.pk, away.pk, foreign.pk}


def test_on_duty_follows_the_workers_weekly_hours_in_local_time(leak, maintenance, community):
    day_worker = WorkerFactory(
        provider=maintenance,
        communities=[community],
        hours=[(d, time(8), time(18)) for d in range(7)],
    )
    today = timezone.localdate()
    at_ten = datetime.combine(today, time(10), tzinfo=LOCAL_TZ)
    at_night = datetime.combine(today, time(22), tzinfo=LOCAL_TZ)
    assert day_worker in eligible_workers(leak, now=at_ten)
    assert day_worker not in eligible_workers(leak, now=at_night)


def test_the_first_to_accept_takes_it_and_the_other_offers_are_withdrawn(leak, fixer, second_fixer):
    repair = offer_accept(offer_id=offer_of(leak, fixer).pk, worker=fixer)
    assert repair.status == "accepted" and repair.worker == fixer and repair.taken_at
    assert RepairOffer.objects.get(request=leak, worker=second_fixer).status == "withdrawn"
    with pytest.raises(RepairConflict):
        offer_accept(
            offer_id=RepairOffer.objects.get(request=leak, worker=second_fixer).pk,
            worker=second_fixer,
        )
    assert RepairRequest.objects.get(pk=leak.pk).worker == fixer


def test_a_worker_cannot_accept_someone_elses_offer(leak, fixer, second_fixer):
    with pytest.raises(RepairConflict):
        offer_accept(offer_id=offer_of(leak, fixer).pk, worker=second_fixer)
    assert RepairRequest.objects.get(pk=leak.pk).status == "reported"


def test_declines_and_expiry_escalate_to_the_desk_when_nobody_is_left(
    leak, fixer, second_fixer, desk_staff, commit
):
    with commit():
        offer_decline(offer_id=offer_of(leak, fixer).pk, worker=fixer)
    assert RepairOffer.objects.filter(request=leak, status="open").count() == 1
    # The second offer lapses: nobody untried is left, so the desk is told (once).
    later = timezone.now() + timedelta(minutes=20)
    with commit():
        assert offers_expire(now=later) == 1
        assert offers_expire(now=later) == 0
    leak.refresh_from_db()
    assert leak.status == "reported" and leak.no_worker_escalated_at == later
    assert Notification.objects.filter(recipient=desk_staff).count() == 1


def test_an_expired_offer_goes_to_a_worker_who_came_on_duty(
    leak, fixer, second_fixer, maintenance, community, commit
):
    offer_decline(offer_id=offer_of(leak, fixer).pk, worker=fixer)
    newcomer = WorkerFactory(
        provider=maintenance,
        communities=[community],
        hours=[(d, time(0), time(23, 59, 59)) for d in range(7)],
    )
    later = timezone.now() + timedelta(minutes=20)
    offers_expire(now=later)
    assert RepairOffer.objects.filter(request=leak, status="open").get().worker == newcomer


def test_the_desk_assigns_manually_and_not_a_closed_request(
    leak, fixer, second_fixer, desk_staff, resident
):
    repair = request_assign(request_id=leak.pk, worker_id=second_fixer.pk, by=desk_staff)
    assert repair.worker == second_fixer and repair.status == "accepted"
    assert not RepairOffer.objects.filter(request=leak, status="open").exists()
    request_cancel(request_id=leak.pk, user=desk_staff)
    with pytest.raises(RepairConflict):
        request_assign(request_id=leak.pk, worker_id=fixer.pk, by=desk_staff)


def test_the_desk_cannot_assign_a_worker_who_is_not_its_maintenance_worker(
    leak, worker, desk_staff
):
    with pytest.raises(RepairError):
        request_assign(request_id=leak.pk, worker_id=worker.pk, by=desk_staff)
    assert RepairRequest.objects.get(pk=leak.pk).worker is None


def test_the_worker_steps_then_the_resident_confirms(leak, fixer, resident):
    offer_accept(offer_id=offer_of(leak, fixer).pk, worker=fixer)
    request_on_the_way(request_id=leak.pk, worker=fixer)
    request_check_in(request_id=leak.pk, worker=fixer)
    repair = request_complete(request_id=leak.pk, worker=fixer, notes="换了角阀")
    assert repair.status == "completed" and repair.arrived_at and repair.completed_at
    repair = request_confirm(request_id=leak.pk, user=resident)
    assert repair.status == "confirmed" and repair.closed_at
    assert list(repair.events.values_list("to_status", flat=True)) == [
        "reported",
        "accepted",
        "on_the_way",
        "on_site",
        "completed",
        "confirmed",
    ]
    with pytest.raises(RepairConflict):
        request_check_in(request_id=leak.pk, worker=fixer)


def test_a_reopened_repair_goes_back_to_dispatch_with_fresh_clocks(leak, fixer, resident, commit):
    offer_accept(offer_id=offer_of(leak, fixer).pk, worker=fixer)
    request_check_in(request_id=leak.pk, worker=fixer)
    request_complete(request_id=leak.pk, worker=fixer, notes="紧了螺丝")
    with pytest.raises(RepairError):
        request_reopen(request_id=leak.pk, user=resident, reason="")
    with commit():
        repair = request_reopen(request_id=leak.pk, user=resident, reason="还在漏")
    assert repair.status == "reported" and repair.worker is None and repair.reopen_count == 1
    assert repair.take_due > leak.take_due
    assert RepairOffer.objects.filter(request=leak, status="open").count() == 2


def test_the_console_journey_on_a_phone_sized_page(client, leak, fixer, resident):
    client.force_login(fixer.user)
    home = client.get(reverse("repairs:worker-home"))
    assert home.status_code == 200 and f"#{leak.pk}" in home.content.decode()
    for step in ("job-accept", "job-on-the-way", "job-check-in"):
        response = client.post(reverse(f"repairs:{step}", args=[leak.pk]))
        assert response.status_code == 302, step
    response = client.post(reverse("repairs:job-complete", args=[leak.pk]), {"notes": "换垫片"})
    assert response.status_code == 302
    client.force_login(resident)
    assert client.post(reverse("repairs:confirm", args=[leak.pk])).status_code == 302
    assert RepairRequest.objects.get(pk=leak.pk).status == "confirmed"


def test_a_step_on_a_closed_request_is_a_409_and_changes_nothing(client, leak, fixer, resident):
    request_cancel(request_id=leak.pk, user=resident)
    client.force_login(resident)
    assert client.post(reverse("repairs:confirm", args=[leak.pk])).status_code == 409
    client.force_login(fixer.user)
    # The offer was withdrawn with the cancellation: no longer the worker's to see.
    assert client.post(reverse("repairs:job-accept", args=[leak.pk])).status_code == 404
    assert RepairRequest.objects.get(pk=leak.pk).status == "cancelled"
