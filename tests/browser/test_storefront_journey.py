"""First journey: a visitor chooses a community and sees priced services of all five categories."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Q

from marketplace.catalogue.models import Product
from marketplace.models import Community

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "lang,choose,expect",
    [
        ("zh-hans", "望京花园", ["养老服务", "托育服务", "家政服务", "快递服务", "维修服务"]),
        ("en", "Wangjing Garden", ["Eldercare", "Childcare", "Housekeeping", "Express", "Repair"]),
    ],
)
def test_a_visitor_chooses_a_community_and_sees_priced_services(browser_page, lang, choose, expect):
    call_command("seed_demo", verbosity=0)
    page = browser_page
    page.goto("/")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    picker = page.get_by_role("combobox", name=re.compile("小区|Community"))
    value = picker.locator("option", has_text=choose).get_attribute("value")
    with page.expect_navigation():
        picker.select_option(value)
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile("^(服务|Services)$")).first.click()
    cards = page.locator("article.product_pod")
    community = Community.objects.get(Q(name=choose) | Q(name_en=choose))
    offered = Product.objects.filter(stockrecords__community=community).distinct()
    unoffered = Product.objects.exclude(pk__in=offered).exclude(structure="parent")
    assert offered.count() > 0 and unoffered.exists()
    # Only the chosen community's services, each priced (none "not available here").
    assert cards.count() == offered.count()
    assert page.locator("article.product_pod .unavailable").count() == 0
    shown = set(cards.evaluate_all("cards => cards.map(c => c.dataset.service)"))
    assert shown == {p.upc for p in offered}
    text = page.locator("#content_inner").inner_text()
    for category in expect:
        assert category in text
    assert re.search(r"¥\d+\.00", text)
    if lang == "en":
        assert "Regular cleaning (2 hours)" in text
    else:
        assert "日常保洁（2 小时）" in text
