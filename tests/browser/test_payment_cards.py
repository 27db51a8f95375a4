"""A resident adds a card in Chromium through the card element (localstripe's Stripe.js)."""

import re

import pytest

from payments.models import SavedCard
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_card(page, number):
    element = page.locator("#card-element")
    element.get_by_placeholder("number").fill(number)
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("30")
    element.get_by_placeholder("cvc").fill("123")
    element.get_by_placeholder("postal_code").fill("100000")


def test_a_resident_adds_a_card_and_sees_it_listed(localstripe, browser_page, resident):
    page = browser_page
    login(page, resident.email)
    page.goto("/shop/accounts/cards/")
    assert page.get_by_text("你还没有保存的银行卡。").is_visible()

    fill_card(page, "4000000000000002")
    page.get_by_role("button", name="保存银行卡").click()
    page.get_by_text("您的银行卡被拒绝").wait_for()
    assert not SavedCard.objects.exists()

    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="保存银行卡").click()
    listed = page.locator("#saved-cards li", has_text=re.compile(r"••••\s*4242"))
    listed.wait_for()
    assert re.search(r"12/30", listed.inner_text())
    assert "默认" in listed.inner_text()
    card = SavedCard.objects.get(user=resident)
    assert (card.last4, card.is_default) == ("4242", True)
