"""The Strategy prices a service from the visitor's community, never from another's."""

from decimal import Decimal

import pytest
from django.test import RequestFactory

from marketplace.community import SESSION_KEY
from marketplace.partner.strategy import Selector
from tests.factories import HouseholdFactory, StockRecordFactory, UserFactory


def _strategy_for(user=None, session_community=None):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = {SESSION_KEY: session_community.pk} if session_community else {}
    return Selector().strategy(request=request, user=request.user)


def test_a_resident_sees_their_default_households_price(
    service, provider, community, other_community
):
    StockRecordFactory(product=service, partner=provider, community=other_community, price="99.00")
    user = UserFactory()
    HouseholdFactory(user=user, community=other_community)
    info = _strategy_for(user).fetch_for_product(service)
    assert info.price.excl_tax == Decimal("99.00")
    assert info.price.currency == "CNY"
    assert info.stockrecord.community == other_community


def test_a_visitor_sees_the_price_of_the_community_chosen_in_the_header(service, community):
    info = _strategy_for(session_community=community).fetch_for_product(service)
    assert info.price.excl_tax == Decimal("120.00")
    assert info.availability.is_available_to_buy


def test_a_service_not_offered_in_the_community_is_unavailable_and_unpriced(
    service, other_community
):
    from django.utils import translation

    info = _strategy_for(session_community=other_community).fetch_for_product(service)
    assert not info.price.exists
    assert not info.availability.is_available_to_buy
    with translation.override("en"):
        info = _strategy_for(session_community=other_community).fetch_for_product(service)
        assert info.availability.message == "Not available in Qinghe Jiayuan"


def test_without_a_community_nothing_is_priced(service):
    info = _strategy_for().fetch_for_product(service)
    assert not info.price.exists
    assert not info.availability.is_available_to_buy


@pytest.mark.parametrize(
    "lang,expected", [("en", "Not available in Qinghe Jiayuan"), ("zh-hans", "芳城")]
)
def test_catalogue_shows_community_prices_in_both_languages(
    client, service, community, other_community, lang, expected
):
    client.post("/community/", {"community": community.pk, "next": "/shop/catalogue/"})
    response = client.get("/shop/catalogue/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert "¥120.00" in response.content.decode()
    client.post("/community/", {"community": other_community.pk})
    body = client.get("/shop/catalogue/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert "¥120.00" not in body
    if lang == "en":
        assert expected in body
    else:
        assert "清河嘉园" in body and "不在" in body


def test_catalogue_query_count_does_not_grow_with_services(
    client, django_assert_max_num_queries, provider, community
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ProductFactory

    client.post("/community/", {"community": community.pk})

    def count():
        client.get("/shop/catalogue/")  # warm the cached header fragment
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/shop/catalogue/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        StockRecordFactory(product=ProductFactory(), partner=provider, community=community)
    small = count()
    for _ in range(20):
        StockRecordFactory(product=ProductFactory(), partner=provider, community=community)
    assert count() == small
