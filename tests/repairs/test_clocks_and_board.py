"""The clocks run on the enterprise's published promise; a breach escalates once; the board's
repair section shows the same promise and the last 90 days' figures. Times are explicit
(``now=`` a fixed offset from the report), never the time of day."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from oscar.apps.communication.models import Notification
from prometheus_client import REGISTRY

from repairs.board import on_time_figures
from repairs.clocks import clocks_escalate, request_clocks
from repairs.dispatch import offer_accept
from repairs.models import RepairPolicy, RepairRequest
from repairs.services import request_check_in, request_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def stricter(enterprise):
    """This enterprise promises better than the defaults: urgent 5/20 min, normal 60/240."""
    return RepairPolicy.objects.create(
        enterprise=enterprise,
        urgent_take_minutes=5,
        urgent_arrive_minutes=20,
        normal_take_minutes=60,
        normal_arrive_minutes=240,
    )


def report(resident, home, description="漏水"):
    return request_report(
        user=resident, area="home", household=home, category="plumbing", description=description
    )


def test_the_clocks_come_from_the_enterprises_policy(resident, home, stricter):
    urgent = report(resident, home)
    normal = report(resident, home, "门铃不响")
    assert urgent.take_due - urgent.reported_at == timedelta(minutes=5)
    assert urgent.arrive_due - urgent.reported_at == timedelta(minutes=20)
    assert normal.take_due - normal.reported_at == timedelta(minutes=60)
    assert normal.arrive_due - normal.reported_at == timedelta(minutes=240)


def _breaches(clock: str) -> float:
    return (
        REGISTRY.get_sample_value("linli_clock_breaches_total", {"kind": "repair", "clock": clock})
        or 0.0
    )


def test_a_breached_take_clock_escalates_once_to_the_desk_and_the_resident(
    resident, home, desk_staff, commit
):
    repair = report(resident, home)  # urgent: 10 min to take, 30 to arrive
    t0 = repair.reported_at
    breaches_before = {clock: _breaches(clock) for clock in ("take", "arrive")}
    assert [c.state for c in request_clocks(repair, now=t0 + timedelta(minutes=9))] == [
        "running",
        "running",
    ]
    with commit():
        assert clocks_escalate(now=t0 + timedelta(minutes=9)) == 0
        assert clocks_escalate(now=t0 + timedelta(minutes=10, seconds=1)) == 1
        assert clocks_escalate(now=t0 + timedelta(minutes=12)) == 0  # told once
    repair.refresh_from_db()
    assert repair.take_escalated_at == t0 + timedelta(minutes=10, seconds=1)
    assert repair.arrive_escalated_at is None
    assert Notification.objects.filter(recipient=desk_staff).count() == 1
    assert Notification.objects.filter(recipient=resident).count() == 1
    with commit():
        assert clocks_escalate(now=t0 + timedelta(minutes=31)) == 1  # then the arrival clock
    assert Notification.objects.filter(recipient=desk_staff).count() == 2
    # Each breach is counted once on /metrics (linli_clock_breaches_total{kind="repair"}).
    assert {c: _breaches(c) - n for c, n in breaches_before.items()} == {"take": 1, "arrive": 1}
    assert [c.state for c in request_clocks(repair, now=t0 + timedelta(minutes=31))] == [
        "breached",
        "breached",
    ]


def test_a_clock_met_in_time_never_escalates(resident, home, fixer, desk_staff, commit):
    with commit():
        repair = report(resident, home)
    offer_accept(offer_id=repair.offers.get(worker=fixer).pk, worker=fixer)
    request_check_in(request_id=repair.pk, worker=fixer)
    assert clocks_escalate(now=repair.reported_at + timedelta(hours=2)) == 0
    repair.refresh_from_db()
    assert [c.state for c in request_clocks(repair, now=timezone.now())] == ["met", "met"]


def test_the_figures_count_each_step_once_its_clock_is_met_or_has_run_out(
    resident, home, community, fixer
):
    now = timezone.now()

    def past(minutes_ago, taken_after=None, arrived_after=None, status="confirmed"):
        reported = now - timedelta(minutes=minutes_ago)
        return RepairRequest.objects.create(
            community=community,
            area="home",
            household=home,
            category="plumbing",
            description="x",
            urgency="urgent",
            source="app",
            resident=resident,
            entered_by=resident,
            contact_name="王芳",
            contact_phone="13800138001",
            status=status,
            worker=fixer if status != "reported" else None,
            reported_at=reported,
            take_due=reported + timedelta(minutes=10),
            arrive_due=reported + timedelta(minutes=30),
            taken_at=reported + timedelta(minutes=taken_after) if taken_after is not None else None,
            arrived_at=(
                reported + timedelta(minutes=arrived_after) if arrived_after is not None else None
            ),
        )

    past(600, taken_after=5, arrived_after=25)  # on time, both
    past(600, taken_after=15, arrived_after=40)  # late, both
    past(600, taken_after=5, arrived_after=35)  # taken on time, late on site
    past(3, status="reported")  # still inside both clocks: not counted yet
    past(20, status="reported")  # take clock ran out: counted, not on time
    past(91 * 24 * 60, taken_after=1, arrived_after=2)  # older than 90 days
    figures = on_time_figures(community, now=now)
    assert figures.reported == 5
    assert (figures.taken_on_time, figures.take_counted) == (2, 4)
    assert (figures.arrived_on_time, figures.arrive_counted) == (1, 3)
    assert figures.take_rate == 50 and figures.arrive_rate == 33


def test_the_board_shows_the_policy_promise_the_repair_items_and_the_figures(
    client, community, repair_board, stricter, resident, home, commit
):
    report(resident, home)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        page = client.get(repair_board.url).content.decode()
    assert "taken within 5 minutes, on site within 20 minutes" in page
    assert "taken within 1 hour, on site within 4 hours" in page
    assert "Replace a tap" in page and "30.00" in page
    assert 'data-figure="take">0 / 0' in page  # one request, still inside its clocks
    stricter.urgent_take_minutes = 8
    with commit():
        stricter.save()
    page = client.get(repair_board.url).content.decode()
    assert "taken within 8 minutes" in page  # the promise follows the policy at once


def test_the_board_figures_move_when_a_repair_is_taken(
    client, repair_board, resident, home, fixer, commit
):
    with commit():
        repair = report(resident, home)
    before = client.get(repair_board.url).content.decode()
    assert 'data-figure="take">0 / 0' in before
    with commit():
        offer_accept(offer_id=repair.offers.get(worker=fixer).pk, worker=fixer)
    after = client.get(repair_board.url).content.decode()
    assert 'data-figure="take">1 / 1' in after


def test_the_request_page_shows_its_clocks(client, resident, home):
    repair = report(resident, home)
    client.force_login(resident)
    page = client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert page.count('data-clock-state="running"') == 2


def test_a_common_area_repair_paid_from_the_fund_is_disclosed_on_the_board_after_the_work(
    client, repair_board, resident, home, fixer, desk_staff, other_enterprise_staff, commit
):
    from repairs.errors import RepairConflict, RepairError
    from repairs.services import request_complete, request_fund_disclose

    with commit():
        repair = request_report(
            user=resident,
            area="common",
            household=home,
            location="3号楼 屋面",
            category="walls_roof",
            description="屋面漏雨",
        )
    fund_url = reverse("repairs:desk-fund", args=[repair.pk])
    client.force_login(desk_staff)
    # Before the work: refused, nothing written.
    assert client.post(fund_url, {"amount": "3200.00"}).status_code == 409
    offer_accept(offer_id=repair.offers.get(worker=fixer).pk, worker=fixer)
    request_check_in(request_id=repair.pk, worker=fixer)
    request_complete(request_id=repair.pk, worker=fixer, notes="屋面防水补漏")
    assert client.post(fund_url, {"amount": "abc"}).status_code == 400
    client.force_login(other_enterprise_staff)
    assert client.post(fund_url, {"amount": "3200.00"}).status_code == 404
    client.force_login(desk_staff)
    with commit():
        assert client.post(fund_url, {"amount": "3200.00"}).status_code == 302
    repair.refresh_from_db()
    assert str(repair.fund_amount) == "3200.00"
    with pytest.raises(RepairConflict):  # disclosed once; never silently changed
        request_fund_disclose(request_id=repair.pk, staff=desk_staff, amount="1")
    client.logout()
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        page = client.get(repair_board.url).content.decode()
    fund = page[page.index('id="repair-fund-uses"') :]
    assert "3号楼 屋面" in fund and "3,200.00" in fund
    home_repair = report(resident, home)
    with pytest.raises(RepairError):
        request_fund_disclose(request_id=home_repair.pk, staff=desk_staff, amount="10")
