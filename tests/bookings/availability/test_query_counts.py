"""The service page and the slot endpoint cost the same number of queries with 10 or 1,000
services and with 10 or 500 workers."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import WeeklyHours, Worker
from marketplace.catalogue.models import Product
from marketplace.models import User
from marketplace.partner.models import StockRecord

pytestmark = pytest.mark.django_db


def _add_services(provider, community, service, n):
    start = Product.objects.count()
    products = Product.objects.bulk_create(
        Product(
            title=f"服务{i}",
            title_en=f"Service {i}",
            upc=f"BULK-{i}",
            slug=f"service-{i}",
            product_class=service.product_class,
            structure=Product.STANDALONE,
            is_public=True,
        )
        for i in range(start, start + n)
    )
    StockRecord.objects.bulk_create(
        StockRecord(
            product=p,
            partner=provider,
            community=community,
            partner_sku=f"BULK-{p.pk}",
            price_currency="CNY",
            price="99.00",
        )
        for p in products
    )


def _add_workers(provider, community, service, n):
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(email=f"bulk{i}@workers.example.cn", first_name="工", last_name=f"{i}", password="!")
        for i in range(start, start + n)
    )
    workers = Worker.objects.bulk_create(Worker(user=u, provider=provider) for u in users)
    Worker.skills.through.objects.bulk_create(
        Worker.skills.through(worker=w, productclass=service.product_class) for w in workers
    )
    Worker.communities.through.objects.bulk_create(
        Worker.communities.through(worker=w, community=community) for w in workers
    )
    WeeklyHours.objects.bulk_create(
        WeeklyHours(worker=w, weekday=d, start=time(8), end=time(18))
        for w in workers
        for d in range(7)
    )


def _query_counts(client, service):
    page = service.get_absolute_url()
    slots = f"/shop/services/{service.pk}/slots.json"
    client.get(page), client.get(slots)  # first visits create the basket, analytics rows...
    with CaptureQueriesContext(connection) as page_queries:
        page_response = client.get(page)
    with CaptureQueriesContext(connection) as slot_queries:
        slot_response = client.get(slots)
    assert page_response.status_code == 200 and b"data-start=" in page_response.content
    assert slot_response.status_code == 200 and slot_response.json()["slots"]
    return len(page_queries), len(slot_queries)


@pytest.mark.parametrize(
    "grow,small,large",
    [(_add_services, 10, 1000), (_add_workers, 10, 500)],
    ids=["services", "workers"],
)
def test_queries_do_not_grow_with_services_or_workers(
    client, resident, provider, community, service, worker, grow, small, large
):
    client.force_login(resident)
    grow(provider, community, service, small - 1)
    with_few = _query_counts(client, service)
    grow(provider, community, service, large - small)
    with_many = _query_counts(client, service)
    assert with_few == with_many
    page, slots = with_few
    print(f"queries: service page {page}, slot endpoint {slots}")
    assert slots <= 12, slots  # includes the fee-board price gate (one query)
