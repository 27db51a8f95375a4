"""A signed-in resident's own stored copy of the catalogue and their board
(``marketplace.personal_page_cache``): served on their next view, with a token their browser's
forms can post, never to anyone else, and never once anything the page shows has changed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.apps.basket.models import Basket

from marketplace.auth_backends import EmailBackend, _user_with_roles
from marketplace.models import Household
from marketplace.personal_page_cache import HIT_HEADER
from tests.bookings.factories import WorkerFactory
from tests.cms.support import publish_board
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CATALOGUE = "/shop/catalogue/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _warm(client, url) -> str:
    """Two views of ``url``: the first is stored, the second is the stored copy."""
    first = client.get(url)
    assert first.status_code == 200 and HIT_HEADER not in first
    second = client.get(url)
    assert second[HIT_HEADER] == "hit"
    return second.content.decode()


def _fresh(client, url) -> str:
    """The next view of ``url``, which must not be a stored copy: rendered afresh."""
    response = client.get(url)
    assert response.status_code == 200
    assert HIT_HEADER not in response, "a stale copy was served"
    return response.content.decode()


def _without_tokens(body: str) -> str:
    return TOKEN.sub("", body)


@pytest.mark.parametrize("url", [CATALOGUE, "/boards/{slug}/"])
def test_a_second_view_is_the_residents_copy_and_costs_only_the_user(
    url, client, resident, published_board, community
):
    url = url.format(slug=community.slug)
    client.force_login(resident)
    rendered = client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        served = client.get(url)
    assert served[HIT_HEADER] == "hit"
    assert [q["sql"] for q in ctx.captured_queries if "marketplace_user" not in q["sql"]] == []
    assert _without_tokens(served.content.decode()) == _without_tokens(rendered.content.decode())
    assert "private" in served["Cache-Control"] and "ETag" not in served
    assert resident.get_full_name() in served.content.decode()


def test_the_stored_copys_token_posts_from_the_residents_browser(resident, published_board):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    _warm(browser, CATALOGUE)
    served = browser.get(CATALOGUE)
    assert served[HIT_HEADER] == "hit"
    tokens = TOKEN.findall(served.content.decode())
    assert tokens and "placeholder" not in tokens[0]
    elder = browser.post("/elder-mode/", {"elder": "1", "csrfmiddlewaretoken": tokens[0]})
    assert elder.status_code == 302
    resident.refresh_from_db()
    assert resident.elder_mode is True


def test_a_browser_without_a_csrf_cookie_gets_one_with_the_copy(resident, published_board):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    _warm(browser, CATALOGUE)
    del browser.cookies["csrftoken"]
    served = browser.get(CATALOGUE)
    assert served[HIT_HEADER] == "hit" and "csrftoken" in served.cookies
    token = TOKEN.findall(served.content.decode())[0]
    logout = browser.post("/shop/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert logout.status_code == 302


def test_another_resident_never_gets_my_copy(
    client, resident, other_resident, published_board, community
):
    client.force_login(resident)
    mine = _warm(client, CATALOGUE)
    neighbour = Client()
    neighbour.force_login(other_resident)
    theirs = _fresh(neighbour, CATALOGUE)
    assert other_resident.get_full_name() in theirs
    assert resident.get_full_name() not in theirs and resident.get_full_name() in mine


def _add_basket_line(resident, service):
    record = service.stockrecords.first()
    Basket.open.create(owner=resident).lines.create(
        product=service,
        stockrecord=record,
        quantity=3,
        line_reference="x3",
        price_currency="CNY",
        price_excl_tax=record.price,
        price_incl_tax=record.price,
    )


def test_the_header_shows_the_new_basket_count(client, resident, service, published_board):
    client.force_login(resident)
    assert 'class="badge badge-light"' not in _warm(client, CATALOGUE)
    _add_basket_line(resident, service)
    assert '<span class="badge badge-light">3</span>' in _fresh(client, CATALOGUE)


def test_the_header_shows_the_changed_language(client, resident, published_board):
    client.force_login(resident)
    assert "我的账户" in _warm(client, CATALOGUE)
    token = client.cookies["csrftoken"].value
    switched = client.post(
        "/i18n/setlang/", {"language": "en", "next": CATALOGUE, "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    body = _fresh(client, CATALOGUE)
    assert "My account" in body and "我的账户" not in body


def test_the_page_follows_elder_mode(client, resident, published_board):
    client.force_login(resident)
    assert "linli-elder" not in _warm(client, CATALOGUE).split("<head>")[0]
    client.post("/elder-mode/", {"elder": "1"})
    assert 'class="no-js linli-elder"' in _fresh(client, CATALOGUE)


def test_the_header_shows_the_changed_name(client, resident, published_board):
    client.force_login(resident)
    _warm(client, CATALOGUE)
    resident.first_name, resident.last_name = "丽", "赵"
    resident.save()
    body = _fresh(client, CATALOGUE)
    assert "赵丽" in body or "丽 赵" in body


def test_the_header_links_the_console_once_the_resident_becomes_a_worker(
    client, resident, provider, published_board
):
    client.force_login(resident)
    assert 'href="/provider/"' not in _warm(client, CATALOGUE)
    WorkerFactory(user=resident, provider=provider)
    assert 'href="/provider/"' in _fresh(client, CATALOGUE)


def test_a_new_home_community_shows_on_the_next_view(
    client, resident, other_community, published_board
):
    client.force_login(resident)
    _warm(client, CATALOGUE)
    Household.objects.filter(user=resident).update(is_default=False)
    Household.objects.create(
        user=resident, community=other_community, building="1", room="101", is_default=True
    )
    # ``update`` sends no signal: the home's cached id is what the save below forgets.
    home = Household.objects.get(user=resident, is_default=True)
    home.save()
    assert other_community.display_name in _fresh(client, CATALOGUE)


def test_a_new_price_shows_on_the_next_view(client, resident, service, community):
    publish_board(community)
    client.force_login(resident)
    for url in (CATALOGUE, f"/boards/{community.slug}/"):
        assert "¥120.00" in _warm(client, url)
    record = service.stockrecords.get(community=community)
    record.price = Decimal("135.00")
    record.save()
    publish_board(community)
    for url in (CATALOGUE, f"/boards/{community.slug}/"):
        body = _fresh(client, url)
        assert "¥135.00" in body and "¥120.00" not in body, url


def test_a_waiting_message_is_shown_once_and_never_stored(client, resident, published_board):
    client.force_login(resident)
    _warm(client, CATALOGUE)
    saved = client.post(
        "/shop/accounts/preferences/", {"language": "zh-hans", "elder_mode": ""}, follow=False
    )
    assert saved.status_code == 302
    shown = _fresh(client, CATALOGUE)
    assert "设置已保存" in shown
    after = client.get(CATALOGUE).content.decode()
    assert "设置已保存" not in after


def test_staff_pages_are_rendered_every_time(client, resident, published_board):
    resident.is_staff = True
    resident.save()
    resident.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(resident)
    for _ in range(3):
        assert HIT_HEADER not in client.get(CATALOGUE)


def test_the_user_load_answers_the_headers_questions_as_the_orm_does(
    resident, provider, provider_manager
):
    backend = EmailBackend()
    worker = WorkerFactory(user=UserFactory(email="w2@example.cn"), provider=provider)
    inactive = UserFactory(email="gone@example.cn", is_active=False)
    for user, manages, works in (
        (resident, False, False),
        (provider_manager, True, False),
        (worker.user, False, True),
    ):
        loaded = _user_with_roles(backend, user.pk)
        assert loaded == user and loaded.email == user.email
        assert loaded.manages_provider is manages
        with CaptureQueriesContext(connection) as ctx:
            assert hasattr(loaded, "worker_profile") is works
            assert loaded.has_provider_console is (manages or works)
        assert ctx.captured_queries == []
        assert loaded.get_session_auth_hash() == user.get_session_auth_hash()
    assert _user_with_roles(backend, worker.user.pk).worker_profile == worker
    assert _user_with_roles(backend, inactive.pk) is None
    assert _user_with_roles(backend, 10**9) is None
    assert _user_with_roles(backend, "not-an-id") is None
