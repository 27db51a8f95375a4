"""Who changed a price: django-simple-history on StockRecord, read on /cms/prices/history/."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from marketplace.price_history import price_changes
from tests.factories import UserFactory

StockRecord = get_model("partner", "StockRecord")


def _form_data(form) -> dict:
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = str(value)
    return data


def _dashboard_product_post(client, product, **changes):
    """POST Oscar's dashboard product form as it is, with ``changes`` (field name → value)."""
    url = f"/shop/dashboard/catalogue/products/{product.pk}/"
    context = client.get(url).context
    data = _form_data(context["form"])
    for name in ("stockrecord_formset", "category_formset", "image_formset", "recommended_formset"):
        formset = context.get(name)
        if formset is None:
            continue
        # The saved forms only: an extra form with its defaults filled in would be "changed".
        initial = formset.initial_form_count()
        data.update(_form_data(formset.management_form))
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(initial)
        for form in formset.forms[:initial]:
            data.update(_form_data(form))
    data.update(changes)
    return client.post(url, data)


@pytest.fixture
def platform_staff(db):
    return UserFactory(email="platform@example.cn", is_staff=True, is_superuser=True)


def test_a_price_changed_in_oscars_dashboard_shows_its_author(client, platform_staff, service):
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    # Oscar's product form asks for a category.
    service.categories.add(create_from_breadcrumbs("家政"))
    stockrecord = StockRecord.objects.get(product=service)
    client.force_login(platform_staff)

    response = _dashboard_product_post(client, service, **{"stockrecords-0-price": "135.00"})

    assert response.status_code == 302, getattr(response, "context", None) and [
        response.context["form"].errors,
        *[
            (name, response.context[name].errors, response.context[name].non_form_errors())
            for name in ("stockrecord_formset", "category_formset", "image_formset")
            if name in response.context
        ],
    ]
    stockrecord.refresh_from_db()
    assert stockrecord.price == Decimal("135.00")
    latest = price_changes(user=platform_staff)[0]
    assert (latest.old, latest.new, latest.who) == (
        Decimal("120.00"),
        Decimal("135.00"),
        platform_staff,
    )
    page = client.get("/cms/prices/history/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "platform@example.cn" in body
    assert "135.00" in body


def test_enterprise_staff_see_only_their_enterprises_prices(
    enterprise, service, community, foreign_price
):
    staff = UserFactory(email="anju-staff@example.cn")
    enterprise.staff.add(staff)
    for record in StockRecord.objects.all():
        record.price += 1
        record.save()
    changes = price_changes(user=staff)
    assert changes
    assert {c.community for c in changes} == {str(community)}


def test_a_resident_may_not_read_the_price_history(client, resident):
    client.force_login(resident)
    assert client.get("/cms/prices/history/").status_code in (302, 403)


def test_a_save_that_keeps_the_price_is_not_a_change(platform_staff, service):
    record = StockRecord.objects.get(product=service)
    record.save()
    record.save()
    assert [c.kind for c in price_changes(user=platform_staff)] == ["+"]


@pytest.fixture
def foreign_price(db, service):
    from tests.factories import CommunityFactory, EnterpriseFactory, PartnerFactory

    other = EnterpriseFactory(name="别家物业")
    community = CommunityFactory(enterprise=other, name="别家小区", slug="elsewhere")
    partner = PartnerFactory(enterprise=other, name="别家服务商", communities=[community])
    return StockRecord.objects.create(
        product=service, partner=partner, community=community, partner_sku="x-1", price="99.00"
    )
