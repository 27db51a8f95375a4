"""Whole pages shared by anonymous visitors (``marketplace.page_cache``): no per-visitor token,
HTTP caching headers a proxy can follow, nobody logged in gets a shared page, and a change shows
on the next view."""

from decimal import Decimal
from threading import Thread

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from wagtail.models import PageViewRestriction

from marketplace.catalogue.views import CatalogueView
from tests.cms.support import publish_board

pytestmark = pytest.mark.django_db


def _visitor(community) -> Client:
    """An anonymous visitor who chose ``community`` with the header's GET picker."""
    visitor = Client(enforce_csrf_checks=True)
    chosen = visitor.get("/community/", {"community": community.pk, "next": "/shop/catalogue/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/shop/catalogue/"
    return visitor


@pytest.mark.parametrize("url", ["/shop/catalogue/", "/boards/{slug}/"])
def test_a_shared_page_is_one_copy_without_a_token_and_with_http_caching_headers(
    url, published_board, community
):
    url = url.format(slug=community.slug)
    first, second = _visitor(community), _visitor(community)
    stored = first.get(url)
    assert "X-Page-Cache" not in stored  # rendered, and stored
    response = second.get(url)
    assert response["X-Page-Cache"] == "hit"
    page = response.content.decode()
    assert community.name in page and "csrfmiddlewaretoken" not in page
    assert response.content == stored.content
    # No per-visitor cookie is handed out with a shared page.
    assert "csrftoken" not in response.cookies and "csrftoken" not in Client().get(url).cookies
    # Headers a browser or a reverse proxy keeps and revalidates the page by.
    assert response["ETag"] == stored["ETag"]
    assert response["Last-Modified"] == stored["Last-Modified"]
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "must-revalidate"} <= control
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"cookie", "accept-language"} <= vary
    revalidated = second.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert revalidated.status_code == 304 and revalidated.content == b""
    since = second.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304
    # Another community's visitor has another copy.
    assert Client().get(url)["ETag"] != response["ETag"]


def test_a_hit_is_answered_before_the_view_runs(community, published_board, monkeypatch):
    """The middleware answers a stored page itself: the view (and everything after the
    session middleware) is skipped, and the copy is the one the view rendered."""
    visitor = _visitor(community)
    stored = visitor.get("/shop/catalogue/")

    def view_runs(*args, **kwargs):
        raise AssertionError("the catalogue view ran for a stored page")

    monkeypatch.setattr(CatalogueView, "get", view_runs)
    response = visitor.get("/shop/catalogue/")
    assert response["X-Page-Cache"] == "hit" and response.content == stored.content
    assert response["X-Frame-Options"] == stored["X-Frame-Options"]  # inner middleware's
    assert response["Content-Language"] == stored["Content-Language"]
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies


@pytest.mark.parametrize("url", ["/shop/catalogue/", "/boards/{slug}/"])
def test_language_and_elder_mode_each_get_their_own_copy(url, community, published_board):
    url = url.format(slug=community.slug)
    chinese = _visitor(community)
    chinese.get(url)
    page = chinese.get(url)
    assert page["X-Page-Cache"] == "hit" and 'lang="zh-hans"' in page.content.decode()
    by_cookie = _visitor(community)
    by_cookie.cookies["django_language"] = "en"
    by_header = _visitor(community)
    for english, headers in ((by_cookie, {}), (by_header, {"HTTP_ACCEPT_LANGUAGE": "en"})):
        for _ in range(2):  # rendered, then served from its own copy
            body = english.get(url, **headers).content.decode()
            assert 'lang="en"' in body and "Wangjing Garden" in body
    elder = _visitor(community)
    elder.cookies["linli_elder"] = "1"
    for _ in range(2):
        assert "linli-elder" in _html_tag(elder.get(url))
    assert "linli-elder" not in _html_tag(chinese.get(url))


def _html_tag(response) -> str:
    """The page's ``<html ...>`` tag (its class says elder mode)."""
    body = response.content.decode()
    return body[body.index("<html") : body.index(">", body.index("<html"))]


def test_the_header_pickers_are_get_forms_that_set_and_redirect(community, other_community):
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/shop/catalogue/").content.decode()
    assert 'method="get" action="/community/"' in page
    assert 'method="get" action="/language/"' in page
    visitor.get("/community/", {"community": other_community.pk})
    assert visitor.session["linli_community_id"] == other_community.pk
    # Bad input: 400 and the choice as it was.
    assert visitor.get("/community/", {"community": "1.0"}).status_code == 400
    assert visitor.session["linli_community_id"] == other_community.pk
    # Another site's next is not followed.
    away = visitor.get("/community/", {"community": community.pk, "next": "https://evil.test/"})
    assert away["Location"] == "/shop/catalogue/"
    switched = visitor.get("/language/", {"language": "en", "next": "/shop/catalogue/"})
    assert switched.status_code == 302 and switched["Location"] == "/shop/catalogue/"
    assert switched.cookies["django_language"].value == "en"
    assert "Services" in visitor.get("/shop/catalogue/").content.decode()
    refused = visitor.get("/language/", {"language": "fr"})
    assert refused.status_code == 400 and "django_language" not in refused.cookies
    assert Client().post("/language/", {"language": "en"}).status_code == 405


def test_a_logged_in_resident_is_never_served_a_shared_page(
    client, published_board, community, resident
):
    anonymous = _visitor(community)
    anonymous.get("/shop/catalogue/")
    assert anonymous.get("/shop/catalogue/")["X-Page-Cache"] == "hit"
    client.force_login(resident)
    response = client.get("/shop/catalogue/")
    assert "X-Page-Cache" not in response and "ETag" not in response
    assert "private" in response["Cache-Control"]
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


def test_a_page_with_a_csp_nonce_is_never_shared(rf, settings):
    """A nonce is per response: a stored copy would hand one visitor's to the next."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils.module_loading import import_string

    from marketplace.page_cache import anonymous_page

    rendered = []

    def render():
        rendered.append(True)
        return HttpResponse('<script nonce="n0nce">1</script>', content_type="text/html")

    for _ in range(2):
        request = rf.get("/a-page-with-a-nonce/")
        request.user = AnonymousUser()
        request.session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
        response = anonymous_page(request, "nonce", (), render)
    assert len(rendered) == 2  # rendered each time, never served from the cache
    assert "private" in response["Cache-Control"] and "ETag" not in response
