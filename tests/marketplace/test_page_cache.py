"""Whole pages shared by anonymous visitors (``marketplace.page_cache``): each visitor gets their
own CSRF token, nobody logged in gets a shared page, and a change shows on the next view."""

import re
from decimal import Decimal
from threading import Thread

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from wagtail.models import PageViewRestriction

from tests.cms.support import publish_board

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _visitor(community) -> Client:
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/shop/catalogue/").content.decode()
    visitor.post("/community/", {"community": community.pk, **_token(page)})
    return visitor


def _token(page: str) -> dict:
    return {"csrfmiddlewaretoken": TOKEN.search(page).group(1)}


@pytest.mark.parametrize("url", ["/shop/catalogue/", "/boards/{slug}/"])
def test_a_shared_page_carries_each_visitors_own_csrf_token(url, published_board, community):
    url = url.format(slug=community.slug)
    first, second = _visitor(community), _visitor(community)
    assert "X-Page-Cache" not in first.get(url)  # rendered, and stored
    response = second.get(url)
    assert response["X-Page-Cache"] == "hit"
    page = response.content.decode()
    assert community.name in page and "__linli_csrf" not in page
    # The header's community picker posts with the token of the page this visitor was served.
    chosen = second.post("/community/", {"community": community.pk, **_token(page)})
    assert chosen.status_code == 302
    # The token is the second visitor's own: with the first visitor's cookie it is refused.
    refused = first.post("/community/", {"community": community.pk, **_token(page)})
    assert refused.status_code == 403


def test_a_logged_in_resident_is_never_served_a_shared_page(
    client, published_board, community, resident
):
    anonymous = _visitor(community)
    anonymous.get("/shop/catalogue/")
    assert anonymous.get("/shop/catalogue/")["X-Page-Cache"] == "hit"
    client.force_login(resident)
    response = client.get("/shop/catalogue/")
    assert "X-Page-Cache" not in response
    assert resident.email in response.content.decode() or resident.get_full_name() in (
        response.content.decode()
    )


def test_a_price_publication_shows_on_the_next_view_of_board_and_catalogue(
    service, published_board, community
):
    visitor = _visitor(community)
    board_url = f"/boards/{community.slug}/"
    for url in (board_url, "/shop/catalogue/"):
        visitor.get(url)
        assert "¥120.00" in visitor.get(url).content.decode()
    record = service.stockrecords.get(community=community)
    record.price = Decimal("135.00")
    record.save()  # a draft revision of the board
    publish_board(community)
    for url in (board_url, "/shop/catalogue/"):
        response = visitor.get(url)
        assert "X-Page-Cache" not in response, url
        body = response.content.decode()
        assert "¥135.00" in body and "¥120.00" not in body, url


def test_a_pending_message_is_shown_not_skipped(client, published_board, community):
    client.get("/shop/catalogue/")
    assert client.get("/shop/catalogue/")["X-Page-Cache"] == "hit"
    # A message waiting in the visitor's cookie, as a redirect after a form leaves it.
    request, response = HttpRequest(), HttpResponse()
    storage = CookieStorage(request)
    storage.add(constants.INFO, "A note for this visitor only")
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    response = client.get("/shop/catalogue/")
    assert "X-Page-Cache" not in response
    assert "A note for this visitor only" in response.content.decode()
    assert "A note for this visitor only" not in Client().get("/shop/catalogue/").content.decode()


def test_a_password_restricted_board_is_never_shared_once_passed(
    client, published_board, community
):
    url = f"/boards/{community.slug}/"
    assert community.name in Client().get(url).content.decode()  # stored, open to all
    restriction = PageViewRestriction.objects.create(
        page=published_board, restriction_type=PageViewRestriction.PASSWORD, password="linli"
    )
    form = client.get(url)  # the restriction moved the boards version on: no stale open board
    assert "X-Page-Cache" not in form
    assert 'name="password"' in form.content.decode()
    assert 'name="password"' in Client().get(url).content.decode()  # the same form for all
    passed = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{published_board.pk}/",
        {"password": "linli", "return_url": url},
    )
    assert passed.status_code == 302
    response = client.get(url)
    assert "X-Page-Cache" not in response and 'name="password"' not in response.content.decode()
    assert 'name="password"' in Client().get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_while_a_change_commits_is_not_kept(service, published_board, community):
    """The version moves on when the change is saved and again when it commits: a page another
    visitor renders in between (from the data still committed) is not served afterwards."""

    visitor = _visitor(community)
    assert "¥120.00" in visitor.get("/shop/catalogue/").content.decode()
    seen = []

    def neighbour_looks():
        try:
            seen.append(visitor.get("/shop/catalogue/").content.decode())
        finally:
            connection.close()

    with transaction.atomic():
        record = service.stockrecords.get(community=community)
        record.price = Decimal("135.00")
        record.save()
        publish_board(community)  # the catalogue shows the published price
        looking = Thread(target=neighbour_looks)
        looking.start()
        looking.join()
    assert "¥120.00" in seen[0]  # rendered (and stored) before the change committed
    body = visitor.get("/shop/catalogue/").content.decode()
    assert "¥135.00" in body and "¥120.00" not in body
