"""Demo workers with weekly hours, so every demo service has free slots in every community
it is offered in; and one booked appointment for the demo resident. Idempotent."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bookings.appointments.one_click import appointment_book
from bookings.availability.search import available_slots
from bookings.exceptions import BookingError
from bookings.models import Appointment, Series, WeeklyHours, Worker
from bookings.series.rules import build_rule
from bookings.series.services import series_create
from cms.boards import BoardIncomplete
from cms.models import FeeBoardPage, PackageOffer
from cms.services import board_publish
from marketplace.catalogue.models import ProductClass
from marketplace.models import Household, User
from marketplace.partner.models import StockRecord
from marketplace.seed_data import DEMO_PASSWORD

# Everyone works 08:00–12:00 and 13:00–20:00; the named demo workers every day, the others
# six days a week (a different day off each), so the calendar looks like a real team's.
SHIFTS = [(time(8), time(12)), (time(13), time(20))]

# The demo logins: which provider they work for.
NAMED_WORKERS = {"worker": "haobangshou", "worker2": "fushoukang", "worker3": "anju-home"}

# Two more workers per provider: (family name, given name).
TEAM_NAMES = [
    ("赵", "磊"),
    ("钱", "慧"),
    ("孙", "海燕"),
    ("周", "斌"),
    ("吴", "婷"),
    ("郑", "勇"),
    ("冯", "梅"),
    ("陈", "刚"),
    ("褚", "兰"),
    ("卫", "东"),
    ("蒋", "红"),
    ("沈", "涛"),
]


def _skills_and_communities(provider):
    records = StockRecord.objects.filter(partner=provider).select_related("product")
    class_ids = {r.product.product_class_id for r in records}
    community_ids = {r.community_id for r in records if r.community_id}
    community_ids |= set(provider.communities.values_list("pk", flat=True))
    return ProductClass.objects.filter(pk__in=class_ids), community_ids


def _worker(user, provider, skills, community_ids, day_off=None) -> Worker:
    worker, _ = Worker.objects.update_or_create(
        user=user, defaults={"provider": provider, "is_active": True}
    )
    worker.skills.set(skills)
    worker.communities.set(community_ids)
    worker.weekly_hours.all().delete()
    WeeklyHours.objects.bulk_create(
        WeeklyHours(worker=worker, weekday=day, start=start, end=end)
        for day in range(7)
        if day != day_off
        for start, end in SHIFTS
    )
    return worker


@transaction.atomic
def seed(ctx) -> None:
    """Two workers per provider plus the named demo workers, each with the provider's skills,
    communities and weekly shifts; then one upcoming appointment for the demo resident
    (``ctx``: a ``marketplace.seed.SeedContext``)."""
    names = iter(TEAM_NAMES)
    for index, (code, provider) in enumerate(sorted(ctx.providers.items())):
        skills, community_ids = _skills_and_communities(provider)
        for n in (1, 2):
            last, first = next(names)
            email = f"{code}.{n}@workers.linli.demo"
            user = User.objects.filter(email=email).first() or User(email=email)
            user.first_name, user.last_name = first, last
            user.phone = f"1370000{index:02d}{n:02d}"
            if not user.pk:  # hashing is slow; a re-run keeps the password it set
                user.set_password(DEMO_PASSWORD)
            user.save()
            _worker(user, provider, skills, community_ids, day_off=(index + n) % 7)
    for role, code in NAMED_WORKERS.items():
        provider = ctx.providers[code]
        skills, community_ids = _skills_and_communities(provider)
        _worker(ctx.users[role], provider, skills, community_ids)
    _book_for_the_demo_resident(ctx)
    _series_for_the_demo_resident(ctx)
    _package_on_the_demo_board(ctx)


def _book_for_the_demo_resident(ctx) -> None:
    """The demo resident has one upcoming cleaning, so My appointments is not empty."""
    resident = ctx.users["resident"]
    if Appointment.objects.filter(resident=resident).exists():
        return
    household = Household.objects.filter(user=resident, is_default=True).first()
    if household is None:
        return
    service = ctx.services["HK-CLEAN2"]
    record = StockRecord.objects.get(product=service, community=household.community)
    slots = available_slots(
        product=service,
        stockrecord=record,
        community=household.community,
        start=timezone.now() + timedelta(days=3),
        max_days=1,
    )
    if slots:
        appointment_book(user=resident, product=service, start=slots[len(slots) // 2].start)


#: The demo resident's regular visits: (service, frequency, weekdays, local time, visits).
DEMO_SERIES = [
    ("ELD-COMPANION", "weekdays", [], time(13), 20, "每个工作日 13:00 居家陪护"),
    ("HK-CLEAN2", "weekly", [1], time(9), 8, "每周二 09:00 日常保洁"),
]


def _series_for_the_demo_resident(ctx) -> None:
    """A weekday eldercare series and a weekly housekeeping series for the demo resident
    (``bookings.series``), so My regular visits shows both; skipped when the service is not
    offered in the resident's community."""
    resident = ctx.users["resident"]
    if Series.objects.filter(resident=resident).exists():
        return
    start = timezone.localdate() + timedelta(days=1)
    for code, frequency, weekdays, at, count, summary in DEMO_SERIES:
        rule = build_rule(
            frequency=frequency, start_date=start, at=at, weekdays=weekdays, count=count
        )
        try:
            with transaction.atomic():
                series_create(user=resident, product=ctx.services[code], rule=rule, summary=summary)
        except (BookingError, KeyError):
            continue


def _package_on_the_demo_board(ctx) -> None:
    """The demo resident's community board publishes an eldercare package (10 visits of 60
    minutes for ¥1,100, valid 180 days), so it can be bought and booked with; skipped when
    the board is not live, already lists a package, or the service is not offered."""
    household = Household.objects.filter(user=ctx.users["resident"], is_default=True).first()
    service = ctx.services.get("ELD-COMPANION")
    if household is None or service is None:
        return
    board = FeeBoardPage.objects.filter(community=household.community, live=True).first()
    if board is None or board.package_offers.exists():
        return
    draft = board.get_latest_revision_as_object()
    draft.package_offers = [
        PackageOffer(
            product=service,
            name="居家陪护 10 次卡",
            name_en="Companion care, 10 visits",
            visits=10,
            minutes=60,
            price=Decimal("1100.00"),
            valid_days=180,
        )
    ]
    try:
        with transaction.atomic():
            board_publish(board=board, draft=draft)
    except BoardIncomplete:
        return
