"""No state change on GET: log-out by POST only, Oscar's wish lists closed."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from oscar.apps.wishlists.models import WishList


def test_shop_logout_by_get_is_refused_and_keeps_the_session(client, resident):
    client.force_login(resident)
    assert client.get("/shop/accounts/logout/").status_code == 405
    assert client.session[SESSION_KEY] == str(resident.pk)
    assert client.post("/shop/accounts/logout/").status_code == 302
    assert SESSION_KEY not in client.session


def test_cms_logout_by_get_is_refused_and_keeps_the_session_cookie(client, enterprise_editor):
    client.force_login(enterprise_editor)
    response = client.get("/cms/logout/")
    assert response.status_code == 405
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert cookie is None or cookie.value  # not deleted
    assert client.session[SESSION_KEY] == str(enterprise_editor.pk)
    response = client.post("/cms/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_wishlists_are_closed_and_write_nothing(client, resident, service):
    client.force_login(resident)
    assert client.get(f"/shop/accounts/wishlists/add/{service.pk}/").status_code == 404
    assert client.post(f"/shop/accounts/wishlists/add/{service.pk}/").status_code == 404
    assert client.get("/shop/accounts/wishlists/").status_code == 404
    assert client.get("/shop/wishlists/abc/").status_code == 404
    assert not WishList.objects.exists()


def test_the_account_menu_has_no_wishlists(client, resident):
    client.force_login(resident)
    body = client.get("/shop/accounts/profile/").content.decode()
    assert "wishlists" not in body
