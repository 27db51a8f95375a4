"""The frame of the benchmark dataset: enterprises, communities, providers, services with their
prices, workers with skills and weekly hours, residents with a default household."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from bookings.models import WeeklyHours, Worker
from marketplace.catalogue.models import (
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductClass,
)
from marketplace.models import Community, Enterprise, Household, User
from marketplace.partner.models import Partner, StockRecord
from marketplace.seed_data import PRODUCT_CLASSES

#: Every scale login's password (residents and workers).
SCALE_PASSWORD = "linli-bench"
#: How the 10 workers of a community split over the 5 kinds of service (index into
#: PRODUCT_CLASSES): eldercare 3, childcare 3, housekeeping 2, express 1, repair 1.
SKILL_PLAN = [0, 0, 0, 1, 1, 1, 2, 2, 3, 4]
#: Minutes of a service, by kind (60 for a kind not listed).
DURATIONS = {"eldercare": 120, "childcare": 180, "housekeeping": 120, "express": 30, "repair": 60}
#: The unit a service is priced by, by kind.
UNITS = {
    "eldercare": "次 / visit",
    "childcare": "次 / visit",
    "housekeeping": "次 / visit",
    "express": "件 / parcel",
    "repair": "次 / call-out",
}
DISTRICTS = ["朝阳区", "海淀区", "东城区", "西城区", "丰台区", "通州区", "昌平区", "大兴区"]
DISTRICTS_EN = [
    "Chaoyang District",
    "Haidian District",
    "Dongcheng District",
    "Xicheng District",
    "Fengtai District",
    "Tongzhou District",
    "Changping District",
    "Daxing District",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["芳", "伟", "秀英", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
#: Rows per INSERT of ``bulk_create``.
BATCH = 5000

Say = Callable[[str], None]


def scale_community_slug(n: int) -> str:
    """The slug of scale community number ``n`` (0-based): ``scale-c007``."""
    return f"scale-c{n:03d}"


def scale_resident_email(community_index: int, n: int) -> str:
    """The email of resident ``n`` (0-based) of scale community ``community_index``."""
    return f"r{community_index:03d}-{n:03d}@residents.scale.linli"


def world_create(n_comm: int, *, say: Say) -> dict:
    """The kinds of service with their attributes (created if missing), ``n_comm // 10``
    enterprises (at least one) each with a provider, and ``n_comm`` communities spread over
    them. Returns {"classes": [(product class, {code: attribute})], "enterprises": [...],
    "communities": [...], "provider_of": community index -> provider}."""
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
            district_en=DISTRICTS_EN[c % len(DISTRICTS)],
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
    say(f"{len(enterprises)} enterprises, {n_comm} communities, {n_ent} providers")
    return {
        "classes": classes,
        "enterprises": enterprises,
        "communities": communities,
        "provider_of": lambda c: providers[c % n_ent],
    }


def services_create(world: dict, per_community: int, *, say: Say) -> dict:
    """``per_community`` services priced in each community (yuan, 60 to 190): {(community idx,
    class idx): [(product, stockrecord, minutes)]}."""
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
    say(f"{len(products)} services with attributes and prices")
    return out


def _people(emails: list[str], names) -> list[User]:
    """Users with these emails and (surname, given name) pairs, password ``SCALE_PASSWORD``."""
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


def _name(rng) -> tuple[str, str]:
    """A random (surname, given name)."""
    return rng.choice(SURNAMES), rng.choice(GIVEN)


def workers_create(world: dict, per_community: int, *, rng, say: Say) -> dict:
    """``per_community`` workers in each community, skilled as ``SKILL_PLAN`` says, working
    08:00-20:00 every day: {(community idx, class idx): [worker, ...]}."""
    communities, classes = world["communities"], world["classes"]
    emails = [
        f"w{c:03d}-{j:02d}@workers.scale.linli"
        for c in range(len(communities))
        for j in range(per_community)
    ]
    users = _people(emails, [_name(rng) for _ in emails])
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
            WeeklyHours(worker=worker, weekday=day, start=time(8), end=time(20)) for day in range(7)
        ]
        by_key.setdefault((c, k), []).append(worker)
    Worker.skills.through.objects.bulk_create(skills, batch_size=BATCH)
    Worker.communities.through.objects.bulk_create(served, batch_size=BATCH)
    WeeklyHours.objects.bulk_create(hours, batch_size=BATCH)
    say(f"{len(workers)} workers with skills, communities and weekly hours")
    return by_key


def residents_create(world: dict, per_community: int, *, rng, say: Say) -> dict:
    """``per_community`` residents in each community, each with a default household:
    {community idx: [(user, household), ...]}."""
    communities = world["communities"]
    emails = [
        scale_resident_email(c, n) for c in range(len(communities)) for n in range(per_community)
    ]
    names = [_name(rng) for _ in emails]
    users = _people(emails, names)
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
    say(f"{len(users)} residents with a default household")
    return out
