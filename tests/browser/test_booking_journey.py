"""A resident books a housekeeping service for tomorrow 10:00 in one click and sees it in My
appointments (Chinese and English); a second resident no longer sees that time."""

import re

import pytest
from playwright.sync_api import expect

from tests.bookings.factories import WorkerFactory
from tests.conftest import login
from tests.support import tomorrow_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {
        "service": "日常保洁（2 小时）",
        "confirmed": "已确认",
        "mine": "我的预约",
        "category": "家政服务",
    },
    "en": {
        "service": "Regular cleaning (2 hours)",
        "confirmed": "Confirmed",
        "mine": "My appointments",
        "category": "Housekeeping",
    },
}


@pytest.fixture
def service(service, published_board):
    """The service, with its price on the community's published fee board."""
    return service


@pytest.fixture
def housekeeper(provider, community, service):
    """The only worker for ``service``: 08:00–18:00 every day."""
    return WorkerFactory(provider=provider, skills=[service.product_class], communities=[community])


def _times_on(page, day):
    return page.locator(
        f'section[data-date="{day.isoformat()}"] button.linli-slot'
    ).all_inner_texts()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_resident_books_tomorrow_at_ten_in_one_click(
    browser_page,
    _playwright_browser,
    live_server,
    lang,
    resident,
    other_resident,
    service,
    housekeeper,
):
    text, tomorrow = TEXT[lang], tomorrow_at(0).date()
    page = browser_page
    login(page, resident.email)
    if lang == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()

    page.get_by_role("link", name=re.compile("^(服务|Services)$")).first.click()
    page.get_by_role("link", name=text["category"]).first.click()
    page.get_by_role("link", name=text["service"]).first.click()
    assert "10:00" in _times_on(page, tomorrow)

    # One click.
    page.locator(f'section[data-date="{tomorrow.isoformat()}"]').get_by_role(
        "button", name="10:00", exact=True
    ).click()
    expect(page.locator("#appointment-status")).to_have_text(text["confirmed"])
    expect(page.locator("#appointment-time")).to_contain_text("10:00–12:00")

    page.get_by_role("link", name=text["mine"]).first.click()
    upcoming = page.locator("#upcoming-appointments")
    expect(upcoming).to_contain_text(text["service"])
    expect(upcoming).to_contain_text("10:00–12:00")
    expect(upcoming).to_contain_text(text["confirmed"])

    # The only worker is taken from 10:00 to 12:15 (travel buffer): a second resident is
    # offered neither 10:00 nor anything overlapping it.
    context = _playwright_browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        second = context.new_page()
        login(second, other_resident.email)
        second.goto(service.get_absolute_url())
        times = _times_on(second, tomorrow)
        assert "10:00" not in times
        assert not {"08:30", "09:00", "09:30", "10:30", "11:00", "11:30", "12:00"} & set(times)
        assert {"12:30", "16:00"} <= set(times)
    finally:
        context.close()
