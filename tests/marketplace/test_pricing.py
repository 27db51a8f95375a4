"""The Strategy prices a service from the visitor's community, never from another's, at the
price on that community's published fee board."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marketplace.community import SESSION_KEY
from marketplace.partner.strategy import Selector
from tests.cms.support import publish_board
from tests.factories import HouseholdFactory, ProductFactory, StockRecordFactory, UserFactory


def _strategy_for(user=None, session_community=None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = {SESSION_KEY: session_community.pk} if session_community else {}
    return Selector().strategy(request=request, user=request.user)


def test_a_resident_sees_their_default_households_price(
    service, provider, community, other_community
):
    StockRecordFactory(product=service, partner=provider, community=other_community, price="99.00")
    publish_board(other_community)
    user = UserFactory()
    HouseholdFactory(user=user, community=other_community)
    info = _strategy_for(user).fetch_for_product(service)
    assert info.price.excl_tax == Decimal("99.00")
    assert info.price.currency == "CNY"
    assert info.stockrecord.community == other_community


def test_a_visitor_sees_the_price_of_the_community_chosen_in_the_header(
    service, community, published_board
):
    info = _strategy_for(session_community=community).fetch_for_product(service)
    assert info.price.excl_tax == Decimal("120.00")
    assert info.availability.is_available_to_buy


def test_a_service_not_offered_in_the_community_is_unavailable_and_unpriced(
    service, other_community
):
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
    "lang,expected",
    [("en", "No services are offered in Qinghe Jiayuan yet."), ("zh-hans", "清河嘉园暂无")],
)
def test_catalogue_lists_only_the_communitys_services_in_both_languages(
    client, service, community, other_community, lang, expected, published_board
):
    client.post("/community/", {"community": community.pk, "next": "/shop/catalogue/"})
    response = client.get("/shop/catalogue/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert "¥120.00" in response.content.decode()
    assert service.get_absolute_url() in response.content.decode()
    client.post("/community/", {"community": other_community.pk})
    body = client.get("/shop/catalogue/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert "¥120.00" not in body
    assert service.get_absolute_url() not in body  # not offered there: not listed at all
    assert expected in body


def test_catalogue_grid_is_cached_but_never_stale(
    client, service, community, provider, published_board
):
    """The grid is a cached fragment; a published price or a new service shows on the next view
    (a proposed price only once the board is published: until then the published one)."""

    client.post("/community/", {"community": community.pk})
    assert "¥120.00" in client.get("/shop/catalogue/").content.decode()
    record = service.stockrecords.get(community=community)
    record.price = Decimal("135.00")
    record.save()
    body = client.get("/shop/catalogue/").content.decode()
    assert "¥120.00" in body and "¥135.00" not in body
    publish_board(community)
    body = client.get("/shop/catalogue/").content.decode()
    assert "¥135.00" in body and "¥120.00" not in body
    added = ProductFactory(title="整理收纳", title_en="Home organising")
    StockRecordFactory(product=added, partner=provider, community=community)
    assert added.get_absolute_url() in client.get("/shop/catalogue/").content.decode()


def test_choosing_a_community_with_a_malformed_value_is_400_and_keeps_the_choice(client, community):
    """Issue 14 §5: bad input is a clear 4xx that changes nothing (it used to forget the
    choice silently; tests/fuzz has the siblings)."""
    client.post("/community/", {"community": community.pk})
    response = client.post("/community/", {"community": "not-a-number"})
    assert response.status_code == 400
    assert client.session["linli_community_id"] == community.pk


def test_catalogue_query_count_does_not_grow_with_services(
    client, django_assert_max_num_queries, provider, community
):
    client.post("/community/", {"community": community.pk})

    def count():
        for _ in range(2):  # warm the cached header, grid and community
            client.get("/shop/catalogue/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/shop/catalogue/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        StockRecordFactory(product=ProductFactory(), partner=provider, community=community)
    small = count()
    for _ in range(20):
        StockRecordFactory(product=ProductFactory(), partner=provider, community=community)
    assert count() == small
