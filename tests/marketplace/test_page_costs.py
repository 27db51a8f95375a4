"""What every page pays for: the header's questions, the basket badge, Oscar's page-view
counters, the board's short route. Each saving must keep the page saying the same thing."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.analytics.models import ProductRecord, UserProductView
from oscar.apps.basket.models import Basket

from tests.bookings.factories import WorkerFactory
from tests.factories import UserFactory


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_the_header_links_the_provider_console_to_workers_and_managers_only(
    client, resident, provider, provider_manager, community
):
    worker = WorkerFactory(user=UserFactory(email="w@example.cn"), provider=provider)
    for user, sees_console in ((resident, False), (provider_manager, True), (worker.user, True)):
        client.force_login(user)
        body, queries = _queries(client, "/shop/catalogue/")
        assert ('href="/provider/"' in body) is sees_console, user.email
        # Loading the user answered the question: no query of its own for workers or partners.
        assert not any(
            'FROM "bookings_worker"' in q for q in queries if "marketplace_user" not in q
        )
        assert not any(
            '"partner_partner_users"' in q for q in queries if "marketplace_user" not in q
        )


def test_the_basket_badge_counts_the_open_basket(client, resident, service, published_board):
    client.force_login(resident)
    body, _ = _queries(client, "/shop/catalogue/")
    assert 'class="badge badge-light"' not in body

    basket = Basket.open.create(owner=resident)
    basket.lines.create(
        product=service,
        stockrecord=service.stockrecords.first(),
        quantity=2,
        line_reference="x1",
        price_currency="CNY",
        price_excl_tax=service.stockrecords.first().price,
        price_incl_tax=service.stockrecords.first().price,
    )
    body, _ = _queries(client, "/shop/catalogue/")
    assert '<span class="badge badge-light">2</span>' in body


def test_a_service_page_view_writes_no_analytics_rows(client, resident, service, published_board):
    client.force_login(resident)
    body, queries = _queries(client, service.get_absolute_url())
    assert not [q for q in queries if q.startswith(("UPDATE", "INSERT"))], queries
    assert not UserProductView.objects.exists()
    assert not ProductRecord.objects.filter(num_views__gt=0).exists()


def test_the_board_short_route_serves_what_wagtail_serves(client, published_board, community):
    url = f"/boards/{community.slug}/"
    body, queries = _queries(client, url)
    assert community.name in body
    # One page query by url_path, not a walk down the tree (site, home, index, board).
    assert sum('FROM "wagtailcore_page"' in q for q in queries) <= 1
    for sub in ("changes/", "print/"):
        assert client.get(url + sub).status_code == 200
    assert client.get(url + "no-such-view/").status_code == 404
    published_board.unpublish()
    assert client.get(url).status_code == 404
