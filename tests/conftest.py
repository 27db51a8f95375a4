"""Shared fixtures: personas, a small priced world, and Debian's Chromium through Playwright.

Tests that need PostgreSQL or Redis use the ``postgres``/``redis`` markers and skip with a
reason when ``DATABASE_URL``/``REDIS_URL`` are not set.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from bookings.appointments.one_click import appointment_book
from tests.bookings.factories import WorkerFactory
from tests.factories import (
    CATEGORIES,
    CommunityFactory,
    EnterpriseFactory,
    HouseholdFactory,
    PartnerFactory,
    ProductFactory,
    StockRecordFactory,
    UserFactory,
    product_class,
)

pytest_plugins = ["tests.localstripe"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# there unless told that this is a test process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _is_postgres():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL and CELERY_BROKER_URL")
    skip_browser = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}")
    has_redis = bool(os.environ.get("REDIS_URL")) and os.environ.get(
        "CELERY_BROKER_URL", ""
    ).startswith("redis")
    for item in items:
        if "postgres" in item.keywords and not _is_postgres():
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not has_redis:
            item.add_marker(skip_redis)
        if "browser" in item.keywords and not Path(CHROMIUM).exists():
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (cached fragments and pages are per test)."""
    from django.core.cache import cache

    cache.clear()
    yield


# --- the world ---------------------------------------------------------------------------


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="北京安居物业服务有限公司", name_en="Beijing Anju Property")


@pytest.fixture
def community(enterprise):
    return CommunityFactory(
        enterprise=enterprise, name="望京花园", name_en="Wangjing Garden", slug="wangjing-garden"
    )


@pytest.fixture
def other_community(enterprise):
    return CommunityFactory(
        enterprise=enterprise, name="清河嘉园", name_en="Qinghe Jiayuan", slug="qinghe"
    )


@pytest.fixture
def provider(enterprise, community, other_community):
    return PartnerFactory(
        enterprise=enterprise,
        name="好帮手家政",
        name_en="Haobangshou",
        communities=[community, other_community],
    )


@pytest.fixture
def service(provider, community):
    """A housekeeping service priced ¥120 in ``community`` only."""
    product = ProductFactory(title="日常保洁（2 小时）", title_en="Regular cleaning (2 hours)")
    StockRecordFactory(product=product, partner=provider, community=community, price="120.00")
    return product


@pytest.fixture
def services_in_every_category(provider, community):
    products = []
    for slug, zh, en in CATEGORIES:
        pc = product_class(slug, zh, en)
        product = ProductFactory(product_class=pc, title=f"{zh}项目", title_en=f"{en} service")
        StockRecordFactory(product=product, partner=provider, community=community, price="88.00")
        products.append(product)
    return products


# --- personas ----------------------------------------------------------------------------


@pytest.fixture
def resident(community):
    user = UserFactory(email="resident@example.cn", first_name="芳", last_name="王")
    HouseholdFactory(user=user, community=community)
    return user


@pytest.fixture
def other_resident(community):
    user = UserFactory(email="other@example.cn", first_name="伟", last_name="李")
    HouseholdFactory(user=user, community=community, building="5", room="602")
    return user


@pytest.fixture
def provider_manager(provider):
    user = UserFactory(email="manager@example.cn")
    provider.users.add(user)
    return user


@pytest.fixture
def other_provider(enterprise, community):
    return PartnerFactory(enterprise=enterprise, name="别家服务商", communities=[community])


@pytest.fixture
def enterprise_editor(enterprise):
    user = UserFactory(email="editor@example.cn", is_staff=True)
    enterprise.staff.add(user)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.cn")


# --- browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(request, _playwright_browser, live_server):
    """A fresh browser context on the live server; a screenshot is kept when the test fails."""
    viewport = getattr(request, "param", None) or {"width": 1280, "height": 900}
    context = _playwright_browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Every journey runs under the site's Content-Security-Policy: anything it refuses (an
    # inline script without the nonce, a handler, a foreign origin) fails the test.
    csp_violations = []
    page.on(
        "console",
        lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not csp_violations, "the Content-Security-Policy refused: " + " | ".join(csp_violations)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def login(page, email, password="pw-linli-test"):
    """Log in through Oscar's login form, as a person would."""
    page.goto("/shop/accounts/login/")
    page.fill("#id_login-username", email)
    page.fill("#id_login-password", password)
    page.click("button[name=login_submit]")


@pytest.fixture
def published_board(service, community):
    """``community``'s fee board, complete and published with ``service``'s price on it: what
    every booking needs (a price can be charged only if it is on the published board)."""
    from tests.cms.support import publish_board

    return publish_board(community)


@pytest.fixture
def board(published_board):
    """``community``'s published fee board (``published_board``), by the name the fee board
    tests use; ``service`` is on it at ¥120."""
    return published_board


# --- people who work, and booking (shared by bookings, console, dispatch, integration, drills) ---


@pytest.fixture
def worker(provider, community, service):
    """The provider's first worker, who can do ``service`` in ``community``: 08:00–18:00 daily."""
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="秀英",
        user__last_name="刘",
        user__email="worker@example.cn",
    )


@pytest.fixture
def second_worker(provider, community, service):
    """A second worker of the provider, with the same skills, community and hours."""
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="建国",
        user__last_name="陈",
        user__email="worker2@example.cn",
    )


@pytest.fixture
def book(resident, service, published_board):
    """Book ``service`` for ``resident`` (or another user) at a start, through one click, with
    the community's fee board published; returns the appointment."""

    def _book(start, user=None, product=None, **kwargs):
        return appointment_book(
            user=user or resident, product=product or service, start=start, **kwargs
        )

    return _book


@pytest.fixture
def english(client, settings):
    """Messages in English: raised by services, and on the pages the ``client`` asks for (the
    site's default language is Simplified Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
