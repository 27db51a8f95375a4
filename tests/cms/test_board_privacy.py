"""A fee board's view restrictions (Wagtail's password, login and group restrictions) hold for
every representation of the board: the page, board.json, board.csv, print/, changes/, and every
cached copy of them."""

from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Page, PageViewRestriction

URL = "/boards/wangjing-garden/"
REPRESENTATIONS = ["", "board.json", "board.csv", "print/", "changes/"]
PRICE = "120.00"  # the service's price: on the open board, its exports and its print page
REVISION = 'id="revision-'  # a publication: on the open board's change log


def _marker(response) -> str:
    return REVISION if response.request["PATH_INFO"].endswith("changes/") else PRICE


def _restrict(page, kind, group=None):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password="linli" if kind == "password" else ""
    )
    if group is not None:
        restriction.groups.add(group)
    return restriction


def _pass_password(client, restriction, page, url):
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": "linli", "return_url": url},
    )
    assert response.status_code == 302 and response["Location"] == url


def _warm(url):
    """Fetch ``url`` twice as an anonymous visitor, so any cache holds it."""
    for _ in range(2):
        Client().get(url)


def _assert_shows_the_board(response):
    assert response.status_code == 200
    assert _marker(response) in response.content.decode("utf-8-sig")


def _assert_asks_for_the_password(response):
    body = response.content.decode("utf-8-sig")
    assert 'name="password"' in body
    assert _marker(response) not in body
    assert "X-Board-Cache" not in response and "X-Page-Cache" not in response
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def _assert_sends_to_login(response, url):
    assert response.status_code == 302
    assert "login" in response["Location"] and url in unquote(response["Location"])
    assert _marker(response) not in response.content.decode()


@pytest.mark.parametrize("subpath", REPRESENTATIONS)
def test_every_representation_of_an_open_board_shows_its_prices(client, board, subpath):
    _assert_shows_the_board(client.get(URL + subpath))


@pytest.mark.parametrize("subpath", REPRESENTATIONS)
def test_a_password_restricted_board_asks_for_the_password_in_every_form(client, board, subpath):
    url = URL + subpath
    _warm(url)  # cached while open: the restriction must not leave that copy served
    restriction = _restrict(board, PageViewRestriction.PASSWORD)
    _assert_asks_for_the_password(client.get(url))
    _assert_asks_for_the_password(Client().get(url))
    _pass_password(client, restriction, board, url)
    _assert_shows_the_board(client.get(url))
    _assert_shows_the_board(client.get(url))
    # The visitor who passed may have had it stored: nobody else is served that copy.
    _assert_asks_for_the_password(Client().get(url))


@pytest.mark.parametrize("subpath", REPRESENTATIONS)
def test_a_password_on_the_board_index_covers_every_board_form(client, board, subpath):
    url = URL + subpath
    _warm(url)
    restriction = _restrict(Page.objects.get(slug="boards"), PageViewRestriction.PASSWORD)
    _assert_asks_for_the_password(Client().get(url))
    _pass_password(client, restriction, Page.objects.get(slug="boards"), url)
    _assert_shows_the_board(client.get(url))


@pytest.mark.parametrize("subpath", REPRESENTATIONS)
def test_a_login_restricted_board_sends_anonymous_visitors_to_log_in(
    client, board, resident, subpath
):
    url = URL + subpath
    _warm(url)
    _restrict(board, PageViewRestriction.LOGIN)
    _assert_sends_to_login(Client().get(url), url)
    client.force_login(resident)
    _assert_shows_the_board(client.get(url))
    _assert_sends_to_login(Client().get(url), url)


@pytest.mark.parametrize("subpath", REPRESENTATIONS)
def test_a_group_restricted_board_is_shown_to_the_group_only(
    client, board, resident, other_resident, subpath
):
    url = URL + subpath
    _warm(url)
    committee = Group.objects.create(name="业委会")
    _restrict(board, PageViewRestriction.GROUPS, group=committee)
    _assert_sends_to_login(Client().get(url), url)
    outsider = Client()
    outsider.force_login(other_resident)
    _assert_sends_to_login(outsider.get(url), url)
    resident.groups.add(committee)
    client.force_login(resident)
    _assert_shows_the_board(client.get(url))
    _assert_sends_to_login(outsider.get(url), url)


def test_lifting_the_restriction_opens_every_form_again(client, board):
    restriction = _restrict(board, PageViewRestriction.PASSWORD)
    for subpath in REPRESENTATIONS:
        _assert_asks_for_the_password(client.get(URL + subpath))
    restriction.delete()
    for subpath in REPRESENTATIONS:
        _assert_shows_the_board(client.get(URL + subpath))
