"""After the service, in both languages: the worker completes the job, the resident rates it
and files a complaint, the provider answers and resolves it, the resident is satisfied; the
community's board shows the complaint and its rates move."""

import re

import pytest
from playwright.sync_api import expect

from bookings.appointments.lifecycle import appointment_transition
from bookings.appointments.one_click import appointment_book
from bookings.models import Appointment
from feedback.models import Complaint, Rating
from tests.bookings.console.conftest import starting_in
from tests.conftest import login
from tests.support import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {"submitted": "已提交", "closed": "已关闭", "satisfied": "满意"},
    "en": {"submitted": "filed", "closed": "Closed", "satisfied": "Satisfied"},
}


@pytest.fixture
def accepted_job(resident, service, community, worker):
    """The resident's job (paid after the service), accepted by the worker, starting in 30 min."""
    from cms.services import site_tree_ensure
    from tests.cms.support import publish_board

    site_tree_ensure()
    publish_board(community)
    job = appointment_book(user=resident, product=service, start=local(1, 10))
    appointment_transition(appointment=job, to=Appointment.Status.ACCEPTED, by=worker.user)
    return starting_in(job, 30)


def _as(browser, live_server, email, language):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, email)
    return page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rate_complain_answer_satisfied_and_the_board_moves(
    _playwright_browser,
    live_server,
    accepted_job,
    resident,
    worker,
    provider_manager,
    community,
    language,
):
    job = accepted_job
    board = f"/boards/{community.slug}/"
    anonymous = _playwright_browser.new_context(base_url=live_server.url).new_page()
    anonymous.goto(board)
    expect(anonymous.locator("#figure-count")).to_have_text("0")

    # The worker completes the job in the console.
    page = _as(_playwright_browser, live_server, worker.user.email, language)
    page.goto(f"/provider/jobs/{job.pk}/")
    page.locator("#check-in").click()
    page.locator("textarea[name=notes]").fill("done")
    page.locator("#complete").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # The resident rates it and complains about it.
    page = _as(_playwright_browser, live_server, resident.email, language)
    page.goto(f"/shop/accounts/appointments/{job.pk}/")
    page.locator("#rate-link").click()
    page.locator("input[name=stars][value='3']").check()
    page.locator("input[name=tags][value='late']").check()
    page.locator("textarea[name=text]").fill("迟到了二十分钟")
    page.locator("#rate-submit").click()
    expect(page).to_have_url(re.compile(rf"/appointments/{job.pk}/$"))
    expect(page.locator("#feedback-panel")).to_contain_text("★★★☆☆")
    page.locator("#complain-link").click()
    page.locator("select[name=category]").select_option("punctuality")
    page.locator("textarea[name=text]").fill("迟到二十分钟，没有提前告知")
    page.locator("#complaint-submit").click()
    expect(page.locator(".alert-success")).to_contain_text(TEXT[language]["submitted"])
    complaint = Complaint.objects.get()
    expect(page.locator("#complaint-timeline")).to_contain_text("迟到二十分钟")
    assert Rating.objects.get().stars == 3

    anonymous.goto(board)
    expect(anonymous.locator("#figure-count")).to_have_text("1")

    # The provider answers and resolves it on the desk.
    desk = _as(_playwright_browser, live_server, provider_manager.email, language)
    desk.goto("/desk/complaints/")
    desk.get_by_role("link", name=complaint.number).click()
    desk.locator("#id_desk_text").fill("已核实，退还 20 元并致歉")
    desk.locator("#desk-resolve").click()
    expect(desk.locator("#complaint-timeline")).to_contain_text("退还 20 元")

    # The resident is satisfied.
    page.reload()
    page.locator("#satisfaction-form input[value='satisfied']").check()
    page.locator("#satisfaction-form button[type=submit]").click()
    expect(page.locator("#complaint-status")).to_have_text(TEXT[language]["closed"])
    expect(page.locator("#complaint-satisfaction")).to_have_text(TEXT[language]["satisfied"])

    anonymous.goto(board)
    expect(anonymous.locator("#figure-satisfaction")).to_contain_text("100.0 %")
    expect(anonymous.locator("#figure-response")).to_contain_text("100.0 %")
