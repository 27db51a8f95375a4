"""``manage.py seed_scale``: a large, realistic dataset for the benchmarks (PostgreSQL).

Defaults: 100 communities (10 enterprises of 10), 10,000 services (100 priced in each
community), 1,000 workers (10 per community, with weekly hours), 10,000 residents with a
default household, and 100,000 past and future appointments (one per worker per day over
70 past and 30 coming days), each with its Oscar order and line, and a published fee board
per community so that the price gate passes for benchmark bookings.

Rows are written with ``bulk_create`` in large batches; only the fee boards go through
Wagtail (``cms.services``), one publish per community. The appointments respect the
no-double-booking exclusion constraint by construction: a worker has at most one active
appointment a day, between 08:00 and 19:15 local time.

Skills are deliberately uneven: in every community the express and repair services have a
single qualified worker, so a "hot slot" has exactly one winner.

Idempotent in the coarse sense: when scale data exists already the command says so and stops.
"""

from __future__ import annotations

import random
import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from marketplace.catalogue.models import (
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductClass,
)
from marketplace.models import Community, Enterprise, Household, User
from marketplace.partner.models import Partner, StockRecord
from marketplace.seed import PRODUCT_CLASSES

#: Every scale login's password (residents and workers).
SCALE_PASSWORD = "linli-bench"
#: How the 10 workers of a community split over the 5 kinds of service (index into
#: PRODUCT_CLASSES): eldercare 3, childcare 3, housekeeping 2, express 1, repair 1.
SKILL_PLAN = [0, 0, 0, 1, 1, 1, 2, 2, 3, 4]
DURATIONS = {"eldercare": 120, "childcare": 180, "housekeeping": 120, "express": 30, "repair": 60}
UNITS = {
    "eldercare": "次 / visit",
    "childcare": "次 / visit",
    "housekeeping": "次 / visit",
    "express": "件 / parcel",
    "repair": "次 / call-out",
}
DISTRICTS = ["朝阳区", "海淀区", "东城区", "西城区", "丰台区", "通州区", "昌平区", "大兴区"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["芳", "伟", "秀英", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
BATCH = 5000
PAST_DAYS = 70


def scale_community_slug(n: int) -> str:
    return f"scale-c{n:03d}"


def scale_resident_email(community_index: int, n: int) -> str:
    return f"r{community_index:03d}-{n:03d}@residents.scale.linli"


def local_tz():
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


class Command(BaseCommand):
    help = "Generate the benchmark dataset (100 communities, 10,000 services, ...) on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=100)
        parser.add_argument("--services", type=int, default=10_000)
        parser.add_argument("--workers", type=int, default=1_000)
        parser.add_argument("--appointments", type=int, default=100_000)
        parser.add_argument("--residents-per-community", type=int, default=100)
        parser.add_argument(
            "--no-boards", action="store_true", help="skip publishing the fee boards"
        )
        parser.add_argument("--seed", type=int, default=8, help="random seed")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL: set DATABASE_URL=postgres://...")
        self.t0 = clock.monotonic()
        if Community.objects.filter(slug=scale_community_slug(0)).exists():
            if not opts["no_boards"]:
                self._boards(Community.objects.filter(slug__startswith="scale-c").order_by("slug"))
            self.stdout.write("Scale data is already there; nothing more to do.")
            return
        n_comm = opts["communities"]
        if opts["workers"] % n_comm or opts["services"] % n_comm:
            raise CommandError("--workers and --services must be multiples of --communities")
        self.rng = random.Random(opts["seed"])
        with transaction.atomic():
            world = self._world(n_comm)
            products = self._services(world, opts["services"] // n_comm)
            workers = self._workers(world, opts["workers"] // n_comm)
            residents = self._residents(world, opts["residents_per_community"])
            count = self._appointments(world, products, workers, residents, opts["appointments"])
        if not opts["no_boards"]:
            self._boards(world["communities"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data ready in {clock.monotonic() - self.t0:.0f} s: {n_comm} communities, "
                f"{opts['services']} services, {opts['workers']} workers, "
                f"{n_comm * opts['residents_per_community']} residents, {count} appointments. "
                f"Password of every scale login: '{SCALE_PASSWORD}'."
            )
        )

    def _say(self, what: str) -> None:
        self.stdout.write(f"  [{clock.monotonic() - self.t0:6.1f} s] {what}")

    # --- the frame ------------------------------------------------------------------------

    def _world(self, n_comm: int) -> dict:
        classes = []
        for slug, zh, en in PRODUCT_CLASSES:
            pc, _ = ProductClass.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": zh,
                    "name_en": en,
                    "requires_shipping": False,
                    "track_stock": False,
                },
            )
            attrs = {}
            for code, name, type_ in (
                ("duration_minutes", "时长（分钟） Duration (minutes)", "integer"),
                ("unit", "计价单位 Unit", "text"),
                ("cancellation_fee", "取消费（元） Cancellation fee (CNY)", "float"),
            ):
                attrs[code], _ = ProductAttribute.objects.get_or_create(
                    product_class=pc, code=code, defaults={"name": name, "type": type_}
                )
            classes.append((pc, attrs))
        n_ent = max(1, n_comm // 10)
        enterprises = Enterprise.objects.bulk_create(
            Enterprise(
                slug=f"scale-e{e:02d}",
                name=f"规模测试物业{e:02d}有限公司",
                name_en=f"Scale Property {e:02d} Co., Ltd.",
                phone=f"010-6400 {e:04d}",
                complaint_phone=f"010-6499 {e:04d}",
                address=f"北京市朝阳区测试路 {e + 1} 号",
            )
            for e in range(n_ent)
        )
        communities = Community.objects.bulk_create(
            Community(
                enterprise=enterprises[c % n_ent],
                slug=scale_community_slug(c),
                name=f"邻里{c:03d}号小区",
                name_en=f"Linli Estate {c:03d}",
                district=DISTRICTS[c % len(DISTRICTS)],
                address=f"北京市{DISTRICTS[c % len(DISTRICTS)]}邻里路 {c + 1} 号",
            )
            for c in range(n_comm)
        )
        providers = Partner.objects.bulk_create(
            Partner(
                code=f"scale-p{e:02d}",
                name=f"规模测试家政{e:02d}",
                name_en=f"Scale Home Services {e:02d}",
                kind=Partner.Kind.ENTERPRISE,
                enterprise=enterprise,
                phone=f"400-600 {e:04d}",
            )
            for e, enterprise in enumerate(enterprises)
        )
        Partner.communities.through.objects.bulk_create(
            Partner.communities.through(partner=providers[c % n_ent], community=community)
            for c, community in enumerate(communities)
        )
        self._say(f"{len(enterprises)} enterprises, {n_comm} communities, {n_ent} providers")
        return {
            "classes": classes,
            "enterprises": enterprises,
            "communities": communities,
            "provider_of": lambda c: providers[c % n_ent],
        }

    def _services(self, world, per_community: int) -> dict:
        """``per_community`` services priced in each community: {(community idx, class idx): [
        (product, stockrecord, minutes)]}."""
        classes, communities = world["classes"], world["communities"]
        plan = []
        for c, _community in enumerate(communities):
            for i in range(per_community):
                k = i % len(classes)
                plan.append((c, k, i))
        products = []
        for c, k, i in plan:
            pc, _attrs = classes[k]
            slug = pc.slug
            products.append(
                Product(
                    title=f"{pc.name}{c:03d}-{i:03d}",
                    title_en=f"{pc.name_en} {c:03d}-{i:03d}",
                    slug=f"{slug}-{c:03d}-{i:03d}",
                    upc=f"SC-{c:03d}-{i:03d}",
                    description=f"{pc.name}：上门服务，按公示价格收费。",
                    description_en=f"{pc.name_en}: at your home, at the published price.",
                    product_class=pc,
                    structure=Product.STANDALONE,
                    is_public=True,
                )
            )
        products = Product.objects.bulk_create(products, batch_size=BATCH)
        values, records, out = [], [], {}
        for (c, k, i), product in zip(plan, products, strict=True):
            pc, attrs = classes[k]
            minutes = DURATIONS.get(pc.slug, 60)
            values += [
                ProductAttributeValue(
                    product=product, attribute=attrs["duration_minutes"], value_integer=minutes
                ),
                ProductAttributeValue(
                    product=product, attribute=attrs["unit"], value_text=UNITS.get(pc.slug, "次")
                ),
                ProductAttributeValue(
                    product=product, attribute=attrs["cancellation_fee"], value_float=20.0
                ),
            ]
            price = Decimal(60 + 10 * (i % 12) + 5 * k)
            records.append(
                StockRecord(
                    product=product,
                    partner=world["provider_of"](c),
                    community=world["communities"][c],
                    partner_sku=f"SC-{c:03d}-{i:03d}",
                    price_currency="CNY",
                    price=price,
                )
            )
        ProductAttributeValue.objects.bulk_create(values, batch_size=BATCH)
        records = StockRecord.objects.bulk_create(records, batch_size=BATCH)
        for (c, k, _i), product, record in zip(plan, products, records, strict=True):
            minutes = DURATIONS.get(classes[k][0].slug, 60)
            out.setdefault((c, k), []).append((product, record, minutes))
        self._say(f"{len(products)} services with attributes and prices")
        return out

    def _people(self, emails: list[str], names) -> list[User]:
        password = make_password(SCALE_PASSWORD)  # one hash, shared: hashing 10k is minutes
        return User.objects.bulk_create(
            (
                User(
                    email=email,
                    first_name=given,
                    last_name=surname,
                    phone=f"13{n % 10}{n:08d}"[:11],
                    password=password,
                )
                for n, (email, (surname, given)) in enumerate(zip(emails, names, strict=True))
            ),
            batch_size=BATCH,
        )

    def _name(self):
        return self.rng.choice(SURNAMES), self.rng.choice(GIVEN)

    def _workers(self, world, per_community: int) -> dict:
        """{(community idx, class idx): [worker, ...]}."""
        from bookings.models import WeeklyHours, Worker

        communities, classes = world["communities"], world["classes"]
        emails = [
            f"w{c:03d}-{j:02d}@workers.scale.linli"
            for c in range(len(communities))
            for j in range(per_community)
        ]
        users = self._people(emails, [self._name() for _ in emails])
        workers = Worker.objects.bulk_create(
            (
                Worker(user=user, provider=world["provider_of"](n // per_community))
                for n, user in enumerate(users)
            ),
            batch_size=BATCH,
        )
        skills, served, hours, by_key = [], [], [], {}
        for n, worker in enumerate(workers):
            c, j = divmod(n, per_community)
            k = SKILL_PLAN[j % len(SKILL_PLAN)] % len(classes)
            skills.append(Worker.skills.through(worker=worker, productclass=classes[k][0]))
            served.append(Worker.communities.through(worker=worker, community=communities[c]))
            hours += [
                WeeklyHours(worker=worker, weekday=day, start=time(8), end=time(20))
                for day in range(7)
            ]
            by_key.setdefault((c, k), []).append(worker)
        Worker.skills.through.objects.bulk_create(skills, batch_size=BATCH)
        Worker.communities.through.objects.bulk_create(served, batch_size=BATCH)
        WeeklyHours.objects.bulk_create(hours, batch_size=BATCH)
        self._say(f"{len(workers)} workers with skills, communities and weekly hours")
        return by_key

    def _residents(self, world, per_community: int) -> dict:
        """{community idx: [(user, household), ...]}."""
        communities = world["communities"]
        emails = [
            scale_resident_email(c, n)
            for c in range(len(communities))
            for n in range(per_community)
        ]
        names = [self._name() for _ in emails]
        users = self._people(emails, names)
        households = Household.objects.bulk_create(
            (
                Household(
                    user=user,
                    community=communities[n // per_community],
                    building=str(1 + n % 12),
                    unit=str(1 + n % 4),
                    room=f"{1 + n % 18}0{1 + n % 4}",
                    contact_name=f"{surname}{given}",
                    contact_phone=user.phone,
                    is_default=True,
                )
                for n, (user, (surname, given)) in enumerate(zip(users, names, strict=True))
            ),
            batch_size=BATCH,
        )
        out = {}
        for n, (user, household) in enumerate(zip(users, households, strict=True)):
            out.setdefault(n // per_community, []).append((user, household))
        self._say(f"{len(users)} residents with a default household")
        return out

    # --- appointments, with their Oscar orders and lines ------------------------------------

    def _appointments(self, world, products, workers, residents, total: int) -> int:
        from oscar.apps.order.models import Line, Order

        from bookings.models import Appointment
        from marketplace.policy import TRAVEL_BUFFER

        tz = local_tz()
        now = timezone.now()
        today = timezone.localdate()
        all_workers = [
            (c, k, w) for (c, k), ws in sorted(workers.items(), key=lambda kv: kv[0]) for w in ws
        ]
        days = max(1, -(-total // max(1, len(all_workers))))
        past_days = min(PAST_DAYS, max(0, days - 30))
        rng = self.rng
        plan = []
        for offset in range(-past_days, days - past_days):
            day = today + timedelta(days=offset)
            for c, k, worker in all_workers:
                if len(plan) >= total:
                    break
                choices = products.get((c, k))
                if not choices or not residents.get(c):
                    continue
                product, record, minutes = rng.choice(choices)
                last_start = 19 * 60 - minutes  # end by 19:00, busy until 19:15 at most
                start_min = 8 * 60 + 30 * rng.randrange(0, (last_start - 8 * 60) // 30 + 1)
                start = datetime.combine(day, time(start_min // 60, start_min % 60), tzinfo=tz)
                user, household = rng.choice(residents[c])
                plan.append((c, worker, product, record, minutes, start, user, household))
        self._say(f"planned {len(plan)} appointments over {days} days")

        def status_of(start, end):
            if end <= now:
                return "completed" if rng.random() > 0.08 else "cancelled"
            if start <= now:
                return "in_progress"
            return "confirmed"

        order_status = {
            "completed": "Completed",
            "cancelled": "Cancelled",
            "in_progress": "In progress",
            "confirmed": "Confirmed",
        }
        created = 0
        for chunk_start in range(0, len(plan), 20_000):
            chunk = plan[chunk_start : chunk_start + 20_000]
            statuses = []
            orders = []
            for n, (_c, _w, _p, record, minutes, start, user, _h) in enumerate(chunk):
                end = start + timedelta(minutes=minutes)
                status = status_of(start, end)
                statuses.append(status)
                orders.append(
                    Order(
                        number=f"SC{chunk_start + n + 1:08d}",
                        user=user,
                        currency="CNY",
                        total_incl_tax=record.price,
                        total_excl_tax=record.price,
                        shipping_incl_tax=0,
                        shipping_excl_tax=0,
                        shipping_method="No shipping required",
                        shipping_code="no-shipping-required",
                        status=order_status[status],
                        guest_email="",
                        date_placed=start - timedelta(days=2),
                    )
                )
            orders = Order.objects.bulk_create(orders, batch_size=BATCH)
            lines = Line.objects.bulk_create(
                (
                    Line(
                        order=order,
                        partner=record.partner,
                        partner_name=record.partner.name,
                        partner_sku=record.partner_sku,
                        partner_line_reference="",
                        partner_line_notes="",
                        stockrecord=record,
                        product=product,
                        title=product.title,
                        upc=product.upc,
                        quantity=1,
                        line_price_incl_tax=record.price,
                        line_price_excl_tax=record.price,
                        line_price_before_discounts_incl_tax=record.price,
                        line_price_before_discounts_excl_tax=record.price,
                        unit_price_incl_tax=record.price,
                        unit_price_excl_tax=record.price,
                        status=order.status,
                        num_allocated=0,
                    )
                    for order, (_c, _w, product, record, *_rest) in zip(orders, chunk, strict=True)
                ),
                batch_size=BATCH,
            )
            Appointment.objects.bulk_create(
                (
                    Appointment(
                        resident=user,
                        household=household,
                        community_id=household.community_id,
                        product=product,
                        stockrecord=record,
                        order=order,
                        line=line,
                        worker=worker,
                        start=start,
                        end=start + timedelta(minutes=minutes),
                        busy_until=start + timedelta(minutes=minutes) + TRAVEL_BUFFER,
                        status=status,
                        price=record.price,
                        cancellation_fee=Decimal("20.00"),
                    )
                    for (
                        _c,
                        worker,
                        product,
                        record,
                        minutes,
                        start,
                        user,
                        household,
                    ), order, line, status in zip(chunk, orders, lines, statuses, strict=True)
                ),
                batch_size=BATCH,
            )
            created += len(chunk)
            self._say(f"{created} appointments with orders and lines")
        return created

    # --- fee boards ------------------------------------------------------------------------------

    def _boards(self, communities) -> None:
        """A complete published board per community that has none live, through Wagtail (one
        publish each). Wagtail's reference index (the admin's "usage" counts) is not updated:
        it walks every board's relations on each save and would make this step minutes long.
        """
        from wagtail.signal_handlers import disable_reference_index_auto_update

        from cms.models import FeeBoardPage
        from cms.seed import board_complete_demo_content
        from cms.services import board_ensure, board_publish

        live = set(FeeBoardPage.objects.filter(live=True).values_list("community_id", flat=True))
        todo = [c for c in communities if c.pk not in live]
        with disable_reference_index_auto_update():
            for n, community in enumerate(todo, start=1):
                board = board_ensure(community=community)
                draft = board_complete_demo_content(board.get_latest_revision_as_object())
                board_publish(board=board, draft=draft)
                if n % 25 == 0 or n == len(todo):
                    self._say(f"{n} fee boards published")
