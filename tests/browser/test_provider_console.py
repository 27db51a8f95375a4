"""A worker runs a job from a phone (360 px): accepts the offer, sees the address, checks in,
completes; the resident's appointment then shows completed with the card payment captured."""

import re

import pytest
from playwright.sync_api import expect

from bookings.appointments.one_click import appointment_book
from bookings.models import Appointment, JobOffer
from payments.models import PaymentIntentRecord
from tests.bookings.console.conftest import starting_in
from tests.bookings.factories import WorkerFactory
from tests.conftest import login
from tests.payments.conftest import save_card
from tests.support import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def card_job(localstripe, resident, service, community, provider):
    """A card booking for tomorrow at 10:00 (¥120 authorised), offered to the only worker, and
    moved to start in 40 minutes (test setup: the worker's day has come)."""
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
    save_card(resident)
    job = appointment_book(user=resident, product=service, start=local(1, 10))
    assert PaymentIntentRecord.objects.get(order=job.order).status == "authorised"
    if not JobOffer.objects.filter(appointment=job, status=JobOffer.Status.OPEN).exists():
        from tests.bookings.console.test_offers_and_dispatch import put_out_offer

        put_out_offer(job)
    return worker, starting_in(job, 40)


@pytest.mark.parametrize("browser_page", [PHONE], indirect=True)
def test_a_worker_runs_a_job_from_a_phone_and_the_resident_sees_it_paid(
    browser_page, _playwright_browser, live_server, card_job, resident
):
    worker, job = card_job
    page = browser_page
    login(page, worker.user.email)
    page.goto("/provider/")

    offer = page.locator(".offer-card")
    expect(offer).to_have_count(1)
    expect(offer.locator(".countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(offer).not_to_contain_text("1201")  # no room number before accepting
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    offer.locator("button.offer-accept").click()

    expect(page).to_have_url(re.compile(rf"/provider/jobs/{job.pk}/$"))
    expect(page.locator("#job-address")).to_contain_text("1201")
    expect(page.locator("#job-phone")).to_have_text("13800138001")
    page.locator("#check-in").click()

    page.locator("textarea[name=notes]").fill("已完成全屋清洁，厨房油污较重")
    page.locator("#complete").click()
    expect(page.locator(".alert-success")).to_contain_text("120")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    job.refresh_from_db()
    assert job.status == Appointment.Status.COMPLETED
    intent = PaymentIntentRecord.objects.get(order=job.order)
    assert (intent.status, str(intent.amount_captured)) == ("captured", "120.00")

    # The resident, on their own phone.
    context = _playwright_browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        resident_page = context.new_page()
        login(resident_page, resident.email)
        resident_page.goto(f"/shop/accounts/appointments/{job.pk}/")
        expect(resident_page.locator("#appointment-status")).to_have_text(
            re.compile("已完成|Completed")
        )
        expect(resident_page.locator(".linli-payment")).to_have_attribute("data-status", "captured")
    finally:
        context.close()
