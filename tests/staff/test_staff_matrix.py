"""Every staff URL × every role: who is let in, who is turned away.

The staff URLs are read from the URL resolver (everything under ``/shop/dashboard/``) and from
the admin site's registry, so a new staff page is in the matrix without anyone adding it; one
without an explicit permission fails ``test_every_dashboard_page_names_its_permission``.
"""

import re

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from oscar.apps.dashboard.nav import _dashboard_url_names_to_config

#: Our own pages under /shop/dashboard/ (not an Oscar dashboard app): name → permission.
OWN_STAFF_PAGES = {
    "payments:staff-payments": "payments.view_paymentintentrecord",
    "payments:staff-payment": "payments.view_paymentintentrecord",
}
#: Pages anyone may open: the dashboard's log-in and log-out.
PUBLIC = {"dashboard:login", "dashboard:logout"}
#: Oscar's discount pages, closed to everyone (no discounts are sold: the board is the price).
CLOSED = ("shop/dashboard/offers/", "shop/dashboard/ranges/", "shop/dashboard/vouchers/")

ROLES = [
    "superuser",
    "bare_staff",
    "operator",
    "payment_viewer",
    "operator_b",
    "enterprise_manager",
    "editor_a",
    "editor_b",
    "provider_manager",
    "worker",
    "resident",
    "anonymous",
]
#: Who may open our payments pages (each then sees only their own enterprise's rows).
PAYMENT_ROLES = {"superuser", "operator", "payment_viewer", "operator_b"}


def _walk(patterns, prefix="", namespaces=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            name = ":".join(namespaces + (pattern.name,)) if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern


def _sample_url(name, pattern):
    """The pattern's URL with made-up arguments (permission checks come before the view)."""
    if hasattr(pattern.pattern, "converters") and pattern.pattern.converters:
        params = list(pattern.pattern.converters)
    else:
        params = list(pattern.pattern.regex.groupindex)
    for value in ("1", "x", "1-x"):
        try:
            return reverse(name, kwargs={p: value for p in params})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


def dashboard_pages(closed=False):
    """``[(url name, sample URL)]`` for every named URL under /shop/dashboard/ (not public);
    with ``closed``, only the closed discount pages instead."""
    pages = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        route = route.replace("^", "").replace("\\Z", "").replace("$", "")
        if not route.startswith("shop/dashboard/"):
            continue
        if name == "dashboard-discounts-closed":
            continue  # the one view that closes them
        if route.startswith(CLOSED) != closed:
            continue
        assert name, f"an unnamed staff URL: /{route}"
        if name in PUBLIC:
            continue
        pages.setdefault(name, _sample_url(name, pattern))
    return sorted(pages.items())


def _oscar_permissions(name):
    config = _dashboard_url_names_to_config().get(name.split(":")[-1])
    return None if config is None else config.get_permissions(name.split(":")[-1])


def _login(client, roles, role):
    if roles[role] is not None:
        client.force_login(roles[role])


def _denied(response):
    if response.status_code == 403:
        return True
    return response.status_code == 302 and "login" in response["Location"]


def test_the_matrix_covers_the_dashboard_and_our_payment_pages():
    names = {name for name, _url in dashboard_pages()}
    assert {"dashboard:index", "dashboard:order-list", "payments:staff-payments"} <= names
    assert len(names) > 60


def test_the_discount_pages_are_closed_even_to_the_superuser(client, roles):
    closed = dashboard_pages(closed=True)
    assert {"dashboard:offer-list", "dashboard:voucher-list"} <= {name for name, _ in closed}
    client.force_login(roles["superuser"])
    assert {url: client.get(url).status_code for _name, url in closed} == {
        url: 404 for _name, url in closed
    }


def test_every_dashboard_page_names_its_permission():
    """Each page: Oscar's own ``permissions_map`` entry whose every way in needs a model
    permission (with platform staff), or one of our pages listed with its permission."""
    for name, _url in dashboard_pages():
        if name in OWN_STAFF_PAGES:
            continue
        permissions = _oscar_permissions(name)
        assert permissions, f"{name}: no permission at all"
        ways_in = [permissions] if isinstance(permissions, list) else list(permissions)
        for way in ways_in:
            if way == ["partner.dashboard_access"]:
                continue  # Oscar scopes these users to their own partners
            assert any("." in p for p in way), f"{name}: {way} names no model permission"
            assert "is_staff" in way, f"{name}: {way} lets in non-platform staff"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_dashboard_pages(client, roles, role, payments_of_each):
    """Every page under /shop/dashboard/, GET: allowed for the roles that hold its
    permission, 403 (or, anonymous, the log-in page) for everyone else."""
    _login(client, roles, role)
    wrong = []
    for name, url in dashboard_pages():
        if name == "payments:staff-payment":
            url = reverse(name, args=[payments_of_each["a"].pk])
        may = role == "superuser" or (name in OWN_STAFF_PAGES and role in PAYMENT_ROLES)
        response = client.get(url)
        if may and "<" not in url and re.search(r"/x/|/1/|/1-x/", url) is None:
            if _denied(response) or response.status_code >= 500:
                wrong.append((url, response.status_code, "should be allowed"))
        elif not may and not _denied(response):
            wrong.append((url, response.status_code, "should be denied"))
    # Payment 'a' is Anju's: Jinghua's operator reaches the page's address but not the row.
    assert wrong == [] or (
        role == "operator_b"
        and [w[0] for w in wrong]
        == [reverse("payments:staff-payment", args=[payments_of_each["a"].pk])]
        and wrong[0][1] == 404
    ), wrong


@pytest.mark.parametrize("role", ROLES)
def test_the_django_admin_is_for_platform_staff_with_each_models_permission(client, roles, role):
    """Django's admin lists every enterprise's rows: platform staff only, each model by its
    own permission (the bare staff user sees the index and nothing in it)."""
    _login(client, roles, role)
    urls = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    index = client.get(reverse("admin:index"))
    if role == "superuser":
        assert index.status_code == 200
        assert all(client.get(url).status_code == 200 for url in urls)
    elif role == "bare_staff":
        assert index.status_code == 200
        assert {client.get(url).status_code for url in urls} == {403}
    else:
        assert index.status_code == 302 and "/login/" in index["Location"]
        assert all(_denied(client.get(url)) for url in urls)


@pytest.mark.parametrize("role", ROLES)
def test_wagtail_admin_is_for_enterprise_board_staff(client, roles, role):
    """Wagtail's admin lets in the boards' editors and managers (``access_admin`` through
    their enterprise's groups) and the superuser; nobody else, staff flag or not."""
    _login(client, roles, role)
    response = client.get("/cms/")
    if role in {"superuser", "enterprise_manager", "editor_a", "editor_b"}:
        assert response.status_code == 200
    else:
        assert _denied(response), response.status_code
