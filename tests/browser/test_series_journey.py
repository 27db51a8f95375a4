"""A resident books a weekly series from the service page, sees the visits and their worker
before confirming, confirms, and skips one visit on the series page (Chinese and English)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment, Series, SeriesOccurrence
from tests.bookings.factories import WorkerFactory
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {
        "series": "预约定期上门",
        "see": "查看上门安排",
        "confirm": "确认定期服务",
        "skip": "跳过这次上门",
        "skipped": "已跳过",
    },
    "en": {
        "series": "Book regular visits",
        "see": "See the visits",
        "confirm": "Confirm the series",
        "skip": "Skip this visit",
        "skipped": "Skipped",
    },
}


@pytest.fixture
def service(service, published_board):
    return service


@pytest.fixture
def housekeeper(provider, community, service):
    return WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__first_name="秀英",
        user__last_name="刘",
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_resident_books_a_weekly_series_and_skips_one_visit(
    browser_page, live_server, lang, resident, service, housekeeper
):
    text = TEXT[lang]
    start = timezone.localdate() + timedelta(days=2)
    page = browser_page
    login(page, resident.email)
    if lang == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()

    page.goto(service.get_absolute_url())
    page.get_by_role("link", name=text["series"]).click()
    page.locator(f'input[name="weekdays"][value="{start.weekday()}"]').check()
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_at").select_option("10:00")
    page.locator("#id_count").fill("3")
    page.get_by_role("button", name=text["see"]).click()

    plan = page.locator("#series-plan")
    expect(plan).to_contain_text(housekeeper.display_name)
    expect(plan.locator("li")).to_have_count(3)
    assert not Series.objects.exists()

    page.get_by_role("button", name=text["confirm"]).click()
    coming = page.locator("#series-coming .series-visit")
    expect(coming).to_have_count(3)
    coming.nth(1).get_by_role("button", name=text["skip"]).click()
    expect(page.locator('#series-coming .series-visit[data-status="skipped"]')).to_contain_text(
        text["skipped"]
    )

    series = Series.objects.get(resident=resident)
    assert list(series.occurrences.values_list("status", flat=True)) == [
        SeriesOccurrence.Status.BOOKED,
        SeriesOccurrence.Status.SKIPPED,
        SeriesOccurrence.Status.BOOKED,
    ]
    assert series.appointments.filter(status=Appointment.Status.CONFIRMED).count() == 2
