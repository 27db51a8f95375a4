"""A signed-in resident's page reads its versions, home community and basket badge from the
cache once per request, and still says what the database says after every change."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.basket.models import Basket

from marketplace.cache import request_version
from marketplace.catalogue.listing_cache import CATALOGUE_VERSION_KEY, catalogue_changed


def _page(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/shop/catalogue/")
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def _add_line(basket, service, quantity):
    record = service.stockrecords.first()
    return basket.lines.create(
        product=service,
        stockrecord=record,
        quantity=quantity,
        line_reference=f"l{quantity}",
        price_currency="CNY",
        price_excl_tax=record.price,
        price_incl_tax=record.price,
    )


def test_a_second_view_asks_the_database_only_for_the_user(
    client, resident, service, published_board
):
    client.force_login(resident)
    _page(client)
    body, queries = _page(client)
    assert len(queries) == 1 and '"marketplace_user"' in queries[0], queries
    assert published_board.community.display_name in body


def test_the_badge_follows_lines_added_removed_and_the_basket_submitted(
    client, resident, service, published_board
):
    client.force_login(resident)
    assert 'class="badge badge-light"' not in _page(client)[0]
    basket = Basket.open.create(owner=resident)
    line = _add_line(basket, service, 2)
    assert '<span class="badge badge-light">2</span>' in _page(client)[0]
    _add_line(basket, service, 1)
    assert '<span class="badge badge-light">3</span>' in _page(client)[0]
    line.delete()
    assert '<span class="badge badge-light">1</span>' in _page(client)[0]
    basket.submit()
    assert 'class="badge badge-light"' not in _page(client)[0]


def test_a_new_home_shows_on_the_next_page(client, resident, service, other_community):
    client.force_login(resident)
    _page(client)
    home = resident.households.get()
    home.community = other_community
    home.save()
    body, _ = _page(client)
    assert other_community.display_name in body


def test_versions_are_read_once_per_request(rf, db):
    request = rf.get("/")
    before = request_version(request, CATALOGUE_VERSION_KEY)
    catalogue_changed()
    # The request keeps what it read; a new request sees the move.
    assert request_version(request, CATALOGUE_VERSION_KEY) == before
    assert request_version(rf.get("/"), CATALOGUE_VERSION_KEY) > before
