"""Factories for the marketplace frame: users, enterprises, communities, providers, services."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from marketplace.catalogue.models import (
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductClass,
)
from marketplace.models import Community, Enterprise, Household, User
from marketplace.partner.models import Partner, StockRecord

PASSWORD = "pw-linli-test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    first_name = "测试"
    last_name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试物业{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Test Property {n} Co.")
    slug = factory.Sequence(lambda n: f"enterprise-{n}")
    phone = "010-6000 0000"
    complaint_phone = "010-6000 0099"


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"测试小区{n}")
    name_en = factory.Sequence(lambda n: f"Test Garden {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    district = "朝阳区"
    address = "北京市朝阳区测试路 1 号"


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    building = "3"
    unit = "2"
    room = "1201"
    contact_name = "王芳"
    contact_phone = "13800138001"
    is_default = True


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试服务商{n}")
    name_en = factory.Sequence(lambda n: f"Test Provider {n}")
    code = factory.Sequence(lambda n: f"provider-{n}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = Partner.Kind.THIRD_PARTY

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.set(extracted)


def product_class(slug="housekeeping", name="家政服务", name_en="Housekeeping"):
    """The product classes are reference data: one per category, shared by tests."""
    pc, _ = ProductClass.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "name_en": name_en,
            "requires_shipping": False,
            "track_stock": False,
        },
    )
    for code, type_ in (
        ("duration_minutes", "integer"),
        ("unit", "text"),
        ("cancellation_fee", "float"),
    ):
        ProductAttribute.objects.get_or_create(
            product_class=pc, code=code, defaults={"name": code, "type": type_}
        )
    return pc


CATEGORIES = [
    ("eldercare", "养老服务", "Eldercare"),
    ("childcare", "托育服务", "Childcare"),
    ("housekeeping", "家政服务", "Housekeeping"),
    ("express", "快递服务", "Express"),
    ("repair", "维修服务", "Repair"),
]


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"日常保洁{n}")
    title_en = factory.Sequence(lambda n: f"Regular cleaning {n}")
    description = "客厅、卧室、厨房台面及卫生间的日常清洁。"
    description_en = "Everyday cleaning."
    upc = factory.Sequence(lambda n: f"SVC-{n}")
    product_class = factory.LazyFunction(product_class)
    structure = Product.STANDALONE
    is_public = True

    @factory.post_generation
    def attributes(self, create, extracted, **kwargs):
        values = {"duration_minutes": 120, "unit": "次 / visit", "cancellation_fee": 30.0}
        values.update(extracted or {})
        if not create:
            return
        for code, value in values.items():
            attr = self.product_class.attributes.get(code=code)
            pav, _ = ProductAttributeValue.objects.get_or_create(product=self, attribute=attr)
            pav.value = value
            pav.save()


class StockRecordFactory(DjangoModelFactory):
    class Meta:
        model = StockRecord

    product = factory.SubFactory(ProductFactory)
    partner = factory.SubFactory(PartnerFactory)
    community = factory.SubFactory(CommunityFactory)
    partner_sku = factory.Sequence(lambda n: f"SKU-{n}")
    price_currency = "CNY"
    price = Decimal("120.00")
