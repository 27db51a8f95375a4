"""Demo data for ``manage.py seed_demo``: idempotent, real-sounding, in Chinese and English.

Apps add their own demo data through a ``seed(ctx)`` function in ``<app>/seed.py``; this
module writes the shared frame (enterprises, communities, providers, services, prices, people,
whose tables are in ``marketplace.seed_data``) and hands it to them in ``ctx``.
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
from marketplace.seed_data import (
    COMMUNITIES,
    COMMUNITY_PRICE_FACTOR,
    DEMO_PASSWORD,
    ENTERPRISE_STAFF,
    ENTERPRISES,
    HOUSEHOLDS,
    PAYMENT_OPERATOR_ROLES,
    PEOPLE,
    PRODUCT_CLASSES,
    PROVIDER_USERS,
    PROVIDERS,
    SERVICES,
    STAFF_ROLES,
)
from marketplace.staff import payment_operator_grant

__all__ = ["DEMO_PASSWORD", "SeedContext", "seed_marketplace"]


@dataclass
class SeedContext:
    """What ``seed_marketplace`` wrote, for the apps' ``seed(ctx)``: dicts of model instances
    keyed by slug (enterprises, communities, product classes), partner code (providers), UPC
    (services) and role (users; the workers by the local part of their email: ``worker``,
    ``worker2``, ``worker3``). An app may add attributes of its own (cms adds ``home_page``)."""

    enterprises: dict = field(default_factory=dict)
    communities: dict = field(default_factory=dict)
    product_classes: dict = field(default_factory=dict)
    providers: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def _attribute(pc, code, name, type_):
    """The product class's required attribute ``code``, created if missing."""
    attr, _ = ProductAttribute.objects.get_or_create(
        product_class=pc, code=code, defaults={"name": name, "type": type_, "required": True}
    )
    return attr


def _set_attr(product, attr, value):
    """Set the product's value of ``attr`` (created if missing)."""
    pav, _ = ProductAttributeValue.objects.get_or_create(product=product, attribute=attr)
    pav.value = value
    pav.save()


@transaction.atomic
def seed_marketplace() -> SeedContext:
    """Create or refresh the demo's enterprises, communities, kinds of service, providers,
    services with their per-community prices, logins (password ``DEMO_PASSWORD``) and the
    residents' homes. Idempotent: rows are matched by slug, code, UPC or email and updated."""
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
        user.is_staff = role in STAFF_ROLES
        user.is_superuser = role == "superuser"
        user.set_password(DEMO_PASSWORD)
        user.save()
        ctx.users[role if role != "worker" else email.split("@")[0]] = user

    for slug, roles in ENTERPRISE_STAFF:
        ctx.enterprises[slug].staff.add(*(ctx.users[role] for role in roles))
    for role in PAYMENT_OPERATOR_ROLES:
        payment_operator_grant(user=ctx.users[role])
    for code, roles in PROVIDER_USERS:
        ctx.providers[code].users.add(*(ctx.users[role] for role in roles))

    for role, slug, building, unit, room, name, phone in HOUSEHOLDS:
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
