"""Login throttling (django-axes) on every login form, and Django's password validators."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth import SESSION_KEY
from django.utils import timezone, translation

from tests.factories import PASSWORD, UserFactory

LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def _shop_login(client, email, password, ip="10.0.0.1"):
    return client.post(
        "/shop/accounts/login/",
        {"login-username": email, "login-password": password, "login_submit": "1"},
        REMOTE_ADDR=ip,
    )


def _admin_login(path):
    def login(client, username, password, ip="10.0.0.1"):
        return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)

    return login


LOGIN_FORMS = {
    "shop": _shop_login,
    "wagtail": _admin_login("/cms/login/"),
    "django-admin": _admin_login("/django-admin/login/"),
}


@pytest.fixture
def staff_user(db):
    return UserFactory(email="staff@example.cn", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_the_right_password_after_the_failure_limit_is_refused_with_429(client, staff_user, form):
    login = LOGIN_FORMS[form]
    name = staff_user.email
    for _ in range(LIMIT - 1):
        assert login(client, name, "wrong-password").status_code == 200  # the form again
    response = login(client, name, "wrong-password")
    assert response.status_code == 429
    response = login(client, name, PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert int(response["Retry-After"]) == 15 * 60
    assert "登录失败次数过多" in response.content.decode()


def test_below_the_limit_the_right_password_logs_in(client, resident):
    for _ in range(LIMIT - 1):
        _shop_login(client, resident.email, "wrong-password")
    response = _shop_login(client, resident.email, PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(resident.pk)


def test_the_lockout_holds_one_account_from_one_address(client, resident, other_resident):
    for _ in range(LIMIT):
        _shop_login(client, resident.email, "wrong-password", ip="10.0.0.1")
    assert _shop_login(client, resident.email, PASSWORD, ip="10.0.0.1").status_code == 429
    # The same account from elsewhere, and a neighbour behind the same address, still log in.
    assert _shop_login(client, resident.email, PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert _shop_login(client, other_resident.email, PASSWORD, ip="10.0.0.1").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, resident):
    for _ in range(LIMIT):
        _shop_login(client, resident.email, "wrong-password")
    assert _shop_login(client, resident.email, PASSWORD).status_code == 429
    # The cool-off (15 min) has passed since the last failure.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _shop_login(client, resident.email, PASSWORD).status_code == 302


def test_staff_unlock_an_account(client, resident):
    for _ in range(LIMIT):
        _shop_login(client, resident.email, "wrong-password")
    assert _shop_login(client, resident.email, PASSWORD).status_code == 429
    reset(username=resident.email)  # Django admin's "Access attempts" delete does the same
    assert _shop_login(client, resident.email, PASSWORD).status_code == 302


def test_the_lockout_message_speaks_english_too(client, resident):
    for _ in range(LIMIT):
        _shop_login(client, resident.email, "wrong-password")
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        response = _shop_login(client, resident.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


@pytest.mark.parametrize("password", ["12345678", "password", "linli"])
def test_registration_refuses_a_weak_password(client, db, password):
    from marketplace.models import User

    response = client.post(
        "/shop/accounts/register/",
        {
            "email": "new@example.cn",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.cn").exists()
    body = response.content.decode()
    assert any(m in body for m in ("这个密码太常见了", "密码只包含数字", "密码太短"))


def test_password_change_refuses_a_weak_password(client, resident):
    client.force_login(resident)
    response = client.post(
        "/shop/accounts/change-password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_registration_with_a_good_password_logs_the_resident_in(client, db):
    from marketplace.models import User

    response = client.post(
        "/shop/accounts/register/",
        {
            "email": "new@example.cn",
            "password1": "Wangjing-3-2-1201",
            "password2": "Wangjing-3-2-1201",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.cn")
    assert client.session[SESSION_KEY] == str(user.pk)
