"""A resident reports a leak with a photo; the maintenance worker accepts and completes it on a
phone-sized console; the resident confirms; the community board's repair figures move."""

import re

import pytest
from playwright.sync_api import expect

from repairs.models import RepairPhoto, RepairRequest
from tests.conftest import login
from tests.repairs.conftest import ALL_DAY, jpeg_with_exif

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def world(community, resident, enterprise):
    from cms.services import site_tree_ensure
    from marketplace.partner.models import Partner
    from tests.bookings.factories import WorkerFactory
    from tests.cms.support import publish_board
    from tests.factories import PartnerFactory

    site_tree_ensure()
    board = publish_board(community)
    maintenance = PartnerFactory(
        enterprise=enterprise, kind=Partner.Kind.ENTERPRISE, communities=[community]
    )
    fixer = WorkerFactory(
        provider=maintenance,
        communities=[community],
        hours=ALL_DAY,
        user__email="fixer@example.cn",
    )
    return board, fixer


@pytest.mark.parametrize("browser_page", [PHONE], indirect=True)
def test_a_leak_is_reported_fixed_confirmed_and_counted_on_the_board(
    browser_page, _playwright_browser, live_server, world, resident
):
    board, fixer = world
    page = browser_page
    page.goto(f"/boards/{board.community.slug}/")
    expect(page.locator('#repair-figures [data-figure="take"]')).to_have_text(re.compile(r"^0 / 0"))

    # The resident reports a leak in their home, with a photo.
    login(page, resident.email)
    page.goto("/shop/accounts/repairs/new/")
    page.locator("select[name=category]").select_option("plumbing")
    page.locator("textarea[name=description]").fill("厨房水槽下面漏水")
    photo = jpeg_with_exif((1200, 900))
    page.locator("input[name=photo1]").set_input_files(
        {"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": photo.read()}
    )
    page.get_by_role("button", name="提交报修").click()
    expect(page).to_have_url(re.compile(r"/shop/accounts/repairs/\d+/$"))
    expect(page.locator(".badge-danger").first).to_have_text("急修")  # a leak is urgent
    repair = RepairRequest.objects.get()
    assert RepairPhoto.objects.filter(request=repair).count() == 1

    # The maintenance worker, on a phone: accept, on the way, check in, complete.
    worker_context = _playwright_browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    phone = worker_context.new_page()
    login(phone, fixer.user.email)
    phone.goto("/provider/repairs/")
    phone.get_by_role("link", name=re.compile(rf"#{repair.pk}")).first.click()
    expect(phone.locator("#repair-contact")).to_have_count(0)  # no address before accepting
    phone.locator("#accept-repair").click()
    expect(phone.locator("#repair-contact")).to_contain_text("1201")
    phone.locator("#on-the-way").click()
    phone.locator("#check-in").click()
    phone.locator("#complete-form textarea[name=notes]").fill("更换水槽下水管密封圈")
    phone.locator("#complete-repair").click()
    expect(phone.locator("#repair-status")).to_have_text("已完工，请确认")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    worker_context.close()

    # The resident confirms.
    page.goto(f"/shop/accounts/repairs/{repair.pk}/")
    page.locator("#confirm-repair").click()
    expect(page.locator("#repair-status")).to_have_text("已确认")

    # The board's figures moved: taken and on site, both on time.
    page.goto(f"/boards/{board.community.slug}/")
    expect(page.locator('#repair-figures [data-figure="take"]')).to_have_text(re.compile(r"^1 / 1"))
    expect(page.locator('#repair-figures [data-figure="arrive"]')).to_have_text(
        re.compile(r"^1 / 1")
    )
