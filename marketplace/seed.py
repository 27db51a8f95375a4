"""Demo data for ``manage.py seed_demo``: idempotent, real-sounding, in Chinese and English.

Apps add their own demo data through a ``seed(ctx)`` function in ``<app>/seed.py``; this
module builds the shared frame (enterprises, communities, providers, services, prices, people)
and hands it to them in ``ctx``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from marketplace.catalogue.models import (
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductClass,
)
from marketplace.models import Community, Enterprise, Household, User
from marketplace.partner.models import Partner, StockRecord

DEMO_PASSWORD = "linli-demo"

ENTERPRISES = [
    dict(
        slug="anju",
        name="北京安居物业服务有限公司",
        name_en="Beijing Anju Property Services Co., Ltd.",
        credit_code="91110105MA01ANJU8X",
        phone="010-6478 2200",
        complaint_phone="010-6478 2299",
        address="北京市朝阳区望京街道阜通东大街 6 号",
    ),
    dict(
        slug="jinghua",
        name="京华物业管理有限公司",
        name_en="Jinghua Property Management Co., Ltd.",
        credit_code="91110101MA02JHWY3K",
        phone="010-8402 1100",
        complaint_phone="010-8402 1199",
        address="北京市东城区和平里东街 15 号",
    ),
]

COMMUNITIES = [
    dict(
        slug="wangjing-garden",
        enterprise="anju",
        name="望京花园",
        name_en="Wangjing Garden",
        district="朝阳区",
        address="北京市朝阳区望京街道望京西路 48 号",
    ),
    dict(
        slug="qinghe",
        enterprise="anju",
        name="清河嘉园",
        name_en="Qinghe Jiayuan",
        district="海淀区",
        address="北京市海淀区清河街道清河中街 68 号",
    ),
    dict(
        slug="hepingli",
        enterprise="jinghua",
        name="和平里小区",
        name_en="Hepingli Residence",
        district="东城区",
        address="北京市东城区和平里北街 9 号",
    ),
    dict(
        slug="fangchengyuan",
        enterprise="jinghua",
        name="芳城园",
        name_en="Fangchengyuan",
        district="丰台区",
        address="北京市丰台区方庄芳城园一区 12 号",
    ),
]

# (slug, zh, en, requires a home visit)
PRODUCT_CLASSES = [
    ("eldercare", "养老服务", "Eldercare"),
    ("childcare", "托育服务", "Childcare"),
    ("housekeeping", "家政服务", "Housekeeping"),
    ("express", "快递服务", "Express"),
    ("repair", "维修服务", "Repair"),
]

PROVIDERS = [
    dict(
        code="anju-home",
        name="安居到家服务中心",
        name_en="Anju Home Services",
        kind="enterprise",
        enterprise="anju",
        licence="91110105MA01AJDJ2P",
        phone="010-6478 2233",
        communities=["wangjing-garden", "qinghe"],
    ),
    dict(
        code="haobangshou",
        name="好帮手家政服务有限公司",
        name_en="Haobangshou Housekeeping",
        kind="third_party",
        enterprise="anju",
        licence="91110108MA04HBS71Q",
        phone="400-810 6688",
        communities=["wangjing-garden", "qinghe", "hepingli", "fangchengyuan"],
    ),
    dict(
        code="fushoukang",
        name="福寿康居家养老服务中心",
        name_en="Fushoukang Home Eldercare",
        kind="third_party",
        enterprise="jinghua",
        licence="52110101MJ0FSK3301",
        phone="010-8402 5566",
        communities=["hepingli", "fangchengyuan", "wangjing-garden"],
    ),
    dict(
        code="xiaochengzi",
        name="小橙子托育中心",
        name_en="Little Orange Childcare",
        kind="third_party",
        enterprise="anju",
        licence="91110105MA07XCZ55T",
        phone="010-6478 9900",
        communities=["wangjing-garden", "qinghe", "hepingli"],
    ),
    dict(
        code="linli-express",
        name="邻里快送驿站",
        name_en="Linli Express Station",
        kind="enterprise",
        enterprise="jinghua",
        licence="91110101MA09LLKS6W",
        phone="010-8402 3300",
        communities=["wangjing-garden", "qinghe", "hepingli", "fangchengyuan"],
    ),
    dict(
        code="jinghua-repair",
        name="京华物业维修部",
        name_en="Jinghua Property Repairs",
        kind="enterprise",
        enterprise="jinghua",
        licence="91110101MA02JHWX9R",
        phone="010-8402 1111",
        communities=["hepingli", "fangchengyuan"],
    ),
]

# upc, class, provider, zh title, en title, minutes, unit zh, unit en, price, cancellation fee,
# zh description, en description, communities (None = all the provider serves)
SERVICES = [
    (
        "ELD-BATH",
        "eldercare",
        "fushoukang",
        "助浴服务",
        "Assisted bathing",
        90,
        "次",
        "visit",
        "150",
        "30",
        "两名护理员上门，协助长者安全洗浴、更衣，提供防滑垫与洗浴用品。",
        "Two carers help an older resident bathe and dress safely; non-slip mat and toiletries provided.",
        None,
    ),
    (
        "ELD-ESCORT",
        "eldercare",
        "fushoukang",
        "陪同就医",
        "Hospital escort",
        180,
        "次",
        "visit",
        "220",
        "50",
        "陪同挂号、候诊、取药并送回家中，3 小时内。",
        "Escort to hospital: registration, waiting, pharmacy and home again, up to 3 hours.",
        None,
    ),
    (
        "ELD-COMPANION",
        "eldercare",
        "anju-home",
        "居家陪护（4 小时）",
        "Companion care (4 hours)",
        240,
        "次",
        "visit",
        "260",
        "50",
        "照护员上门陪伴聊天、协助进食与服药提醒、简单康复活动。",
        "A carer keeps company, helps with meals and medicine reminders and light exercise.",
        None,
    ),
    (
        "ELD-MEAL",
        "eldercare",
        "anju-home",
        "上门助餐",
        "Meal help at home",
        60,
        "次",
        "visit",
        "45",
        "10",
        "送餐到家并协助用餐，少油少盐的老年餐。",
        "A low-salt meal delivered and help with eating.",
        None,
    ),
    (
        "CHI-DROPIN",
        "childcare",
        "xiaochengzi",
        "临时托管（3 小时）",
        "Drop-in childcare (3 hours)",
        180,
        "次",
        "session",
        "180",
        "40",
        "持证保育员上门看护 1–6 岁儿童，含游戏与午睡照看。",
        "A certified carer looks after a child aged 1–6 at home, with play and nap time.",
        None,
    ),
    (
        "CHI-PICKUP",
        "childcare",
        "xiaochengzi",
        "放学接送",
        "After-school pick-up",
        60,
        "次",
        "trip",
        "60",
        "15",
        "从小区周边学校接孩子回家，实名交接。",
        "Picks your child up from a nearby school with a verified hand-over.",
        None,
    ),
    (
        "CHI-NANNY",
        "childcare",
        "xiaochengzi",
        "育儿嫂半日",
        "Nanny, half day",
        240,
        "次",
        "half day",
        "280",
        "60",
        "育儿嫂半日上门：辅食、洗护、早教游戏。",
        "A nanny for half a day: meals, bathing and early-learning play.",
        ["wangjing-garden", "qinghe"],
    ),
    (
        "HK-CLEAN2",
        "housekeeping",
        "haobangshou",
        "日常保洁（2 小时）",
        "Regular cleaning (2 hours)",
        120,
        "次",
        "visit",
        "120",
        "30",
        "客厅、卧室、厨房台面及卫生间的日常清洁，自带工具。",
        "Everyday cleaning of living room, bedrooms, kitchen tops and bathroom; tools brought along.",
        None,
    ),
    (
        "HK-DEEP",
        "housekeeping",
        "haobangshou",
        "深度保洁（4 小时）",
        "Deep cleaning (4 hours)",
        240,
        "次",
        "visit",
        "320",
        "60",
        "厨房油污、卫生间除垢、门窗与柜内的全面清洁。",
        "Thorough cleaning: kitchen grease, bathroom limescale, doors, windows and cupboards.",
        None,
    ),
    (
        "HK-AC",
        "housekeeping",
        "haobangshou",
        "空调清洗",
        "Air-conditioner cleaning",
        90,
        "台",
        "unit",
        "150",
        "30",
        "挂机拆洗滤网、高温蒸汽除菌，地面防护。",
        "Wall unit: filters washed, steam sanitising, floor protected.",
        None,
    ),
    (
        "HK-WINDOW",
        "housekeeping",
        "anju-home",
        "擦玻璃",
        "Window cleaning",
        120,
        "次",
        "visit",
        "160",
        "30",
        "室内外玻璃擦洗（安全可达范围），含窗框窗槽。",
        "Windows inside and out (within safe reach), frames and tracks included.",
        None,
    ),
    (
        "EXP-PICKUP",
        "express",
        "linli-express",
        "上门取件",
        "Parcel pick-up at your door",
        30,
        "件",
        "parcel",
        "8",
        "0",
        "驿站快递员上门取件代寄，首重 1 公斤。",
        "Our station courier collects a parcel from your door; first kilogram included.",
        None,
    ),
    (
        "EXP-DELIVER",
        "express",
        "linli-express",
        "快递送货上门",
        "Parcel delivery to your door",
        30,
        "次",
        "trip",
        "5",
        "0",
        "驿站代收的包裹按约定时间送到家门口。",
        "Parcels held at the station brought to your door at the time you choose.",
        None,
    ),
    (
        "EXP-BULKY",
        "express",
        "linli-express",
        "大件搬运上楼",
        "Bulky item carrying",
        60,
        "次",
        "trip",
        "80",
        "20",
        "家具、家电等大件从小区门口搬运入户。",
        "Furniture or appliances carried from the gate into your home.",
        None,
    ),
    (
        "REP-DRAIN",
        "repair",
        "jinghua-repair",
        "下水管道疏通",
        "Drain unblocking",
        60,
        "次",
        "visit",
        "100",
        "20",
        "厨房、卫生间下水疏通，不通不收费。",
        "Kitchen or bathroom drain unblocked; no fix, no fee.",
        None,
    ),
    (
        "REP-ELEC",
        "repair",
        "jinghua-repair",
        "户内电路维修",
        "Electrical repair",
        60,
        "次",
        "visit",
        "120",
        "20",
        "插座、开关、灯具及户内线路检修，材料费另计以公示为准。",
        "Sockets, switches, lights and in-home wiring; parts as listed on the fee board.",
        None,
    ),
    (
        "REP-LOCK",
        "repair",
        "anju-home",
        "门锁更换",
        "Lock replacement",
        60,
        "次",
        "visit",
        "180",
        "30",
        "更换入户门锁芯（C 级锁芯），含锁芯。",
        "Front-door cylinder replaced with a grade-C cylinder, cylinder included.",
        None,
    ),
    (
        "REP-APPLIANCE",
        "repair",
        "anju-home",
        "家电上门检测",
        "Appliance repair visit",
        60,
        "次",
        "visit",
        "60",
        "10",
        "洗衣机、冰箱、热水器上门检测，维修报价确认后再施工。",
        "A technician checks a washer, fridge or water heater and quotes before any repair.",
        None,
    ),
]

# Prices differ a little between communities, as on real boards.
COMMUNITY_PRICE_FACTOR = {
    "wangjing-garden": Decimal("1.00"),
    "qinghe": Decimal("0.95"),
    "hepingli": Decimal("1.05"),
    "fangchengyuan": Decimal("0.90"),
}

PEOPLE = [
    # email, first, last, phone, role
    ("admin@linli.demo", "Admin", "管理员", "13800000000", "superuser"),
    ("resident@linli.demo", "芳", "王", "13800138001", "resident"),
    ("resident2@linli.demo", "伟", "李", "13900139002", "resident2"),
    ("manager@linli.demo", "强", "张", "13600136003", "provider_manager"),
    ("worker@linli.demo", "秀英", "刘", "13700137004", "worker"),
    ("worker2@linli.demo", "建国", "陈", "13700137005", "worker"),
    ("worker3@linli.demo", "丽", "杨", "13700137006", "worker"),
    ("editor@linli.demo", "静", "赵", "15800158007", "enterprise_editor"),
    ("emanager@linli.demo", "军", "孙", "15800158008", "enterprise_manager"),
    ("editor2@linli.demo", "敏", "周", "15800158009", "enterprise_editor_b"),
]


@dataclass
class SeedContext:
    enterprises: dict = field(default_factory=dict)
    communities: dict = field(default_factory=dict)
    product_classes: dict = field(default_factory=dict)
    providers: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def _attribute(pc, code, name, type_):
    attr, _ = ProductAttribute.objects.get_or_create(
        product_class=pc, code=code, defaults={"name": name, "type": type_, "required": True}
    )
    return attr


def _set_attr(product, attr, value):
    pav, _ = ProductAttributeValue.objects.get_or_create(product=product, attribute=attr)
    pav.value = value
    pav.save()


@transaction.atomic
def seed_marketplace() -> SeedContext:
    ctx = SeedContext()
    for data in ENTERPRISES:
        ent, _ = Enterprise.objects.update_or_create(slug=data["slug"], defaults=data)
        ctx.enterprises[ent.slug] = ent
    for data in COMMUNITIES:
        data = dict(data, enterprise=ctx.enterprises[data["enterprise"]])
        com, _ = Community.objects.update_or_create(slug=data["slug"], defaults=data)
        ctx.communities[com.slug] = com

    for slug, zh, en in PRODUCT_CLASSES:
        pc, _ = ProductClass.objects.update_or_create(
            slug=slug,
            defaults={"name": zh, "name_en": en, "requires_shipping": False, "track_stock": False},
        )
        _attribute(pc, "duration_minutes", "时长（分钟） Duration (minutes)", "integer")
        _attribute(pc, "unit", "计价单位 Unit", "text")
        _attribute(pc, "cancellation_fee", "取消费（元） Cancellation fee (CNY)", "float")
        ctx.product_classes[slug] = pc

    for data in PROVIDERS:
        partner, _ = Partner.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "name_en": data["name_en"],
                "kind": data["kind"],
                "enterprise": ctx.enterprises[data["enterprise"]],
                "licence_number": data["licence"],
                "phone": data["phone"],
            },
        )
        partner.communities.set([ctx.communities[c] for c in data["communities"]])
        ctx.providers[partner.code] = partner

    for (
        upc,
        cls,
        provider,
        zh,
        en,
        minutes,
        unit_zh,
        unit_en,
        price,
        fee,
        desc_zh,
        desc_en,
        only,
    ) in SERVICES:
        pc = ctx.product_classes[cls]
        product, _ = Product.objects.update_or_create(
            upc=upc,
            defaults={
                "slug": slugify(en),  # readable addresses: /shop/catalogue/assisted-bathing_1/
                "title": zh,
                "title_en": en,
                "description": desc_zh,
                "description_en": desc_en,
                "product_class": pc,
                "is_public": True,
                "structure": Product.STANDALONE,
            },
        )
        _set_attr(product, pc.attributes.get(code="duration_minutes"), minutes)
        _set_attr(product, pc.attributes.get(code="unit"), f"{unit_zh} / {unit_en}")
        _set_attr(product, pc.attributes.get(code="cancellation_fee"), float(fee))
        partner = ctx.providers[provider]
        served = only or [c.slug for c in partner.communities.all()]
        for slug in served:
            community = ctx.communities[slug]
            amount = (Decimal(price) * COMMUNITY_PRICE_FACTOR[slug]).quantize(Decimal("1"))
            StockRecord.objects.update_or_create(
                product=product,
                community=community,
                defaults={
                    "partner": partner,
                    "partner_sku": f"{upc}-{slug}",
                    "price_currency": "CNY",
                    "price": amount,
                },
            )
        ctx.services[upc] = product

    for email, first, last, phone, role in PEOPLE:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.first_name, user.last_name, user.phone = first, last, phone
        user.is_staff = role in (
            "superuser",
            "enterprise_editor",
            "enterprise_manager",
            "enterprise_editor_b",
        )
        user.is_superuser = role == "superuser"
        user.set_password(DEMO_PASSWORD)
        user.save()
        ctx.users[role if role != "worker" else email.split("@")[0]] = user

    ctx.enterprises["anju"].staff.add(
        ctx.users["enterprise_editor"], ctx.users["enterprise_manager"]
    )
    ctx.enterprises["jinghua"].staff.add(ctx.users["enterprise_editor_b"])
    ctx.providers["haobangshou"].users.add(ctx.users["provider_manager"])

    homes = [
        ("resident", "wangjing-garden", "3", "2", "1201", "王芳", "13800138001"),
        ("resident2", "wangjing-garden", "5", "1", "602", "李伟", "13900139002"),
        ("resident2", "hepingli", "12", "", "301", "李伟", "13900139002"),
    ]
    for role, slug, building, unit, room, name, phone in homes:
        user = ctx.users[role]
        Household.objects.update_or_create(
            user=user,
            community=ctx.communities[slug],
            building=building,
            room=room,
            defaults={
                "unit": unit,
                "contact_name": name,
                "contact_phone": phone,
                "is_default": not Household.objects.filter(user=user, is_default=True)
                .exclude(community__slug=slug)
                .exists(),
            },
        )
    return ctx
