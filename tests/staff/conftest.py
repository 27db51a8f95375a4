"""Two enterprises, each with a community, a provider, a resident's order and card payment,
and every staff role of the issue: who may see and move money.

Roles are made through the same services the demo uses (``cms.services.enterprise_staff_grant``
for Wagtail, ``marketplace.staff.payment_operator_grant`` for payments), never by hand.
"""

import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from oscar.apps.order.models import Line, Order

from cms.services import enterprise_staff_grant, site_tree_ensure
from marketplace.staff import payment_operator_grant
from payments.models import PaymentIntentRecord
from tests.bookings.factories import WorkerFactory
from tests.cms.support import publish_board
from tests.factories import (
    CommunityFactory,
    EnterpriseFactory,
    HouseholdFactory,
    PartnerFactory,
    ProductFactory,
    StockRecordFactory,
    UserFactory,
)

_numbers = itertools.count(700001)


def order_in(community, user, *, price="120.00", stockrecord=None) -> Order:
    """An order of ``user`` with one line priced for ``community`` (its StockRecord)."""
    stockrecord = stockrecord or community.stockrecords.select_related("partner", "product")[0]
    order = Order.objects.create(
        number=f"S{next(_numbers)}",
        user=user,
        currency="CNY",
        total_incl_tax=Decimal(price),
        total_excl_tax=Decimal(price),
    )
    Line.objects.create(
        order=order,
        partner=stockrecord.partner,
        partner_name=stockrecord.partner.name,
        partner_sku=stockrecord.partner_sku,
        stockrecord=stockrecord,
        product=stockrecord.product,
        title=stockrecord.product.title,
        quantity=1,
        line_price_incl_tax=Decimal(price),
        line_price_excl_tax=Decimal(price),
        line_price_before_discounts_incl_tax=Decimal(price),
        line_price_before_discounts_excl_tax=Decimal(price),
        num_allocated=0,
    )
    return order


def captured_row(order, amount="120.00") -> PaymentIntentRecord:
    """A captured card payment row for ``order`` (no Stripe call: for pages that only read)."""
    return PaymentIntentRecord.objects.create(
        order=order,
        user=order.user,
        idempotency_key=f"row-{order.number}",
        stripe_id=f"pi_row_{order.number}",
        status=PaymentIntentRecord.Status.CAPTURED,
        amount=Decimal(amount),
        amount_authorised=Decimal(amount),
        amount_captured=Decimal(amount),
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    """Anju (community wangjing-garden) and Jinghua (community hepingli): each with a provider,
    a priced service, a published board and a resident."""
    site_tree_ensure()
    out = {}
    for key, slug, name, cslug, cname in (
        ("a", "anju", "安居物业", "wangjing-garden", "望京花园"),
        ("b", "jinghua", "京华物业", "hepingli", "和平里小区"),
    ):
        enterprise = EnterpriseFactory(slug=slug, name=name, name_en=slug.title())
        community = CommunityFactory(enterprise=enterprise, slug=cslug, name=cname)
        provider = PartnerFactory(enterprise=enterprise, communities=[community])
        StockRecordFactory(
            product=ProductFactory(), partner=provider, community=community, price="120.00"
        )
        resident = UserFactory(email=f"resident-{slug}@example.cn")
        HouseholdFactory(user=resident, community=community)
        out[key] = dict(
            enterprise=enterprise,
            community=community,
            provider=provider,
            resident=resident,
            board=publish_board(community),
        )
    return out


@pytest.fixture
def roles(world):
    """Every role of the issue's matrix, by name (``anonymous`` is ``None``)."""
    a, b = world["a"], world["b"]
    people = {}
    people["superuser"] = UserFactory(email="admin@example.cn", is_staff=True, is_superuser=True)
    # The old hole: staff, and nothing else.
    people["bare_staff"] = UserFactory(email="staff@example.cn", is_staff=True)
    operator = UserFactory(email="operator@example.cn")
    a["enterprise"].staff.add(operator)
    payment_operator_grant(user=operator)
    people["operator"] = operator
    viewer = UserFactory(email="viewer@example.cn")
    a["enterprise"].staff.add(viewer)
    viewer.user_permissions.add(Permission.objects.get(codename="view_paymentintentrecord"))
    people["payment_viewer"] = viewer
    operator_b = UserFactory(email="operator-b@example.cn")
    b["enterprise"].staff.add(operator_b)
    payment_operator_grant(user=operator_b)
    people["operator_b"] = operator_b
    for name, key, role in (
        ("enterprise_manager", "a", "manager"),
        ("editor_a", "a", "editor"),
        ("editor_b", "b", "editor"),
    ):
        user = UserFactory(email=f"{name}@example.cn")
        enterprise_staff_grant(enterprise=world[key]["enterprise"], user=user, role=role)
        people[name] = user
    manager = UserFactory(email="provider-manager@example.cn")
    a["provider"].users.add(manager)
    people["provider_manager"] = manager
    people["worker"] = WorkerFactory(provider=a["provider"], communities=[a["community"]]).user
    people["resident"] = a["resident"]
    people["anonymous"] = None
    return people


@pytest.fixture
def payments_of_each(world):
    """A captured payment row in each enterprise: ``{"a": intent, "b": intent}``."""
    return {
        key: captured_row(order_in(world[key]["community"], world[key]["resident"]))
        for key in ("a", "b")
    }
