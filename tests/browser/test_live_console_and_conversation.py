"""In the browser: a worker's open console shows a new offer by itself (no reload), and after
accepting, the worker's message reaches the resident's open appointment page by itself."""

import pytest
from playwright.sync_api import expect

from bookings.appointments.one_click import appointment_book
from bookings.dispatch.offers import offer_accept
from bookings.models import JobOffer
from tests.bookings.factories import WorkerFactory
from tests.conftest import login
from tests.support import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_console_shows_a_new_offer_and_the_resident_sees_the_workers_message(
    browser_page, _playwright_browser, live_server, resident, service, community, provider
):
    from cms.services import site_tree_ensure
    from tests.cms.support import publish_board

    site_tree_ensure()
    publish_board(community)
    worker = WorkerFactory(
        provider=provider,
        skills=[service.product_class],
        communities=[community],
        user__email="worker@example.cn",
    )
    page = browser_page
    login(page, worker.user.email)
    page.goto("/provider/")
    expect(page.locator(".offer-card")).to_have_count(0)
    page.evaluate("window.__notReloaded = true")

    # The resident books meanwhile; the on-commit kick puts out the offer (eager Celery here).
    job = appointment_book(user=resident, product=service, start=local(2, 10))
    offer = JobOffer.objects.get(appointment=job, status=JobOffer.Status.OPEN)
    expect(page.locator(f'[data-offer="{offer.pk}"]')).to_be_visible(timeout=8000)
    assert page.evaluate("window.__notReloaded") is True  # the same page, not a reload

    offer_accept(offer=offer, worker=worker)
    resident_context = _playwright_browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        resident_page = resident_context.new_page()
        login(resident_page, resident.email)
        resident_page.goto(job.get_absolute_url())
        expect(resident_page.locator("#conversation")).to_be_visible()

        page.goto(f"/provider/jobs/{job.pk}/")
        page.locator("#conversation-form textarea").fill("我十分钟后到，请稍等")
        page.locator("#conversation-form button[type=submit]").click()
        expect(page.locator("#conversation-messages")).to_contain_text("我十分钟后到")

        expect(resident_page.locator("#conversation-messages")).to_contain_text(
            "我十分钟后到", timeout=8000
        )
    finally:
        resident_context.close()
