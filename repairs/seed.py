"""Demo data for repairs (``manage.py seed_demo``; idempotent): each enterprise's promise, a
maintenance worker login (``fixer@linli.demo``, of 安居到家服务中心, the enterprise-run provider
of 望京花园 and 清河嘉园), and 60 days of repair history per community so every board's repair
section shows how the promise was kept.
"""

from __future__ import annotations

import random
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from bookings.models import WeeklyHours, Worker
from marketplace.models import Household, User
from marketplace.seed import DEMO_PASSWORD
from repairs.models import RepairEvent, RepairPolicy, RepairRequest

#: The enterprises' promises: (urgent take, urgent arrive, normal take, normal arrive) minutes.
POLICIES = {"anju": (10, 30, 120, 1440), "jinghua": (8, 25, 90, 720)}

HISTORY = [
    ("plumbing", "home", "卫生间水龙头一直滴水", False),
    ("electrical", "home", "厨房插座没电", False),
    ("plumbing", "home", "厨房水管漏水", True),
    ("facilities", "common", "楼道声控灯不亮", False),
    ("lifts", "common", "2 号电梯门关不上", False),
    ("doors_windows", "home", "入户门锁不好用", False),
    ("walls_roof", "common", "顶层楼道墙面渗水", True),
    ("fire_safety", "common", "消防栓箱门损坏", True),
]


def _fixer(ctx) -> None:
    provider = ctx.providers.get("anju-home")
    if provider is None:
        return
    user = User.objects.filter(email="fixer@linli.demo").first()
    if user is None:
        user = User(
            email="fixer@linli.demo", first_name="师傅", last_name="张", phone="13700137009"
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    worker, created = Worker.objects.get_or_create(user=user, defaults={"provider": provider})
    worker.communities.set(provider.communities.all())
    if created:
        WeeklyHours.objects.bulk_create(
            WeeklyHours(worker=worker, weekday=day, start=time(0), end=time(23, 59, 59))
            for day in range(7)
        )


def _history(community) -> None:
    if RepairRequest.objects.filter(community=community).exists():
        return
    workers = list(
        Worker.objects.filter(
            provider__kind="enterprise",
            provider__enterprise=community.enterprise,
            communities=community,
        )
    )
    household = Household.objects.filter(community=community).first()
    # Without a resident's home the history is of common areas, entered by the desk.
    desk = community.enterprise.staff.first()
    reporter = household.user if household is not None else desk
    if not workers or reporter is None:
        return
    policy = RepairPolicy.objects.filter(enterprise=community.enterprise).first()
    rng = random.Random(community.slug)
    now = timezone.now()
    for i in range(24):
        category, area, text, urgent = HISTORY[i % len(HISTORY)]
        if household is None:
            area = "common"
        urgency = "urgent" if urgent else "normal"
        take_m, arrive_m = policy.minutes(urgency) if policy else (120, 1440)
        reported = now - timedelta(days=rng.uniform(2, 60))
        # Most promises kept; about one in six late at each step.
        took = take_m * (rng.uniform(1.1, 1.8) if rng.random() < 0.15 else rng.uniform(0.2, 0.9))
        came = arrive_m * (
            rng.uniform(1.05, 1.5) if rng.random() < 0.15 else rng.uniform(0.4, 0.95)
        )
        came = max(came, took + 5)
        taken_at = reported + timedelta(minutes=took)
        arrived_at = reported + timedelta(minutes=came)
        repair = RepairRequest.objects.create(
            community=community,
            area=area,
            household=household if area == "home" else None,
            location="" if area == "home" else "3号楼 1层",
            category=category,
            description=text,
            urgency=urgency,
            urgency_by_rule=urgent,
            source="app" if household is not None else "phone",
            resident=household.user if household is not None else None,
            entered_by=reporter,
            contact_name=household.contact_name if household is not None else "物业客服",
            contact_phone=household.contact_phone if household is not None else "010-6000 0000",
            status="confirmed",
            # One roof leak paid from the maintenance fund, disclosed after the work.
            fund_amount=Decimal("4800.00") if area == "common" and i == 6 else None,
            fund_disclosed_at=arrived_at + timedelta(days=1)
            if area == "common" and i == 6
            else None,
            worker=workers[i % len(workers)],
            reported_at=reported,
            take_due=reported + timedelta(minutes=take_m),
            arrive_due=reported + timedelta(minutes=arrive_m),
            taken_at=taken_at,
            arrived_at=arrived_at,
            completed_at=arrived_at + timedelta(minutes=40),
            closed_at=arrived_at + timedelta(hours=3),
            completion_notes="已修复",
        )
        RepairEvent.objects.create(request=repair, to_status="reported", at=reported)
        RepairEvent.objects.create(
            request=repair, from_status="completed", to_status="confirmed", at=repair.closed_at
        )


def seed(ctx) -> None:
    """The promises, the demo maintenance worker and each community's repair history."""
    for slug, minutes in POLICIES.items():
        enterprise = ctx.enterprises.get(slug)
        if enterprise is None:
            continue
        RepairPolicy.objects.update_or_create(
            enterprise=enterprise,
            defaults=dict(
                zip(
                    (
                        "urgent_take_minutes",
                        "urgent_arrive_minutes",
                        "normal_take_minutes",
                        "normal_arrive_minutes",
                    ),
                    minutes,
                    strict=True,
                )
            ),
        )
    _fixer(ctx)
    for community in ctx.communities.values():
        _history(community)
