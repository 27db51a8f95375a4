"""The catalogue, a service page and a fee board cost the same number of queries with 10 and
with 10,000 services.

All 10,000 services are priced in the visitor's own community (the worst case: the board lists
every one of them and the catalogue pages through them), built with ``bulk_create`` so the
drill stays within seconds. The board is re-published after the growth, so its snapshot holds
10,000 rows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.catalogue.models import Product, ProductAttributeValue
from marketplace.partner.models import StockRecord
from tests.cms.support import publish_board

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 10_000


def _grow(provider, community, service, total):
    """Bring the community's priced services to ``total`` (attributes like the real ones)."""
    have = StockRecord.objects.filter(community=community).count()
    products = Product.objects.bulk_create(
        Product(
            title=f"规模服务{i}",
            title_en=f"Scale service {i}",
            upc=f"DRILL-{i}",
            slug=f"drill-service-{i}",
            product_class=service.product_class,
            structure=Product.STANDALONE,
            is_public=True,
        )
        for i in range(have, total)
    )
    attributes = {a.code: a for a in service.product_class.attributes.all()}
    ProductAttributeValue.objects.bulk_create(
        value
        for p in products
        for value in (
            ProductAttributeValue(
                product=p, attribute=attributes["duration_minutes"], value_integer=60
            ),
            ProductAttributeValue(product=p, attribute=attributes["unit"], value_text="次 / visit"),
            ProductAttributeValue(
                product=p, attribute=attributes["cancellation_fee"], value_float=20.0
            ),
        )
    )
    StockRecord.objects.bulk_create(
        StockRecord(
            product=p,
            partner=provider,
            community=community,
            partner_sku=f"DRILL-{p.pk}",
            price_currency="CNY",
            price="99.00",
        )
        for p in products
    )
    publish_board(community)
    assert StockRecord.objects.filter(community=community).count() == total


def _queries(client, url, marker: bytes) -> int:
    client.get(url)  # the first visit creates the basket, analytics rows, warms caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert marker in response.content, f"{url} does not show {marker!r}"
    return len(queries)


def _page_costs(client, service, board) -> dict:
    from django.core.cache import cache

    cache.clear()  # the board's anonymous cache must not hide its queries
    return {
        "catalogue": _queries(client, "/shop/catalogue/", service.get_title().encode()),
        "service": _queries(client, service.get_absolute_url(), b"data-start="),
        "board": _queries(client, board.url, service.get_title().encode()),
    }


def test_page_queries_do_not_grow_from_10_to_10000_services(
    client, resident, provider, community, service, worker, board
):
    from django.test import Client

    client.force_login(resident)
    visitor = Client()  # anonymous, with the community chosen in the header
    visitor.post("/community/", {"community": community.pk, "next": "/shop/catalogue/"})
    _grow(provider, community, service, SMALL)
    with_few = {"resident": _page_costs(client, service, board)}
    with_few["anonymous"] = _page_costs(visitor, service, board)
    _grow(provider, community, service, LARGE)
    with_many = {"resident": _page_costs(client, service, board)}
    with_many["anonymous"] = _page_costs(visitor, service, board)
    print(f"queries with {SMALL} services {with_few}; with {LARGE} {with_many}")
    assert with_few == with_many
